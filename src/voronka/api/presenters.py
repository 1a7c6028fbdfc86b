"""Model rows -> response dicts. Callers pass querysets from the `*_queryset` helpers below,
which select and prefetch everything these functions touch (no query per row)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    Communication,
    CommunicationKind,
    Deal,
    Lead,
)
from voronka.crm.selectors import (
    companies_visible_to,
    contacts_visible_to,
    deals_visible_to,
    leads_visible_to,
)


def moment(value: dt.datetime | None) -> dt.datetime | None:
    """Aware datetimes in the server's time zone, so JSON shows e.g. `+03:00`."""
    return timezone.localtime(value) if value is not None else None


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def ref(obj) -> dict[str, str] | None:
    return None if obj is None else {"code": obj.code, "name": obj.name}


def status_ref(obj) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name, "semantics": obj.semantics}


def user_ref(user) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _communications(owner) -> tuple[list[dict], list[dict]]:
    phones, emails = [], []
    for comm in owner.communications.all():
        item = {"id": comm.pk, "value": comm.value, "normalized": comm.normalized,
                "type": comm.value_type, "extension": comm.extension}
        if comm.kind == CommunicationKind.PHONE:
            phones.append(item)
        elif comm.kind == CommunicationKind.EMAIL:
            emails.append(item)
    return phones, emails


def _communications_prefetch() -> Prefetch:
    return Prefetch("communications", queryset=Communication.objects.order_by("id"))


def leads_queryset(user=None) -> QuerySet[Lead]:
    """Leads `user` may see (every lead when None), with what `lead_out` reads."""
    leads = Lead.objects.all() if user is None else leads_visible_to(user)
    return leads.select_related(
        "status", "source", "responsible", "junk_reason",
    ).prefetch_related(
        _communications_prefetch(),
        Prefetch("deals", queryset=Deal.objects.only("id", "lead_id").order_by("id")),
    )


def lead_out(lead: Lead) -> dict[str, Any]:
    phones, emails = _communications(lead)
    return {
        "id": lead.pk, "title": lead.title, "status": status_ref(lead.status),
        "source": ref(lead.source), "source_description": lead.source_description,
        "responsible": user_ref(lead.responsible),
        "name": lead.name, "last_name": lead.last_name, "second_name": lead.second_name,
        "post": lead.post, "company_title": lead.company_title,
        "phones": phones, "emails": emails,
        "utm": {name: getattr(lead, name) for name in UTM_FIELDS},
        "tracking": {name: getattr(lead, name) for name in TRACKING_FIELDS},
        "custom_fields": lead.custom_fields or {}, "comments": lead.comments,
        "is_repeat": lead.is_repeat, "amount": money(lead.amount), "currency": lead.currency,
        "junk_reason": ref(lead.junk_reason), "junk_comment": lead.junk_comment,
        "sla_deadline": moment(lead.sla_deadline), "first_handled_at": moment(lead.first_handled_at),
        "closed_at": moment(lead.closed_at), "created_at": moment(lead.created_at),
        "updated_at": moment(lead.updated_at),
        "contact_id": lead.contact_id, "company_id": lead.company_id,
        "deal_ids": [deal.pk for deal in lead.deals.all()],
    }


def deals_queryset(user) -> QuerySet[Deal]:
    return deals_visible_to(user).select_related(
        "pipeline", "stage", "source", "first_touch_source", "responsible", "close_reason",
    )


def deal_out(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.pk, "title": deal.title, "pipeline": ref(deal.pipeline),
        "stage": status_ref(deal.stage), "amount": money(deal.amount), "currency": deal.currency,
        "source": ref(deal.source), "first_touch_source": ref(deal.first_touch_source),
        "responsible": user_ref(deal.responsible), "contact_id": deal.contact_id,
        "company_id": deal.company_id, "lead_id": deal.lead_id, "is_repeat": deal.is_repeat,
        "comments": deal.comments,
        "utm": {name: getattr(deal, name) for name in UTM_FIELDS},
        "tracking": {name: getattr(deal, name) for name in TRACKING_FIELDS},
        "custom_fields": deal.custom_fields or {}, "close_reason": ref(deal.close_reason),
        "closed_on": deal.closed_on, "closed_at": moment(deal.closed_at),
        "created_at": moment(deal.created_at), "updated_at": moment(deal.updated_at),
    }


def contacts_queryset(user):
    return contacts_visible_to(user).select_related(
        "responsible", "source", "first_touch_source").prefetch_related(_communications_prefetch())


def contact_out(contact) -> dict[str, Any]:
    phones, emails = _communications(contact)
    return {
        "id": contact.pk, "name": contact.name, "last_name": contact.last_name,
        "second_name": contact.second_name, "full_name": contact.full_name, "post": contact.post,
        "company_id": contact.company_id, "responsible": user_ref(contact.responsible),
        "source": ref(contact.source), "first_touch_source": ref(contact.first_touch_source),
        "first_touch_at": moment(contact.first_touch_at), "phones": phones, "emails": emails,
        "comments": contact.comments, "custom_fields": contact.custom_fields or {},
        "created_at": moment(contact.created_at),
    }


def companies_queryset(user):
    return companies_visible_to(user).select_related("responsible", "source").prefetch_related(
        _communications_prefetch())


def company_out(company) -> dict[str, Any]:
    phones, emails = _communications(company)
    return {
        "id": company.pk, "title": company.title, "inn": company.inn, "kpp": company.kpp,
        "ogrn": company.ogrn, "legal_address": company.legal_address,
        "responsible": user_ref(company.responsible), "source": ref(company.source),
        "phones": phones, "emails": emails, "comments": company.comments,
        "custom_fields": company.custom_fields or {}, "created_at": moment(company.created_at),
    }


def event_out(event) -> dict[str, Any]:
    return {
        "id": event.pk, "channel": event.channel, "provider": event.provider,
        "connection": event.connection, "kind": event.kind,
        "idempotency_key": event.idempotency_key, "state": event.state, "error": event.error,
        "attempts": event.attempts, "outcome": event.outcome,
        "received_at": moment(event.received_at), "processed_at": moment(event.processed_at),
        "lead_id": event.lead_id, "deal_id": event.deal_id, "payload": event.payload,
    }
