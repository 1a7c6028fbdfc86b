"""Zadarma PBX: call notifications (one URL for all of them) → CallFacts.

Zadarma posts `application/x-www-form-urlencoded` fields with an `event` name and signs them
in the `Signature` header: base64 of the hex HMAC-SHA1 (key: the API secret) of some fields
concatenated, which fields depending on the event (`SIGNED_FIELDS`). Before it saves the
URL, Zadarma checks it with `GET ?zd_echo=X` and expects `X` back as plain text.

`call_start` is local time of the PBX, without an offset: it is read in the intake time
zone (IntakeSettings.time_zone, Europe/Moscow by default), which must match the PBX's.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voronka.crm.models import CallDirection
from voronka.intake.models import InboundEvent, IntakeSettings
from voronka.intake.telephony.calls import CallFact, call_event_handlers
from voronka.intake.telephony.signatures import zadarma_sign

log = logging.getLogger(__name__)

PROVIDER = "zadarma"
# event -> the fields whose concatenation Zadarma signs (Zadarma API docs, "Notifications")
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}
DISPOSITIONS = ("answered", "busy", "cancel", "no answer", "failed", "no money",
                "unallocated number", "no limit", "no day limit", "line limit",
                "no money, no limit")
CALL_START_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_TEXT = 128
MAX_ECHO = 64
MAX_DURATION = 7 * 24 * 3600
MAX_FIELDS = 64
DEFAULT_TIME_ZONE = "Europe/Moscow"


class PayloadError(ValueError):
    """The notification is not what Zadarma documents; the message names the field."""


def echo_check(value: str | None) -> str:
    """The `zd_echo` to send back: short printable ASCII only (it is reflected)."""
    if not value:
        raise PayloadError("zd_echo: required")
    if len(value) > MAX_ECHO:
        raise PayloadError(f"zd_echo: longer than {MAX_ECHO} characters")
    if not (value.isascii() and value.isprintable()):
        raise PayloadError("zd_echo: only printable ASCII characters are allowed")
    return value


def payload_from_form(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted fields as stored: one value per name (the last, as PHP would read it)."""
    if len(form) > MAX_FIELDS:
        raise PayloadError(f"form: more than {MAX_FIELDS} fields")
    return {str(name): str(form.get(name, "")) for name in form}


def _event(data: Mapping[str, str]) -> str:
    event = data.get("event", "")
    if event not in SIGNED_FIELDS:
        if not event:
            raise PayloadError("event: required")
        raise PayloadError(f"event: expected one of {', '.join(SIGNED_FIELDS)}")
    return event


def signature_valid(secret: str, data: Mapping[str, str], given: str | None) -> bool:
    """Check the `Signature` header; PayloadError when `event` is not one we can check."""
    fields = SIGNED_FIELDS[_event(data)]
    if not secret or not given:
        return False  # an empty secret would let anyone sign
    expected = zadarma_sign(secret, "".join(data.get(field, "") for field in fields))
    return hmac.compare_digest(expected.encode(), given.strip().encode("utf-8", "replace"))


def _text(data: Mapping[str, str], field: str, *, required: bool = False) -> str:
    value = str(data.get(field, "")).strip()
    if not value:
        if required:
            raise PayloadError(f"{field}: required")
        return ""
    if len(value) > MAX_TEXT:
        raise PayloadError(f"{field}: longer than {MAX_TEXT} characters")
    if not value.isprintable():
        raise PayloadError(f"{field}: contains control characters")
    return value


def _int(data: Mapping[str, str], field: str, *, maximum: int) -> int | None:
    value = _text(data, field)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise PayloadError(f"{field}: expected a whole number")
    number = int(value)
    if number > maximum:
        raise PayloadError(f"{field}: out of range")
    return number


def intake_time_zone() -> dt.tzinfo:
    name = IntakeSettings.load().time_zone or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("intake time zone %r is unknown; reading Zadarma times as %s",
                    name, DEFAULT_TIME_ZONE)
        return ZoneInfo(DEFAULT_TIME_ZONE)


def _call_start(data: Mapping[str, str], zone: dt.tzinfo) -> dt.datetime:
    value = _text(data, "call_start", required=True)
    try:
        naive = dt.datetime.strptime(value, CALL_START_FORMAT)
    except ValueError:
        raise PayloadError("call_start: expected YYYY-MM-DD HH:MM:SS") from None
    if not 1970 <= naive.year <= 2999:
        raise PayloadError("call_start: out of range")
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def _looks_like_extension(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 5


def idempotency_key(data: Mapping[str, str]) -> tuple[str, str]:
    """(idempotency key, thread key): `EVENT:pbx_call_id`, plus the recording for RECORD.

    NOTIFY_INTERNAL also carries the extension: a call may ring several in turn.
    """
    event = _event(data)
    pbx_call_id = _text(data, "pbx_call_id", required=True)
    if event == "NOTIFY_RECORD":
        recording = _text(data, "call_id_with_rec", required=True)
        return f"{event}:{pbx_call_id}:{recording}", pbx_call_id
    if event == "NOTIFY_INTERNAL":
        return f"{event}:{pbx_call_id}:{_text(data, 'internal')}", pbx_call_id
    return f"{event}:{pbx_call_id}", pbx_call_id


def facts_from_payload(data: Mapping[str, str], *, received_at: dt.datetime | None = None,
                       zone: dt.tzinfo | None = None) -> list[CallFact]:
    """The CallFacts of one stored notification; PayloadError on documented-field errors.

    `received_at` (when the notification arrived) stands for the moments Zadarma does not
    send: the answer time of NOTIFY_ANSWER and the time of NOTIFY_RECORD.
    """
    event = _event(data)
    received = received_at or dt.datetime.now(dt.UTC)
    pbx_call_id = _text(data, "pbx_call_id", required=True)
    if event == "NOTIFY_RECORD":
        return [CallFact(external_id=pbx_call_id, kind="recording", at=received,
                         recording_ref=_text(data, "call_id_with_rec", required=True))]
    zone = zone or intake_time_zone()
    start = _call_start(data, zone)
    base = {"external_id": pbx_call_id, "direction": CallDirection.INCOMING,
            "client_number": _text(data, "caller_id"), "line_number": _text(data, "called_did")}
    if event in ("NOTIFY_START", "NOTIFY_INTERNAL"):
        _text(data, "internal")
        return [CallFact(kind="appeared", at=start, **base)]
    if event == "NOTIFY_ANSWER":
        destination = _text(data, "destination")
        extension = _text(data, "internal") or (
            destination if _looks_like_extension(destination) else "")
        # Zadarma sends no answer time; the arrival is it, unless the clocks disagree.
        answered = received if start <= received <= start + dt.timedelta(days=1) else start
        return [CallFact(kind="connected", at=answered, extension=extension[:20], **base)]
    # NOTIFY_END
    disposition = _text(data, "disposition", required=True)
    duration = _int(data, "duration", maximum=MAX_DURATION)
    _int(data, "status_code", maximum=999)
    is_recorded = _text(data, "is_recorded")
    if is_recorded not in ("", "0", "1"):
        raise PayloadError("is_recorded: expected 0 or 1")
    recording = _text(data, "call_id_with_rec")
    answered = disposition == "answered"
    extension = _text(data, "internal") or _text(data, "last_internal")
    facts = [CallFact(
        kind="summary", at=start, answered=answered,
        ended_at=start + dt.timedelta(seconds=duration) if duration is not None else received,
        talk_seconds=(duration or 0) if answered else 0, disconnect_reason=disposition[:64],
        extension=extension[:20] if answered and _looks_like_extension(extension) else "",
        **base,
    )]
    if is_recorded == "1" and recording:
        facts.append(CallFact(external_id=pbx_call_id, kind="recording", at=start,
                              recording_ref=recording))
    return facts


def facts_of(event: InboundEvent) -> list[CallFact]:
    return facts_from_payload(event.payload, received_at=event.received_at)


call_event_handlers(PROVIDER, facts_of)
