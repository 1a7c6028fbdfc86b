"""Writing the typed event log. Only services call this."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from voronka.crm.models import Company, Contact, Deal, EventKind, Lead, TimelineEvent


def json_value(value: Any) -> Any:
    """A value as it is kept in an event payload: JSON-safe and readable later."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def event_record(
    kind: EventKind,
    *,
    actor=None,
    lead: Lead | None = None,
    deal: Deal | None = None,
    contact: Contact | None = None,
    company: Company | None = None,
    text: str = "",
    payload: dict[str, Any] | None = None,
    created_at: dt.datetime | None = None,
    call=None,
) -> TimelineEvent:
    event = TimelineEvent(
        kind=kind, actor=actor, lead=lead, deal=deal, contact=contact, company=company,
        text=text, payload=json_value(payload or {}), call=call,
    )
    if created_at is not None:
        event.created_at = created_at
    event.save()
    return event


def field_changes(instance: models.Model, new_values: dict[str, Any]) -> dict[str, dict]:
    """{field: {"old": …, "new": …}} for the values that really change."""
    changes: dict[str, dict] = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = {"old": json_value(old), "new": json_value(new)}
    return changes
