"""MANGO OFFICE VPBX: event webhooks (call, summary, recording) → CallFacts.

MANGO posts `application/x-www-form-urlencoded` with `vpbx_api_key`, `sign` and `json`;
`sign` is sha256(api_key + json + salt) over the raw `json` field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from voronka.crm.models import CallDirection
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.telephony.calls import CallFact, call_event_handlers

PROVIDER = "mango"
EVENT_KINDS = ("call", "summary", "recording")
MAX_JSON = 64 * 1024


class PayloadError(ValueError):
    """The payload is not what MANGO documents; the message names the field."""


def _text(value: Any, field: str, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise PayloadError(f"{field}: required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{field}: expected a string or a number")
    return str(value).strip()[:128]


def _int(value: Any, field: str, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise PayloadError(f"{field}: required")
        return None
    if isinstance(value, bool):
        raise PayloadError(f"{field}: expected an integer")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise PayloadError(f"{field}: expected an integer") from None
    if not 0 <= number < 2**40:
        raise PayloadError(f"{field}: out of range")
    return number


def _time(value: Any, field: str, *, required: bool = False) -> dt.datetime | None:
    stamp = _int(value, field, required=required)
    if not stamp:
        return None
    try:
        return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise PayloadError(f"{field}: not a unix time") from None


def _party(data: Any, field: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PayloadError(f"{field}: expected an object")
    return {key: _text(data.get(key), f"{field}.{key}")
            for key in ("number", "extension", "line_number", "acd_group")}


def payload_parse(json_text: str) -> dict[str, Any]:
    if len(json_text) > MAX_JSON:
        raise PayloadError("json: too large")
    try:
        data = json.loads(json_text)
    except (ValueError, RecursionError):
        raise PayloadError("json: not valid JSON") from None
    if not isinstance(data, dict):
        raise PayloadError("json: expected an object")
    return data


def idempotency_key(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """(idempotency key, thread key) of one MANGO event, validating what they are made of."""
    entry = _text(data.get("entry_id"), "entry_id", required=True)
    if kind == "call":
        call_id = _text(data.get("call_id"), "call_id", required=True)
        seq = _int(data.get("seq"), "seq", required=True)
        return f"call:{entry}:{call_id}:{seq}", entry
    if kind == "summary":
        return f"summary:{entry}", entry
    recording = _text(data.get("recording_id"), "recording_id", required=True)
    state = _text(data.get("recording_state"), "recording_state")
    return f"recording:{entry}:{recording}:{state}", entry


def _direction(source: dict[str, str], target: dict[str, str], code: int | None) -> str:
    if code is not None:
        return {0: CallDirection.INTERNAL, 2: CallDirection.OUTGOING}.get(code,
                                                                          CallDirection.INCOMING)
    if source.get("extension") and target.get("extension"):
        return CallDirection.INTERNAL
    if source.get("extension"):
        return CallDirection.OUTGOING
    return CallDirection.INCOMING


def fact_from_payload(kind: str, data: dict[str, Any]) -> CallFact:
    """Turn a stored MANGO payload into a CallFact; PayloadError on documented-field errors."""
    entry = _text(data.get("entry_id"), "entry_id", required=True)
    source = _party(data.get("from"), "from")
    target = _party(data.get("to"), "to")
    direction = _direction(source, target, _int(data.get("call_direction"), "call_direction"))
    client = target.get("number", "") if direction == CallDirection.OUTGOING else source.get(
        "number", "")
    line = _text(data.get("line_number"), "line_number") or target.get("line_number", "")
    base = {"external_id": entry, "direction": direction, "client_number": client,
            "line_number": line}
    if kind == "call":
        state = _text(data.get("call_state"), "call_state", required=True)
        at = _time(data.get("timestamp"), "timestamp", required=True)
        location = _text(data.get("location"), "location")
        reason = _text(data.get("disconnect_reason"), "disconnect_reason")[:64]
        if state == "Connected" and location == "abonent" and direction == CallDirection.INCOMING:
            return CallFact(kind="connected", at=at, extension=target.get("extension", ""), **base)
        if state == "Disconnected":
            return CallFact(kind="disconnected", at=at, disconnect_reason=reason, **base)
        if state not in ("Appeared", "Connected", "OnHold"):
            raise PayloadError("call_state: expected Appeared, Connected, OnHold or Disconnected")
        return CallFact(kind="appeared", at=at, **base)
    if kind == "summary":
        created = _time(data.get("create_time"), "create_time", required=True)
        talk = _time(data.get("talk_time"), "talk_time")
        ended = _time(data.get("end_time"), "end_time") or created
        result = _int(data.get("entry_result"), "entry_result", required=True)
        answer_extension = target.get("extension", "") if direction == CallDirection.INCOMING else ""
        return CallFact(
            kind="summary", at=created, answered=result == 1, answered_at=talk, ended_at=ended,
            talk_seconds=max(0, int((ended - talk).total_seconds())) if talk and ended else 0,
            disconnect_reason=_text(data.get("disconnect_reason"), "disconnect_reason")[:64],
            extension=answer_extension, **base,
        )
    at = _time(data.get("timestamp"), "timestamp") or dt.datetime.now(dt.UTC)
    return CallFact(kind="recording", at=at,
                    recording_ref=_text(data.get("recording_id"), "recording_id", required=True),
                    **base)


def facts_of(event: InboundEvent) -> list[CallFact]:
    return [fact_from_payload(event.kind, event.payload)]


call_event_handlers(PROVIDER, facts_of)


CHANNEL = Channel.CALL
