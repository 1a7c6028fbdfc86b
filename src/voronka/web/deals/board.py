"""The kanban's data: a column per stage with its count, sum and newest cards.

Counts and sums come from one GROUP BY; cards from one short indexed query per stage
(`deal_stage_created`), so the board costs the same with 100 deals or 1,000,000.
Closed (won/lost) columns hold only this month's deals: years of won deals in one column
help nobody, and the month is what the head of sales reads off the board.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from voronka.crm.models import Deal, Pipeline, Semantics, Stage
from voronka.crm.selectors import deals_visible_to
from voronka.web.deals.keyset import Page, keyset_page

CARDS_PER_COLUMN = 20  # the first screen of a column; "показать ещё" loads the next 20


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal("0")
    page: Page = field(default_factory=lambda: Page(rows=[]))

    @property
    def is_closed(self) -> bool:
        return self.stage.semantics != Semantics.PROCESS


def month_start() -> dt.date:
    return timezone.localdate().replace(day=1)


def stage_deals(user, stage: Stage) -> QuerySet[Deal]:
    """The deals one column shows: open ones, or for a final stage those closed this month."""
    deals = deals_visible_to(user).filter(stage=stage)
    if stage.semantics != Semantics.PROCESS:
        deals = deals.filter(closed_on__gte=month_start())
    return deals


def card_page(user, stage: Stage, cursor: str = "") -> Page:
    # A card shows a handful of fields: loading only those keeps a board of 7 columns cheap.
    deals = stage_deals(user, stage).select_related("contact", "company", "responsible").only(
        "pk", "title", "amount", "is_repeat", "created_at", "stage_id", "contact__name",
        "contact__last_name", "contact__second_name", "company__title", "responsible__full_name",
        "responsible__first_name", "responsible__last_name", "responsible__username")
    return keyset_page(deals, cursor, size=CARDS_PER_COLUMN)


def columns_count(user, pipeline: Pipeline) -> list[Column]:
    """Every stage of the pipeline, in order, with its count and sum (one GROUP BY)."""
    stages = list(pipeline.stages.order_by("sort", "id"))
    open_ids = [s.pk for s in stages if s.semantics == Semantics.PROCESS]
    final_ids = [s.pk for s in stages if s.semantics != Semantics.PROCESS]
    totals = {
        row["stage"]: row
        for row in deals_visible_to(user)
        .filter(Q(stage__in=open_ids) | Q(stage__in=final_ids, closed_on__gte=month_start()))
        .values("stage").annotate(n=Count("id"), total=Sum("amount")).order_by()
    }
    return [
        Column(stage=stage, count=totals.get(stage.pk, {}).get("n", 0),
               total=totals.get(stage.pk, {}).get("total") or Decimal("0"))
        for stage in stages
    ]


def board_build(user, pipeline: Pipeline) -> list[Column]:
    columns = columns_count(user, pipeline)
    for column in columns:
        if column.count:  # an empty column needs no query
            column.page = card_page(user, column.stage)
    return columns
