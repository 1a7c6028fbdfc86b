"""Leads created through the API are inbound requests like calls and forms.

`POST /api/v1/leads` validates the payload, stores an InboundEvent (channel and provider
"api") and processes it with the handler below, which routes it through
`inbound_request_accept`: an open lead gets an activity, a known client a repeat lead,
everyone else a new lead, assigned by the same rules as every other channel.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator

from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import Entity, EventKind, Source
from voronka.crm.normalization import email_normalize, phone_normalize
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.request import InboundRequest
from voronka.intake.services.events import event_handler
from voronka.intake.services.routing import RoutingResult, inbound_request_accept

PROVIDER = "api"

_url = URLValidator()


def lead_payload_check(data: dict[str, Any]) -> None:
    """Refuse, before anything is stored, what processing would fail on; errors name the field."""
    errors: dict[str, list[str]] = {}
    code = data.get("source")
    if code and not Source.objects.filter(code=code).exists():
        errors["source"] = [f"Нет источника с кодом «{code}» (см. /api/v1/dictionaries/sources)."]
    for index, phone in enumerate(data.get("phones") or []):
        if not phone_normalize(phone):
            errors.setdefault("phones", []).append(f"[{index}] «{phone}» — не номер телефона.")
    for index, email in enumerate(data.get("emails") or []):
        if not email_normalize(email):
            errors.setdefault("emails", []).append(f"[{index}] «{email}» — не адрес e-mail.")
    for name in ("landing_page", "referrer"):
        if data.get(name):
            try:
                _url(data[name])
            except ValidationError:
                errors[name] = ["Ожидается адрес вида https://…"]
    try:
        custom_fields_clean(entity=Entity.LEAD, values=data.get("custom_fields") or {},
                            enforce_required=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[f"custom_fields.{name}"] = messages
    if not any(data.get(k) for k in ("phones", "emails", "name", "last_name", "company_title",
                                     "title", "comments")):
        errors[NON_FIELD_ERRORS] = [
            "Пустая заявка: укажите телефон, e-mail, имя, компанию, название или комментарий."]
    if errors:
        raise ValidationError(errors)


def inbound_request_from(event: InboundEvent) -> InboundRequest:
    data = event.payload.get("data") or {}
    utm = {k: v for k, v in (data.get("utm") or {}).items() if v}
    return InboundRequest(
        channel=Channel.API, occurred_at=event.received_at,
        phones=list(data.get("phones") or []), emails=list(data.get("emails") or []),
        name=data.get("name") or "", last_name=data.get("last_name") or "",
        company_title=data.get("company_title") or "", title=data.get("title") or "",
        text=data.get("comments") or "", source_code=data.get("source") or "", utm=utm,
        visit_id=data.get("visit_id") or "", landing_page=data.get("landing_page") or "",
        referrer=data.get("referrer") or "", custom_fields=dict(data.get("custom_fields") or {}),
        activity_kind=EventKind.SYSTEM,
        activity_payload={"channel": Channel.API, "inbound_event": event.pk,
                          "api_user": event.payload.get("user_id")},
    )


@event_handler(PROVIDER)
def api_event_process(event: InboundEvent) -> RoutingResult:
    return inbound_request_accept(inbound_request_from(event))
