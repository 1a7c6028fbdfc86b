"""Read queries over the ledger (the web pages and the reports use these)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from voronka.crm.models import Source
from voronka.spend.models import SpendBatch, SpendConnector, SpendRow


def spend_rows(date_from: dt.date | None = None, date_to: dt.date | None = None,
               source: Source | None = None) -> QuerySet[SpendRow]:
    rows = SpendRow.objects.select_related("source")
    if date_from:
        rows = rows.filter(day__gte=date_from)
    if date_to:
        rows = rows.filter(day__lte=date_to)
    if source is not None:
        rows = rows.filter(source=source)
    return rows


def spend_totals_by_source(rows: QuerySet[SpendRow]) -> list[dict]:
    """Per source: amount, clicks, impressions, days with spend; the largest amount first."""
    totals = (rows.values("source__code", "source__name")
              .annotate(amount=Sum("amount"), clicks=Sum("clicks"), impressions=Sum("impressions"),
                        rows=Count("id"))
              .order_by("-amount", "source__name"))
    return [{**t, "amount": t["amount"] or Decimal("0.00")} for t in totals]


def spend_grand_total(totals: list[dict]) -> dict:
    return {"amount": sum((t["amount"] for t in totals), Decimal("0.00")),
            "clicks": sum(t["clicks"] or 0 for t in totals),
            "impressions": sum(t["impressions"] or 0 for t in totals),
            "rows": sum(t["rows"] for t in totals)}


def batches_recent(limit: int = 20) -> QuerySet[SpendBatch]:
    return (SpendBatch.objects.select_related("source", "created_by", "connector")
            .order_by("-created_at", "-pk")[:limit])


def connectors_with_last_batch() -> list[tuple[SpendConnector, SpendBatch | None]]:
    """Each connector with its latest sync (a handful of connectors: one query each)."""
    connectors = SpendConnector.objects.select_related("source").order_by("slug")
    return [(c, c.batches.order_by("-created_at", "-pk").first()) for c in connectors]
