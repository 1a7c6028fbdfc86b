"""Money per channel (and per channel × campaign): spend, leads, deals, revenue and the ratios."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.analytics.ratios import money, money_ratios
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
from voronka.analytics.selectors import facts, spend_by

MEASURE_COLUMNS = [
    Column("spend", _("Расход"), Kind.MONEY),
    Column("clicks", _("Клики"), Kind.COUNT),
    Column("leads", _("Лиды"), Kind.COUNT),
    Column("junk_leads", _("Некачественные"), Kind.COUNT),
    Column("good_leads", _("Качественные лиды"), Kind.COUNT),
    Column("deals", _("Сделки"), Kind.COUNT),
    Column("won_deals", _("Выигранные сделки"), Kind.COUNT),
    Column("revenue", _("Выручка"), Kind.MONEY),
    Column("new_customers", _("Новые клиенты"), Kind.COUNT),
    Column("cpl", _("CPL"), Kind.MONEY),
    Column("cost_per_good_lead", _("Цена качественного лида"), Kind.MONEY),
    Column("cac", _("CAC"), Kind.MONEY),
    Column("avg_deal", _("Средний чек"), Kind.MONEY),
    Column("roi", _("ROI"), Kind.RATIO),
    Column("romi", _("ROMI"), Kind.RATIO),
    Column("roas", _("ROAS"), Kind.RATIO),
    Column("drr", _("ДРР"), Kind.SHARE),
]
SUMMED = ("spend", "clicks", "leads", "junk_leads", "good_leads", "deals", "won_deals", "revenue",
          "new_customers")


def channel_figures(measures: dict[str, Any], spend: Decimal | None, clicks: int | None) -> dict[str, Any]:
    """The money columns of one row (or of the totals) from its counts and spend."""
    revenue = money(measures["revenue"])
    figures = {
        "spend": money(spend), "clicks": clicks, "leads": measures["leads"],
        "junk_leads": measures["junk_leads"], "good_leads": measures["leads"] - measures["junk_leads"],
        "deals": measures["deals"], "won_deals": measures["won_deals"], "revenue": revenue,
        "new_customers": measures["new_customers"],
    }
    figures.update(money_ratios(spend=figures["spend"], revenue=revenue, leads=measures["leads"],
                                junk_leads=measures["junk_leads"], won_deals=measures["won_deals"],
                                new_customers=measures["new_customers"]))
    return figures


def _build(context: ReportContext, by_campaign: bool) -> ReportResult:
    dims = ("source", "campaign") if by_campaign else ("source",)
    found = {tuple(r[d] for d in dims): r for r in facts(context.period, context.scope, dims)}
    spend_rows = spend_by(context.period, context.scope, dims)
    spent = {tuple(r[d] for d in dims): r for r in spend_rows or []}
    names = context.names
    keys = set(found) | set(spent)
    zero = {"leads": 0, "junk_leads": 0, "deals": 0, "won_deals": 0, "revenue": Decimal("0"),
            "new_customers": 0}

    def order(key: tuple) -> tuple:
        sort = list(names.sources).index(key[0]) if key[0] in names.sources else 10**6
        return (sort, *(k or "" for k in key[1:]))

    rows = []
    for key in sorted(keys, key=order):
        spend_row = spent.get(key)
        if spend_rows is None:
            spend, clicks = None, None
        else:
            spend = spend_row["spend"] if spend_row else Decimal("0")
            clicks = spend_row["clicks"] if spend_row else 0
        row: dict[str, Any] = {"source": names.source_code(key[0]), "source_name": names.source_name(key[0])}
        if by_campaign:
            row["campaign"] = key[1] or ""
        row.update(channel_figures(found.get(key, zero), spend, clicks))
        rows.append(row)
    totals = totals_sum(rows, SUMMED)
    totals.update(channel_figures(totals, totals["spend"], totals["clicks"]))
    columns = [Column("source", _("Код источника"), Kind.TEXT),
               Column("source_name", _("Источник"), Kind.TEXT)]
    if by_campaign:
        columns.append(Column("campaign", _("Кампания"), Kind.TEXT))
    note = str(_("Лиды и сделки — созданные в периоде; выигранные сделки, выручка и новые клиенты — "
                 "закрытые в периоде."))
    if spend_rows is None:
        note += " " + str(_("Расход не относится к менеджеру и не показан."))
    title = _("Деньги по каналам и кампаниям") if by_campaign else _("Деньги по каналам")
    return ReportResult(
        name=context.name, title=title,
        period=context.period, filters=context.scope.filters, columns=columns + MEASURE_COLUMNS,
        rows=rows, totals=totals, chart=Chart.BAR, note=note, category="source_name",
        series=["spend", "revenue"])


report_register(ReportSpec("channels", _("Деньги по каналам"), lambda c: _build(c, False)))
report_register(ReportSpec("channel-campaigns", _("Деньги по каналам и кампаниям"),
                           lambda c: _build(c, True)))
