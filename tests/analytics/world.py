"""A small world built by hand (plain ORM rows, so the analytics signals fire), and a reference
implementation of the numbers in plain Python over the same rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

from voronka.crm.models import Contact, Deal, Lead, LeadStatus, Pipeline, Semantics, Source, Stage
from voronka.spend.models import SpendRow

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def at(text: str, zone: zoneinfo.ZoneInfo = MSK) -> dt.datetime:
    """'2026-03-01 00:30' local -> aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


class World:
    def __init__(self) -> None:
        self.status = {s.code: s for s in LeadStatus.objects.all()}
        self.pipeline = Pipeline.objects.get(code="MAIN")
        self.stage = {s.code: s for s in Stage.objects.filter(pipeline=self.pipeline)}
        self.source = {s.code: s for s in Source.objects.all()}

    def contact(self, *, first_source: str | None = None, first_at: dt.datetime | None = None,
                responsible=None) -> Contact:
        return Contact.objects.create(
            name="Клиент", first_touch_source=self.source[first_source] if first_source else None,
            first_touch_at=first_at, created_at=first_at or dt.datetime.now(dt.UTC),
            responsible=responsible)

    def lead(self, created: dt.datetime, source: str | None, *, status: str = "NEW", responsible=None,
             campaign: str = "", repeat: bool = False, contact: Contact | None = None,
             handled: dt.datetime | None = None, sla: dt.datetime | None = None,
             closed: dt.datetime | None = None) -> Lead:
        return Lead.objects.create(
            title="Лид", status=self.status[status], source=self.source[source] if source else None,
            responsible=responsible, utm_campaign=campaign, is_repeat=repeat, contact=contact,
            created_at=created, first_handled_at=handled, sla_deadline=sla, closed_at=closed)

    def deal(self, created: dt.datetime, amount: str, *, lead: Lead | None = None, source: str | None = None,
             stage: str = "NEW", closed_on: dt.date | None = None, responsible=None, repeat: bool = False,
             contact: Contact | None = None, upsell_manager=None, campaign: str = "") -> Deal:
        closed_at = None
        if closed_on is not None:
            closed_at = dt.datetime.combine(closed_on, dt.time(15), tzinfo=MSK)
        return Deal.objects.create(
            title="Сделка", pipeline=self.pipeline, stage=self.stage[stage], amount=Decimal(amount),
            lead=lead, source=self.source[source] if source else None, responsible=responsible,
            is_repeat=repeat, contact=contact or (lead.contact if lead else None),
            upsell_manager=upsell_manager, created_at=created, closed_on=closed_on, closed_at=closed_at,
            utm_campaign=campaign)

    def spend(self, day: str, source: str, amount: str, *, campaign: str = "", clicks: int = 0) -> SpendRow:
        return SpendRow.objects.create(day=dt.date.fromisoformat(day), source=self.source[source],
                                       campaign_name=campaign, amount=Decimal(amount), clicks=clicks,
                                       origin="manual")


# --- reference implementation: plain Python over all rows ---------------------------------------

def _in(moment: dt.datetime | None, date_from: dt.date, date_to: dt.date, zone) -> bool:
    return moment is not None and date_from <= moment.astimezone(zone).date() <= date_to


def deal_source_code(deal: Deal) -> str:
    source = deal.lead.source if deal.lead_id else deal.source
    return source.code if source else ""


def expected_channels(date_from: dt.date, date_to: dt.date, zone=MSK, *, margin: Decimal = Decimal(1),
                      manager_id: int | None = None) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "leads": 0, "junk_leads": 0, "deals": 0, "won_deals": 0, "revenue": Decimal("0"),
        "new_customers": 0, "spend": Decimal("0"), "clicks": 0})
    for lead in Lead.objects.select_related("status", "source"):
        if manager_id is not None and lead.responsible_id != manager_id:
            continue
        if _in(lead.created_at, date_from, date_to, zone):
            row = rows[lead.source.code if lead.source else ""]
            row["leads"] += 1
            row["junk_leads"] += lead.status.semantics == Semantics.FAILURE
    for deal in Deal.objects.select_related("stage", "lead__source", "source"):
        if manager_id is not None and deal.responsible_id != manager_id:
            continue
        code = deal_source_code(deal)
        if _in(deal.created_at, date_from, date_to, zone):
            rows[code]["deals"] += 1
        if (deal.stage.semantics == Semantics.SUCCESS and deal.closed_on
                and date_from <= deal.closed_on <= date_to):
            rows[code]["won_deals"] += 1
            rows[code]["revenue"] += deal.amount
            rows[code]["new_customers"] += not deal.is_repeat
    if manager_id is None:
        for spend in SpendRow.objects.select_related("source"):
            if date_from <= spend.day <= date_to:
                rows[spend.source.code]["spend"] += spend.amount
                rows[spend.source.code]["clicks"] += spend.clicks
    return dict(rows)
