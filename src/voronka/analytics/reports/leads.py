"""Leads by status, by source and by manager: counts, shares, junk share, conversion to deals."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.analytics.ratios import ratio
from voronka.analytics.reports.base import (
    Chart,
    Column,
    Kind,
    ReportContext,
    ReportResult,
    ReportSpec,
    report_register,
)
from voronka.analytics.selectors import facts, lead_counts_by_status
from voronka.crm.models import Semantics

NOTE = _("Лиды, созданные в периоде, с их статусом на сегодня.")
COUNT_COLUMNS = [
    Column("leads", _("Лиды"), Kind.COUNT),
    Column("share", _("Доля"), Kind.SHARE),
    Column("junk_leads", _("Некачественные"), Kind.COUNT),
    Column("junk_share", _("Доля некачественных"), Kind.SHARE),
    Column("converted_leads", _("Сконвертированы в сделку"), Kind.COUNT),
    Column("conversion", _("Конверсия в сделку"), Kind.SHARE),
]


def _figures(leads: int, junk: int, converted: int, total: int) -> dict[str, Any]:
    return {"leads": leads, "share": ratio(leads, total), "junk_leads": junk,
            "junk_share": ratio(junk, leads), "converted_leads": converted,
            "conversion": ratio(converted, leads)}


def _result(context: ReportContext, title, key_columns: list[Column], rows: list[dict[str, Any]],
            chart: Chart, category: str) -> ReportResult:
    total = sum(r["leads"] for r in rows)
    junk = sum(r["junk_leads"] for r in rows)
    converted = sum(r["converted_leads"] for r in rows)
    for row in rows:
        row["share"] = ratio(row["leads"], total)
    return ReportResult(name=context.name, title=title, period=context.period,
                        filters=context.scope.filters, columns=key_columns + COUNT_COLUMNS, rows=rows,
                        totals=_figures(total, junk, converted, total), chart=chart, note=str(NOTE),
                        category=category, series=["leads"])


def by_status(context: ReportContext) -> ReportResult:
    counts = lead_counts_by_status(context.period, context.scope)
    rows = []
    for pk, (code, name, semantics) in context.names.statuses.items():
        if pk not in counts:
            continue
        n = counts[pk]
        rows.append({"status": code, "status_name": name, "semantics": semantics,
                     **_figures(n, n if semantics == Semantics.FAILURE else 0,
                                n if semantics == Semantics.SUCCESS else 0, 0)})
    keys = [Column("status", _("Код статуса"), Kind.TEXT), Column("status_name", _("Статус"), Kind.TEXT),
            Column("semantics", _("Семантика"), Kind.TEXT)]
    return _result(context, _("Лиды по статусам"), keys, rows, Chart.PIE, "status_name")


def _from_facts(context: ReportContext, dim: str) -> list[tuple[Any, dict[str, Any]]]:
    found = [r for r in facts(context.period, context.scope, (dim,)) if r["leads"]]
    return [(r[dim], _figures(r["leads"], r["junk_leads"], r["converted_leads"], 0)) for r in found]


def by_source(context: ReportContext) -> ReportResult:
    names = context.names
    order = {pk: i for i, pk in enumerate(names.sources)}
    found = sorted(_from_facts(context, "source"), key=lambda item: order.get(item[0], 10**6))
    rows = [{"source": names.source_code(pk), "source_name": names.source_name(pk), **figures}
            for pk, figures in found]
    keys = [Column("source", _("Код источника"), Kind.TEXT), Column("source_name", _("Источник"), Kind.TEXT)]
    return _result(context, _("Лиды по источникам"), keys, rows, Chart.BAR, "source_name")


def by_manager(context: ReportContext) -> ReportResult:
    names = context.names
    found = sorted(_from_facts(context, "responsible"), key=lambda item: names.user_name(item[0]))
    rows = [{"manager_id": pk, "manager": names.user_name(pk), **figures} for pk, figures in found]
    keys = [Column("manager_id", _("ID менеджера"), Kind.TEXT), Column("manager", _("Менеджер"), Kind.TEXT)]
    return _result(context, _("Лиды по менеджерам"), keys, rows, Chart.BAR, "manager")


report_register(ReportSpec("leads-by-status", _("Лиды по статусам"), by_status))
report_register(ReportSpec("leads-by-source", _("Лиды по источникам"), by_source))
report_register(ReportSpec("leads-by-manager", _("Лиды по менеджерам"), by_manager))
