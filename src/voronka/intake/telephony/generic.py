"""The generic call webhook, for Asterisk or any PBX that can send an HTTP POST.

One JSON object per call event, signed in `X-Voronka-Signature: sha256=<hex>` with the
HMAC-SHA256 of the raw body (key: the connection's `secret`). The schema is `CallEvent`;
docs/telephony.md describes it for PBX administrators.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from voronka.crm.models import CallDirection
from voronka.intake.models import InboundEvent
from voronka.intake.telephony.calls import CallFact, call_event_handlers
from voronka.intake.telephony.signatures import generic_sign, signatures_match

PROVIDER = "generic"
SIGNATURE_HEADER = "X-Voronka-Signature"
SIGNATURE_SCHEME = "sha256"
MAX_DURATION = 7 * 24 * 3600
MAX_ERRORS_SHOWN = 5

Number = str | int


class PayloadError(ValueError):
    """The body does not follow the schema; the message names the field(s)."""


class CallEvent(BaseModel):
    """One event of one call. Strict: no coercion ("60" is not a number), no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    call_id: str = Field(min_length=1, max_length=63, pattern=r"^[^\x00-\x1f\x7f]+$")
    event: Literal["start", "answer", "end", "recording"]
    direction: Literal["in", "out"] = "in"
    from_: Number = Field(alias="from")
    to: Number
    extension: str | None = Field(default=None, max_length=20)
    at: AwareDatetime
    duration: int | None = Field(default=None, ge=0, le=MAX_DURATION)
    answered: bool | None = None
    recording_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _event_fields(self) -> CallEvent:
        for name in ("from", "to"):
            value = self.from_ if name == "from" else self.to
            if isinstance(value, int) and not 0 <= value < 10**20:
                raise ValueError(f"{name}: out of range")
            if isinstance(value, str) and len(value) > 64:
                raise ValueError(f"{name}: longer than 64 characters")
        if not 1970 <= self.at.year <= 2999:
            raise ValueError("at: out of range")
        if self.event == "end":
            missing = [name for name in ("duration", "answered") if getattr(self, name) is None]
            if missing:
                raise ValueError(", ".join(f"{name}: required when event is 'end'"
                                           for name in missing))
        if self.event == "recording":
            if self.recording_url is None:
                raise ValueError("recording_url: required when event is 'recording'")
            if len(str(self.recording_url)) > 2000:
                raise ValueError("recording_url: longer than 2000 characters")
        return self


def _error_text(exc: ValidationError) -> str:
    """`field: message` per problem, one line each; a union's branches count as one."""
    lines: dict[str, str] = {}
    for problem in exc.errors(include_url=False):
        location, kind = problem["loc"], problem["type"]
        if kind == "json_invalid":
            detail = problem["msg"].removeprefix("Invalid JSON: ")
            lines.setdefault("body", f"body: not valid JSON ({detail})")
        elif not location:  # the whole body: not an object, or a cross-field rule
            message = str(problem.get("ctx", {}).get("error", problem["msg"]))
            lines.setdefault(message, message if ":" in message else f"body: {message}")
        else:
            field = str(location[0])
            lines.setdefault(field, f"{field}: {problem['msg']}")
    shown = list(lines.values())[:MAX_ERRORS_SHOWN]
    return "; ".join(shown)


def body_parse(body: bytes) -> tuple[CallEvent, dict[str, Any]]:
    """(the validated event, the JSON object as sent, to be stored)."""
    try:
        event = CallEvent.model_validate_json(body)
    except ValidationError as exc:
        raise PayloadError(_error_text(exc)) from None
    return event, json.loads(body)


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False  # an empty secret would let anyone sign
    scheme, _sep, digest = header.strip().partition("=")
    if scheme.strip().lower() != SIGNATURE_SCHEME:
        return False
    return signatures_match(generic_sign(secret, body), digest.strip())


def idempotency_key(slug: str, event: CallEvent) -> tuple[str, str]:
    """(idempotency key, thread key). The connection's slug is part of both: two PBXes may
    number their calls alike (Asterisk's uniqueid is a timestamp)."""
    return f"{slug}:{event.call_id}:{event.event}", f"{slug}:{event.call_id}"


def fact_from_event(slug: str, event: CallEvent) -> CallFact:
    incoming = event.direction == "in"
    caller, callee = str(event.from_), str(event.to)
    base = {"external_id": f"{slug}:{event.call_id}",
            "direction": CallDirection.INCOMING if incoming else CallDirection.OUTGOING,
            "client_number": caller if incoming else callee,
            "line_number": callee if incoming else caller}
    at = event.at.astimezone(dt.UTC)
    if event.event == "start":
        return CallFact(kind="appeared", at=at, **base)
    if event.event == "answer":
        return CallFact(kind="connected", at=at, extension=event.extension or "", **base)
    if event.event == "end":
        talk = event.duration if event.answered else 0
        return CallFact(kind="summary", at=at, answered=bool(event.answered), ended_at=at,
                        answered_at=at - dt.timedelta(seconds=talk or 0) if event.answered else None,
                        talk_seconds=talk, extension=event.extension or "", **base)
    return CallFact(kind="recording", at=at, recording_url=str(event.recording_url), **base)


def facts_of(event: InboundEvent) -> list[CallFact]:
    call_event, _payload = body_parse(json.dumps(event.payload).encode())
    return [fact_from_event(event.connection, call_event)]


call_event_handlers(PROVIDER, facts_of)
