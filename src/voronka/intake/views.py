"""Telephony webhooks: verify, validate, store the raw event, answer, then process."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from voronka.core.ratelimit import client_ip, rate_limited, security_warning
from voronka.intake.models import Channel, TelephonyConnection, TelephonyProvider
from voronka.intake.services.events import inbound_event_store, process_event
from voronka.intake.telephony import mango
from voronka.intake.telephony.signatures import mango_sign, signatures_match

MAX_BODY = 256 * 1024
WEBHOOK_RATE_PER_MINUTE = 6000


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _too_big(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_BODY


def store_and_process(**event_fields) -> JsonResponse:
    """Commit the event first (the 2xx promises it is kept), then process it."""
    event, created = inbound_event_store(**event_fields)
    if created:
        event = process_event(event)
    return JsonResponse({"result": "ok", "event": event.pk, "duplicate": not created,
                         "state": event.state})


@csrf_exempt
@require_POST
def mango_event(request: HttpRequest, slug: str, kind: str) -> JsonResponse:
    if kind not in mango.EVENT_KINDS:
        return error(404, f"unknown MANGO event type {kind!r}")
    if _too_big(request):
        return error(413, "request body is too large")
    ip = client_ip(request)
    if rate_limited("webhook", f"{slug}:{ip}", limit=WEBHOOK_RATE_PER_MINUTE):
        return error(429, "too many requests; slow down")
    connection = get_object_or_404(TelephonyConnection, slug=slug,
                                   provider=TelephonyProvider.MANGO, is_active=True)
    json_text = request.POST.get("json", "")
    expected = mango_sign(connection.api_key, json_text, connection.salt)
    if not (signatures_match(connection.api_key, request.POST.get("vpbx_api_key"))
            and signatures_match(expected, request.POST.get("sign"))):
        security_warning("mango", f"{slug}:{ip}", "bad or missing signature")
        return error(403, "signature check failed")
    try:
        data = mango.payload_parse(json_text)
        key, thread = mango.idempotency_key(kind, data)
        mango.fact_from_payload(kind, data)  # refuse what cannot be processed before storing
    except mango.PayloadError as exc:
        return error(400, f"invalid MANGO event: {exc}")
    return store_and_process(channel=Channel.CALL, provider=mango.PROVIDER, connection=slug,
                             kind=kind, idempotency_key=key, thread_key=thread, payload=data)
