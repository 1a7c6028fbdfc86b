"""The report builder: any dimensions × measures over the period and filters.

Dimensions of the daily facts (source, campaign, manager, pipeline, repeat, day, week, month)
come with every measure. Lead-only dimensions (status, UTM tags, custom fields "uf:CODE") are
counted from the leads themselves and carry the lead measures only; other measures are None.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.analytics.models import SavedReport
from voronka.analytics.periods import Period
from voronka.analytics.ratios import money, money_ratios, ratio
from voronka.analytics.reports.base import Chart, Column, Kind, ReportResult, totals_sum
from voronka.analytics.scope import ReportFilters, scope_for
from voronka.analytics.selectors import (
    FACT_MEASURES,
    facts,
    leads_created,
    names_load,
    spend_by,
    status_ids,
)
from voronka.crm.models import UTM_FIELDS, Semantics

FACT_DIMENSIONS = {"source": "source", "campaign": "campaign", "manager": "responsible",
                   "pipeline": "pipeline", "repeat": "is_repeat", "day": "day", "week": "day", "month": "day"}
LEAD_DIMENSIONS = ("status", *UTM_FIELDS)
_LEAD_FIELDS = {"status": "status_id", "manager": "responsible_id", "source": "source_id",
                "campaign": "utm_campaign", "repeat": "is_repeat"}
SPEND_DIMENSIONS = {"source", "campaign", "day", "week", "month"}
RATIO_MEASURES = ("junk_share", "conversion", "cpl", "cost_per_good_lead", "cac", "avg_deal", "roi",
                  "romi", "roas", "drr")
MEASURES = (*FACT_MEASURES, "spend", "clicks", *RATIO_MEASURES)
LEAD_MEASURES = ("leads", "junk_leads", "handled_leads", "converted_leads", "junk_share", "conversion")
KINDS = {"revenue": Kind.MONEY, "spend": Kind.MONEY, "cpl": Kind.MONEY, "cost_per_good_lead": Kind.MONEY,
         "cac": Kind.MONEY, "avg_deal": Kind.MONEY, "junk_share": Kind.SHARE, "conversion": Kind.SHARE,
         "drr": Kind.SHARE, "roi": Kind.RATIO, "romi": Kind.RATIO, "roas": Kind.RATIO}


def _bucket(day: dt.date, dimension: str) -> str:
    if dimension == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    if dimension == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


def _check(dimensions: list[str], measures: list[str]) -> None:
    for d in dimensions:
        if d not in FACT_DIMENSIONS and d not in LEAD_DIMENSIONS and not d.startswith("uf:"):
            raise ValidationError(_("Неизвестное измерение: %(name)s") % {"name": d})
    for m in measures:
        if m not in MEASURES:
            raise ValidationError(_("Неизвестный показатель: %(name)s") % {"name": m})
    if not measures:
        raise ValidationError(_("Нужен хотя бы один показатель."))


def _with_ratios(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("spend") is not None:  # a SUM of decimals comes back with long tails
        row["spend"] = money(row["spend"])
    if "revenue" in row and row["revenue"] is not None:
        row["revenue"] = money(row["revenue"])
        row.update(money_ratios(spend=row.get("spend"), revenue=row["revenue"], leads=row["leads"],
                                junk_leads=row["junk_leads"], won_deals=row["won_deals"],
                                new_customers=row["new_customers"]))
    row["junk_share"] = ratio(row["junk_leads"], row["leads"])
    row["conversion"] = ratio(row["converted_leads"], row["leads"])
    return row


def _fact_rows(dimensions: list[str], period: Period, scope) -> list[dict[str, Any]]:
    group = sorted({FACT_DIMENSIONS[d] for d in dimensions})
    found = facts(period, scope, group)
    with_spend = set(dimensions) <= SPEND_DIMENSIONS
    spend_dims = sorted({"day" if d in ("week", "month") else d for d in dimensions})
    spend_rows = spend_by(period, scope, spend_dims) if with_spend else None
    rows: dict[tuple, dict[str, Any]] = defaultdict(lambda: {
        **dict.fromkeys(FACT_MEASURES, 0), "revenue": Decimal("0"),
        "spend": Decimal("0") if spend_rows is not None else None,
        "clicks": 0 if spend_rows is not None else None})

    def key_of(row: dict[str, Any]) -> tuple:
        return tuple(_bucket(row["day"], d) if d in ("day", "week", "month") else row[FACT_DIMENSIONS[d]]
                     for d in dimensions)

    for row in found:
        bucket = rows[key_of(row)]
        for m in FACT_MEASURES:
            bucket[m] += row[m]
    for row in spend_rows or []:
        bucket = rows[key_of({**row, "responsible": None})]
        bucket["spend"] += row["spend"]
        bucket["clicks"] += row["clicks"]
    return [{**dict(zip(dimensions, key, strict=True)), **_with_ratios(m)} for key, m in rows.items()]


def _lead_rows(dimensions: list[str], period: Period, scope) -> list[dict[str, Any]]:
    fields = {d: f"custom_fields__{d[3:]}" if d.startswith("uf:") else _LEAD_FIELDS.get(d, d)
              for d in dimensions}
    if {"pipeline", "day", "week", "month"} & set(dimensions):
        raise ValidationError(_("Измерения статуса, UTM и пользовательских полей не сочетаются "
                                "с направлением и датой."))
    rows = leads_created(period.start, period.end, scope).values(*fields.values()).annotate(
        leads=Count("id"), junk_leads=Count("id", filter=Q(status_id__in=status_ids(Semantics.FAILURE))),
        handled_leads=Count("id", filter=Q(first_handled_at__isnull=False)),
        converted_leads=Count("id", filter=Q(status_id__in=status_ids(Semantics.SUCCESS)))).order_by()
    out = []
    for row in rows:
        item = {d: row[f] for d, f in fields.items()}
        item.update({m: row[m] for m in ("leads", "junk_leads", "handled_leads", "converted_leads")})
        out.append(_with_ratios(item))
    return out


def _label(names, dimension: str, value: Any) -> Any:
    if dimension == "source":
        return names.source_name(value)
    if dimension == "manager":
        return names.user_name(value)
    if dimension == "pipeline":
        return names.pipeline_name(value) if value else "—"
    if dimension == "status":
        return names.statuses.get(value, ("", "", ""))[1]
    if dimension == "repeat":
        return _("повторные") if value else _("новые")
    return value


def builder_run(*, dimensions: list[str], measures: list[str], period: Period, user,
                filters: ReportFilters | None = None, name: str = "builder",
                title: str = "") -> ReportResult:
    _check(dimensions, measures)
    scope = scope_for(user, filters)
    lead_only = any(d in LEAD_DIMENSIONS or d.startswith("uf:") for d in dimensions)
    found = _lead_rows(dimensions, period, scope) if lead_only else _fact_rows(dimensions, period, scope)
    names = names_load()
    rows = []
    for row in found:
        item = {d: _label(names, d, row[d]) for d in dimensions}
        item.update({m: row.get(m) for m in measures})
        rows.append(item)
    rows.sort(key=lambda r: tuple(str(r[d]) for d in dimensions))
    summed = [m for m in measures if m in (*FACT_MEASURES, "spend", "clicks")]
    totals = totals_sum(rows, tuple(summed))
    columns = [Column(d, d, Kind.TEXT) for d in dimensions]
    columns += [Column(m, m, KINDS.get(m, Kind.COUNT)) for m in measures]
    chart = Chart.LINE if dimensions and dimensions[0] in ("day", "week", "month") else Chart.BAR
    return ReportResult(name=name, title=title or gettext_lazy("Конструктор отчётов"), period=period,
                        filters=scope.filters, columns=columns, rows=rows, totals=totals,
                        chart=chart if dimensions else Chart.TABLE,
                        category=dimensions[0] if dimensions else "", series=list(measures[:3]))


def saved_report_run(report: SavedReport, *, period: Period, user) -> ReportResult:
    return builder_run(dimensions=list(report.dimensions), measures=list(report.measures), period=period,
                       user=user, filters=ReportFilters.from_mapping(report.filters),
                       name=f"saved-{report.pk}", title=report.name)
