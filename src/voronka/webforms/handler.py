"""Processing a stored form submission: InboundEvent → InboundRequest → routing.

Registered for provider "webform" when `voronka.intake.handlers` imports this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import Entity, EventKind
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.request import InboundRequest
from voronka.intake.services.events import event_handler
from voronka.intake.services.routing import RoutingResult, inbound_request_accept
from voronka.webforms.services import PROVIDER
from voronka.webforms.utm import source_for_utm_db

PERSON_TARGETS = ("name", "last_name", "company_title", "title")


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    return str(value)


def _custom_fields(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The custom field values that are still valid, and the codes that are not.

    They were valid when submitted; a definition changed since (before a retry) must not
    make the request fail, so such a value goes into the comment instead.
    """
    good: dict[str, Any] = {}
    bad: list[str] = []
    for code, value in values.items():
        try:
            custom_fields_clean(entity=Entity.LEAD, values={code: value}, enforce_required=False)
        except ValidationError:
            bad.append(code)
        else:
            good[code] = value
    return good, bad


def inbound_request_from_payload(payload: dict[str, Any], *, occurred_at: dt.datetime,
                                 event_id: int | None = None) -> InboundRequest:
    form = payload.get("form") or {}
    fields = [f for f in payload.get("fields") or [] if isinstance(f, dict)]
    utm = {k: v for k, v in (payload.get("utm") or {}).items() if isinstance(v, str)}
    phones: list[str] = []
    emails: list[str] = []
    person: dict[str, str] = {}
    comments: list[str] = []
    extra_lines: list[str] = []
    custom: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for item in fields:
        value, target = item.get("value"), item.get("target") or ""
        if value in ("", None):
            continue
        if target == "phone":
            phones.append(str(value))
        elif target == "email":
            emails.append(str(value))
        elif target in PERSON_TARGETS:
            person.setdefault(target, str(value))
        elif target == "comments":
            comments.append(str(value))
        elif target.startswith("UF_"):
            custom[target] = value
            labels[target] = item.get("label") or item.get("name") or target
        else:
            extra_lines.append(f"{item.get('label') or item.get('name')}: {_display(value)}")
    custom, rejected = _custom_fields(custom)
    extra_lines += [f"{labels[code]}: {_display(value)}" for code, value in _values_of(fields, rejected)]
    text = "\n\n".join(part for part in ("\n".join(comments), "\n".join(extra_lines)) if part)

    rule_source = source_for_utm_db(utm)
    source_code = rule_source.code if rule_source is not None else (form.get("source") or "")
    who = ", ".join(p for p in (
        " ".join(p for p in (person.get("name"), person.get("last_name")) if p),
        phones[0] if phones else (emails[0] if emails else ""),
    ) if p)
    form_name = form.get("name") or form.get("slug") or _("веб-форма")
    title = person.get("title") or (f"{form_name}: {who}" if who else str(form_name))
    return InboundRequest(
        channel=Channel.FORM, occurred_at=occurred_at, phones=phones, emails=emails,
        name=person.get("name", ""), last_name=person.get("last_name", ""),
        company_title=person.get("company_title", ""), title=title[:255], text=text,
        source_code=source_code, utm=utm, visit_id=payload.get("visit_id") or "",
        landing_page=payload.get("landing_page") or "", referrer=payload.get("referrer") or "",
        custom_fields=custom,
        activity_kind=EventKind.FORM,
        activity_payload={
            "form": form.get("slug", ""), "form_name": form.get("name", ""),
            "fields": [{"name": f.get("name"), "label": f.get("label"), "value": f.get("value")}
                       for f in fields],
            "utm": utm, "landing_page": payload.get("landing_page") or "",
            "referrer": payload.get("referrer") or "", "visit_id": payload.get("visit_id") or "",
            "consent": payload.get("consent"), "source_by_utm_rule": rule_source is not None,
            "inbound_event": event_id,
        },
    )


def _values_of(fields: list[dict[str, Any]], codes: list[str]):
    for item in fields:
        if item.get("target") in codes and item.get("value") not in ("", None):
            yield item["target"], item["value"]


@event_handler(PROVIDER)
def handle(event: InboundEvent) -> RoutingResult:
    request = inbound_request_from_payload(event.payload, occurred_at=event.received_at,
                                           event_id=event.pk)
    return inbound_request_accept(request)
