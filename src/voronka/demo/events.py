"""Timeline events with the kinds, owners and payloads the CRM services write.

Each function mirrors one `event_record(...)` call in `voronka.crm.services` (named in
its docstring). Events are kept as light specs while a batch is generated and become
TimelineEvent rows only when the batch is written, because the payload needs the ids of
rows that do not exist yet; `crm.timeline.json_value` then renders payloads exactly as
`event_record` does (`{"id": …, "name": …}` for rows, strings for amounts and dates).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from voronka.accounts.models import User
from voronka.core.rows import RowFactory
from voronka.crm.models import (
    Call,
    CloseReason,
    Company,
    Contact,
    Deal,
    EventKind,
    Lead,
    LeadStatus,
    Source,
    Stage,
    TimelineEvent,
)
from voronka.crm.timeline import json_value
from voronka.intake.models import InboundEvent

_event_row = RowFactory(TimelineEvent)


class EventSpec(NamedTuple):
    kind: str
    at: dt.datetime
    actor_id: int | None
    lead: Lead | None = None
    deal: Deal | None = None
    contact: Contact | None = None
    company: Company | None = None
    text: str = ""
    payload: dict[str, Any] | None = None
    call: Call | None = None
    inbound: InboundEvent | None = None  # its id goes into the payload, as the handlers do

    def to_row(self) -> TimelineEvent:
        """The row, once every object it points at has been saved."""
        payload = self.payload or {}
        if self.inbound is not None:
            payload = {**payload, "inbound_event": self.inbound.pk}
        return _event_row(
            kind=self.kind, created_at=self.at, actor_id=self.actor_id,
            lead_id=self.lead.pk if self.lead is not None else None,
            deal_id=self.deal.pk if self.deal is not None else None,
            contact_id=self.contact.pk if self.contact is not None else None,
            company_id=self.company.pk if self.company is not None else None,
            call_id=self.call.pk if self.call is not None else None,
            text=self.text, payload=json_value(payload),
        )


def lead_created(lead: Lead, *, at: dt.datetime, actor_id: int | None, source: Source,
                 responsible: User, is_repeat: bool, contact: Contact | None = None,
                 company: Company | None = None) -> EventSpec:
    """`leads.lead_create`: on the lead (and the known client of a repeat lead)."""
    return EventSpec(EventKind.CREATED, at, actor_id, lead=lead, contact=contact,
                     company=company, payload={"source": source, "responsible": responsible,
                                               "is_repeat": is_repeat})


def lead_status_changed(lead: Lead, *, at: dt.datetime, actor_id: int | None,
                        old: LeadStatus, new: LeadStatus) -> EventSpec:
    """`leads.lead_change_status`."""
    return EventSpec(EventKind.STATUS_CHANGED, at, actor_id, lead=lead,
                     payload={"from": old, "to": new})


def lead_closed(lead: Lead, *, at: dt.datetime, actor_id: int | None, old: LeadStatus,
                new: LeadStatus, reason: CloseReason, comment: str) -> EventSpec:
    """`leads.lead_close_as_junk`: the comment is the event text."""
    return EventSpec(EventKind.CLOSED, at, actor_id, lead=lead, text=comment,
                     payload={"from": old, "to": new, "reason": reason})


def lead_converted(lead: Lead, deal: Deal, contact: Contact, company: Company | None, *,
                   at: dt.datetime, actor_id: int | None, old: LeadStatus, new: LeadStatus,
                   contact_created: bool, company_created: bool) -> EventSpec:
    """`conversion.lead_convert`: one event on four timelines."""
    return EventSpec(EventKind.CONVERTED, at, actor_id, lead=lead, deal=deal, contact=contact,
                     company=company,
                     payload={"from": old, "to": new, "deal": deal, "contact": contact,
                              "company": company, "contact_created": contact_created,
                              "company_created": company_created})


def deal_created(deal: Deal, *, at: dt.datetime, actor_id: int | None, stage: Stage,
                 source: Source, contact: Contact, company: Company | None) -> EventSpec:
    """`deals.deal_create`: on the deal and its client."""
    return EventSpec(EventKind.CREATED, at, actor_id, deal=deal, contact=contact,
                     company=company,
                     payload={"amount": deal.amount, "stage": stage, "source": source})


def deal_moved(deal: Deal, *, at: dt.datetime, actor_id: int | None, old: Stage,
               new: Stage) -> EventSpec:
    """`deals.deal_move` to a working stage."""
    return EventSpec(EventKind.STAGE_CHANGED, at, actor_id, deal=deal,
                     payload={"from": old, "to": new})


def deal_closed(deal: Deal, *, at: dt.datetime, actor_id: int | None, old: Stage, new: Stage,
                won: bool, closed_on: dt.date, reason: CloseReason | None,
                comment: str = "") -> EventSpec:
    """`deals.deal_move` (via `deal_close`) to the won or lost stage."""
    return EventSpec(EventKind.CLOSED, at, actor_id, deal=deal, text=comment,
                     payload={"from": old, "to": new, "won": won, "closed_on": closed_on,
                              "reason": reason})


def comment(*, at: dt.datetime, actor_id: int | None, text: str, lead: Lead | None = None,
            deal: Deal | None = None) -> EventSpec:
    """`leads.comment_add`: no payload, the text is the comment."""
    return EventSpec(EventKind.COMMENT, at, actor_id, lead=lead, deal=deal, text=text)


def copies_made(parent: Deal, copies: list[Deal], *, at: dt.datetime, actor: User,
                process: str, contact: Contact, company: Company | None) -> EventSpec:
    """The business process «Создать копию ЛИД + Сделка» notes its copies on the mother deal
    (seed 003). The automation app does not exist yet; SYSTEM is the closest kind."""
    return EventSpec(EventKind.SYSTEM, at, actor.pk, deal=parent, contact=contact,
                     company=company,
                     text=f"Бизнес-процесс «{process}»: создано копий лида и сделки — {len(copies)}",
                     payload={"process": process, "copies": list(copies), "upsell_manager": actor})
