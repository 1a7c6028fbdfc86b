"""The `import` event handler: one stored row becomes a lead through `inbound_request_accept`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from voronka.core.signals import leads_written
from voronka.crm.models import EventKind, Lead
from voronka.intake.imports.validation import PROVIDER
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.request import InboundRequest
from voronka.intake.services.events import event_handler
from voronka.intake.services.routing import Outcome, RoutingResult, inbound_request_accept


def inbound_request_from(event: InboundEvent) -> InboundRequest:
    data = event.payload.get("data") or {}
    created_at = data.get("created_at")
    return InboundRequest(
        channel=Channel.IMPORT,
        occurred_at=dt.datetime.fromisoformat(created_at) if created_at else event.received_at,
        phones=list(data.get("phones") or []), emails=list(data.get("emails") or []),
        name=data.get("name") or "", last_name=data.get("last_name") or "",
        company_title=data.get("company_title") or "", title=data.get("title") or "",
        text=data.get("comments") or "", source_code=data.get("source") or "",
        utm=dict(data.get("utm") or {}), activity_kind=EventKind.SYSTEM,
        activity_payload={"channel": Channel.IMPORT, "inbound_event": event.pk,
                          "file": event.payload.get("file", ""), "row": event.payload.get("row")},
    )


@event_handler(PROVIDER)
def import_event_process(event: InboundEvent) -> RoutingResult:
    data = event.payload.get("data") or {}
    result = inbound_request_accept(inbound_request_from(event))
    if result.lead is not None and result.outcome in (Outcome.NEW_LEAD, Outcome.REPEAT_LEAD):
        changes = {}
        if data.get("amount"):
            changes["amount"] = Decimal(data["amount"])
        if data.get("created_at"):
            changes["created_at"] = dt.datetime.fromisoformat(data["created_at"])
        if changes:
            Lead.objects.filter(pk=result.lead.pk).update(**changes)
            leads_written.send(sender=Lead, created_at=[result.lead.created_at,
                                                        changes.get("created_at")])
    return result
