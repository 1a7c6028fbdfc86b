"""Telephony webhooks: verify, validate, store the raw event, answer, then process.

Every provider goes through one guard, `webhook_accept`: body size, rate limit, the
connection (404 if unknown or switched off), the provider's signature (403), the
provider's parser (400 naming the field), then the raw event is committed and processed.
A provider view only supplies `authentic(connection)` and `parse(connection)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from voronka.core.ratelimit import client_ip, rate_limited, security_warning
from voronka.intake.models import Channel, TelephonyConnection, TelephonyProvider
from voronka.intake.selectors import telephony_connection_active
from voronka.intake.services.events import (
    inbound_event_accept,
)
from voronka.intake.telephony import generic, mango, zadarma
from voronka.intake.telephony.signatures import mango_sign, signatures_match

MAX_BODY = 256 * 1024
MAX_PAYLOAD_DEPTH = 32
PAYLOAD_ERRORS = (mango.PayloadError, zadarma.PayloadError, generic.PayloadError)
LABELS = {TelephonyProvider.MANGO: "MANGO", TelephonyProvider.ZADARMA: "Zadarma",
          TelephonyProvider.GENERIC: "call webhook"}


class Unstorable(ValueError):
    """A value the database cannot keep (NUL, lone surrogate, NaN) or absurd nesting."""


@dataclass(frozen=True)
class Delivery:
    """One validated event, ready to be stored."""

    kind: str
    idempotency_key: str
    thread_key: str
    payload: Any


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _too_big(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_BODY


def payload_check_storable(payload: Any) -> None:
    """Refuse what PostgreSQL's jsonb (or any JSON) cannot hold, naming the place.

    Iterative, so a deeply nested payload cannot exhaust the stack here.
    """
    stack: list[tuple[Any, str, int]] = [(payload, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        place = path or "payload"
        if depth > MAX_PAYLOAD_DEPTH:
            raise Unstorable(f"{place}: nested too deeply")
        if isinstance(value, float) and not math.isfinite(value):
            raise Unstorable(f"{place}: not a finite number")
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            texts += [key for key in value if isinstance(key, str)]
            stack += [(item, f"{path}.{key}" if path else str(key), depth + 1)
                      for key, item in value.items()]
        elif isinstance(value, list):
            stack += [(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
        for text in texts:
            if "\x00" in text:
                raise Unstorable(f"{place}: contains a NUL character")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise Unstorable(f"{place}: not valid Unicode text") from None


def store_and_process(**event_fields) -> JsonResponse:
    """Commit the event first (the 2xx promises it is kept), then process it.

    With INTAKE_DEFERRED (the default for `voronka serve`) the sender is answered as soon
    as the event is committed (on SQLite, to the webhook spool: see intake/spool.py), and
    the worker's event loop processes it a moment later: a PBX posting hundreds of events
    a second waits only for one INSERT.
    """
    event_id, state, created = inbound_event_accept(**event_fields)
    return JsonResponse({"result": "ok", "event": event_id, "duplicate": not created,
                         "state": state})


def _admit(request: HttpRequest, provider: str, slug: str) -> TelephonyConnection | HttpResponse:
    """Size and rate limits, then the connection (Http404 when unknown or switched off)."""
    if _too_big(request):
        return error(413, "request body is too large")
    if rate_limited("webhook", f"{slug}:{client_ip(request)}",
                    limit=settings.WEBHOOK_RATE_PER_MINUTE):
        return error(429, "too many requests; slow down")
    connection = telephony_connection_active(provider, slug)
    if connection is None:
        raise Http404("no such connection")
    return connection


def webhook_accept(
    request: HttpRequest,
    *,
    provider: str,
    slug: str,
    authentic: Callable[[TelephonyConnection], bool],
    parse: Callable[[TelephonyConnection], Delivery],
) -> HttpResponse:
    """The one guard every telephony webhook goes through (see the module docstring)."""
    admitted = _admit(request, provider, slug)
    if isinstance(admitted, HttpResponse):
        return admitted
    connection = admitted
    label = LABELS.get(provider, provider)
    try:
        if not authentic(connection):
            security_warning(provider, f"{slug}:{client_ip(request)}", "bad or missing signature")
            return error(403, "signature check failed")
        delivery = parse(connection)
        payload_check_storable(delivery.payload)
    except (*PAYLOAD_ERRORS, Unstorable) as exc:
        return error(400, f"invalid {label} event: {exc}")
    return store_and_process(channel=Channel.CALL, provider=provider, connection=slug,
                             kind=delivery.kind, idempotency_key=delivery.idempotency_key,
                             thread_key=delivery.thread_key, payload=delivery.payload)


# ─── MANGO OFFICE ──────────────────────────────────────────────────────────────────────

@csrf_exempt
@require_POST
def mango_event(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    if kind not in mango.EVENT_KINDS:
        return error(404, f"unknown MANGO event type {kind!r}")

    def authentic(connection: TelephonyConnection) -> bool:
        if not (connection.api_key and connection.salt):
            return False  # without the salt anyone who saw one request could sign
        expected = mango_sign(connection.api_key, request.POST.get("json", ""), connection.salt)
        return (signatures_match(connection.api_key, request.POST.get("vpbx_api_key"))
                and signatures_match(expected, request.POST.get("sign")))

    def parse(connection: TelephonyConnection) -> Delivery:
        data = mango.payload_parse(request.POST.get("json", ""))
        key, thread = mango.idempotency_key(kind, data)
        mango.fact_from_payload(kind, data)  # refuse what cannot be processed before storing
        return Delivery(kind=kind, idempotency_key=key, thread_key=thread, payload=data)

    return webhook_accept(request, provider=TelephonyProvider.MANGO, slug=slug,
                          authentic=authentic, parse=parse)


# ─── Zadarma ───────────────────────────────────────────────────────────────────────────

@csrf_exempt
@require_http_methods(["GET", "POST"])
def zadarma_event(request: HttpRequest, slug: str) -> HttpResponse:
    """Zadarma's one notification URL: GET ?zd_echo= checks it, POSTs are the events."""
    if request.method == "GET":
        admitted = _admit(request, TelephonyProvider.ZADARMA, slug)
        if isinstance(admitted, HttpResponse):
            return admitted
        try:
            echo = zadarma.echo_check(request.GET.get("zd_echo"))
        except zadarma.PayloadError as exc:
            return error(400, f"invalid Zadarma URL check: {exc}")
        return HttpResponse(echo, content_type="text/plain; charset=utf-8")

    def authentic(connection: TelephonyConnection) -> bool:
        data = zadarma.payload_from_form(request.POST)
        return zadarma.signature_valid(connection.secret, data, request.headers.get("Signature"))

    def parse(connection: TelephonyConnection) -> Delivery:
        data = zadarma.payload_from_form(request.POST)
        key, thread = zadarma.idempotency_key(data)
        zadarma.facts_from_payload(data)  # refuse what cannot be processed before storing
        return Delivery(kind=data["event"], idempotency_key=key, thread_key=thread, payload=data)

    return webhook_accept(request, provider=TelephonyProvider.ZADARMA, slug=slug,
                          authentic=authentic, parse=parse)


# ─── Generic call webhook (Asterisk or any PBX) ──────────────────────────────────────

@csrf_exempt
@require_POST
def generic_call_event(request: HttpRequest, slug: str) -> HttpResponse:
    if not _too_big(request) and len(request.body) > MAX_BODY:  # no Content-Length: measure
        return error(413, "request body is too large")

    def authentic(connection: TelephonyConnection) -> bool:
        return generic.signature_valid(connection.secret, request.body,
                                       request.headers.get(generic.SIGNATURE_HEADER))

    def parse(connection: TelephonyConnection) -> Delivery:
        event, payload = generic.body_parse(request.body)
        key, thread = generic.idempotency_key(slug, event)
        generic.fact_from_event(slug, event)
        return Delivery(kind=event.event, idempotency_key=key, thread_key=thread, payload=payload)

    return webhook_accept(request, provider=TelephonyProvider.GENERIC, slug=slug,
                          authentic=authentic, parse=parse)
