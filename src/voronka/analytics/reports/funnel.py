"""The funnel leads → handled → converted → deals → won, by cohort and by event."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from voronka.analytics.ratios import money, ratio
from voronka.analytics.reports.base import (
    Chart,
    Column,
    Kind,
    ReportContext,
    ReportResult,
    ReportSpec,
    report_register,
)
from voronka.analytics.selectors import funnel_cohort, funnel_events

STEPS = [("leads", _("Лиды")), ("handled", _("Обработаны")), ("converted", _("Сконвертированы")),
         ("deals", _("Сделки")), ("won", _("Выиграны"))]
WAYS = ("cohort", "event")
NOTES = {
    "cohort": _("По когорте: из лидов, созданных в периоде, — сколько обработано, сконвертировано, "
                "сколько у них сделок и сколько выиграно (на сегодня, в любую дату)."),
    "event": _("По событиям: что произошло в периоде — лиды созданы, впервые обработаны, "
               "сконвертированы; сделки созданы, выиграны — независимо от даты лида."),
}


def build(context: ReportContext) -> ReportResult:
    ways = (context.model,) if context.model else WAYS
    counts = {}
    if "cohort" in ways:
        counts["cohort"] = funnel_cohort(context.period, context.scope)
    if "event" in ways:
        counts["event"] = funnel_events(context.period, context.scope)
    rows = []
    for index, (key, label) in enumerate(STEPS):
        row = {"step": key, "step_name": str(label)}
        for way in ways:
            value = counts[way][key]
            row[way] = value
            row[f"{way}_from_previous"] = ratio(value, counts[way][STEPS[index - 1][0]]) if index else None
            row[f"{way}_from_leads"] = ratio(value, counts[way]["leads"])
        rows.append(row)
    columns = [Column("step", _("Шаг"), Kind.TEXT), Column("step_name", _("Шаг воронки"), Kind.TEXT)]
    titles = {"cohort": _("по когорте"), "event": _("по событиям")}
    for way in ways:
        columns += [Column(way, titles[way], Kind.COUNT),
                    Column(f"{way}_from_previous", _("от предыдущего шага"), Kind.SHARE),
                    Column(f"{way}_from_leads", _("от лидов"), Kind.SHARE)]
    totals = {f"{way}_revenue": money(counts[way]["revenue"]) for way in ways}
    columns += [Column(f"{way}_revenue", _("Выручка ") + str(titles[way]), Kind.MONEY) for way in ways]
    return ReportResult(name=context.name, title=_("Воронка"), period=context.period,
                        filters=context.scope.filters, columns=columns, rows=rows, totals=totals,
                        chart=Chart.FUNNEL, note=" ".join(str(NOTES[w]) for w in ways),
                        model=context.model, category="step_name", series=list(ways))


report_register(ReportSpec("funnel", _("Воронка"), build, models=WAYS))
