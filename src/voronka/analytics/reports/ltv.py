"""Customer lifetime value by the source that brought the client first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.analytics.periods import local_midnight
from voronka.analytics.ratios import money, per
from voronka.analytics.reports.base import (
    Chart,
    Column,
    Kind,
    ReportContext,
    ReportResult,
    ReportSpec,
    report_register,
    totals_sum,
)
from voronka.analytics.selectors import (
    ltv_client_counts,
    ltv_revenue,
    ltv_won_deals,
    ltv_won_deals_unclosed,
)

HORIZONS = (30, 90, 365)


def _per_source_python(context: ReportContext) -> dict[int | None, dict[str, Any]]:
    """Any database: every won deal through Python."""
    per_source: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"paying": set(), "won_deals": 0, "revenue": Decimal("0"),
                 **{f"revenue_{h}d": Decimal("0") for h in HORIZONS}})
    zone = context.period.zone
    for deal in ltv_won_deals(context.period, context.scope):
        bucket = per_source[deal["contact__first_touch_source_id"]]
        bucket["paying"].add(deal["contact_id"])
        bucket["won_deals"] += 1
        bucket["revenue"] += deal["amount"]
        first = deal["contact__first_touch_at"] or deal["contact__created_at"]
        won_at = deal["closed_at"] or local_midnight(deal["closed_on"], zone)
        for horizon in HORIZONS:
            if won_at - first < dt.timedelta(days=horizon):
                bucket[f"revenue_{horizon}d"] += deal["amount"]
    return {pk: {**b, "paying": len(b["paying"])} for pk, b in per_source.items()}


def _per_source(context: ReportContext) -> dict[int | None, dict[str, Any]]:
    """One SQL aggregate (kopecks, horizons in SQL); deals without closed_at through Python."""
    found = ltv_revenue(context.period, context.scope, HORIZONS)
    if found is None:
        return _per_source_python(context)
    per_source: dict[int | None, dict[str, Any]] = {
        pk: {"paying": row["paying_clients"], "won_deals": row["won_deals"],
             "revenue": Decimal(row["revenue_kop"]) / 100,
             **{f"revenue_{h}d": Decimal(row[f"revenue_{h}d_kop"]) / 100 for h in HORIZONS}}
        for pk, row in found.items()}
    zone = context.period.zone
    for deal in ltv_won_deals_unclosed(context.period, context.scope):
        bucket = per_source[deal["contact__first_touch_source_id"]]
        first = deal["contact__first_touch_at"] or deal["contact__created_at"]
        won_at = local_midnight(deal["closed_on"], zone)
        for horizon in HORIZONS:
            if won_at - first < dt.timedelta(days=horizon):
                bucket[f"revenue_{horizon}d"] += deal["amount"]
    return per_source


def build(context: ReportContext) -> ReportResult:
    clients = ltv_client_counts(context.period, context.scope)
    per_source = _per_source(context)
    empty = {"paying": 0, "won_deals": 0, "revenue": Decimal("0"),
             **{f"revenue_{h}d": Decimal("0") for h in HORIZONS}}
    names = context.names
    order = {pk: i for i, pk in enumerate(names.sources)}
    rows = []
    for pk in sorted(set(clients) | set(per_source), key=lambda p: order.get(p, 10**6)):
        bucket = per_source.get(pk, empty)
        revenue = money(bucket["revenue"])
        rows.append({
            "source": names.source_code(pk), "source_name": names.source_name(pk),
            "clients": clients.get(pk, 0), "paying_clients": bucket["paying"],
            "won_deals": bucket["won_deals"], "revenue": revenue,
            **{f"revenue_{h}d": money(bucket[f"revenue_{h}d"]) for h in HORIZONS},
            "ltv": per(revenue, clients.get(pk, 0)), "avg_deal": per(revenue, bucket["won_deals"]),
        })
    keys = ("clients", "paying_clients", "won_deals", "revenue", *(f"revenue_{h}d" for h in HORIZONS))
    totals = totals_sum(rows, keys)
    totals["ltv"] = per(totals["revenue"], totals["clients"])
    totals["avg_deal"] = per(totals["revenue"], totals["won_deals"])
    return ReportResult(
        name=context.name, title=_("LTV по первому источнику"), period=context.period,
        filters=context.scope.filters,
        columns=[Column("source", _("Код источника"), Kind.TEXT),
                 Column("source_name", _("Первый источник"), Kind.TEXT),
                 Column("clients", _("Новые клиенты"), Kind.COUNT),
                 Column("paying_clients", _("Платившие клиенты"), Kind.COUNT),
                 Column("won_deals", _("Выигранные сделки"), Kind.COUNT),
                 Column("revenue", _("Выручка за всё время"), Kind.MONEY),
                 *[Column(f"revenue_{h}d", _("Выручка за %(days)s дней") % {"days": h}, Kind.MONEY)
                   for h in HORIZONS],
                 Column("ltv", _("LTV"), Kind.MONEY), Column("avg_deal", _("Средний чек"), Kind.MONEY)],
        rows=rows, totals=totals, chart=Chart.BAR, category="source_name", series=["ltv"],
        note=str(_("Клиенты (контакты), впервые пришедшие в периоде, и выручка всех их выигранных сделок "
                   "на сегодня, по каналу первого касания.")))


report_register(ReportSpec("ltv", _("LTV по первому источнику"), build))
