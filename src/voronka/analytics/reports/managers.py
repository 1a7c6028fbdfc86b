"""Managers: leads received, first response (median, p90), SLA breaches, conversion, deals won,
revenue, and upsell revenue of repeat deals credited to the recorded upsell manager."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
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
    totals_sum,
)
from voronka.analytics.selectors import facts, lead_response_rows, upsell_by_manager


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def sla_breached(created: dt.datetime, handled: dt.datetime | None, deadline: dt.datetime | None,
                 now: dt.datetime) -> bool:
    if deadline is None:
        return False
    return (handled or now) > deadline


def build(context: ReportContext) -> ReportResult:
    now = timezone.now()
    response: dict[int | None, list[float]] = defaultdict(list)
    breaches: dict[int | None, int] = defaultdict(int)
    for responsible, created, handled, deadline in lead_response_rows(context.period, context.scope):
        if handled is not None:
            response[responsible].append(max((handled - created).total_seconds(), 0.0))
        breaches[responsible] += sla_breached(created, handled, deadline, now)
    counted = {r["responsible"]: r for r in facts(context.period, context.scope, ("responsible",))}
    upsell = upsell_by_manager(context.period, context.scope)
    names = context.names
    rows = []
    for pk in sorted(set(counted) | set(upsell) | set(response), key=names.user_name):
        m = counted.get(pk, {"leads": 0, "handled_leads": 0, "converted_leads": 0, "won_deals": 0,
                             "revenue": Decimal("0")})
        times = response.get(pk, [])
        median = statistics.median(times) if times else None
        p90 = percentile(times, 0.9)
        rows.append({
            "manager_id": pk, "manager": names.user_name(pk), "leads": m["leads"],
            "handled_leads": m["handled_leads"],
            "response_median": None if median is None else round(median),
            "response_p90": None if p90 is None else round(p90),
            "sla_breaches": breaches.get(pk, 0), "converted_leads": m["converted_leads"],
            "conversion": ratio(m["converted_leads"], m["leads"]), "won_deals": m["won_deals"],
            "revenue": money(m["revenue"]), "upsell_deals": upsell.get(pk, {}).get("deals", 0),
            "upsell_revenue": money(upsell.get(pk, {}).get("revenue", Decimal("0"))),
        })
    totals = totals_sum(rows, ("leads", "handled_leads", "sla_breaches", "converted_leads", "won_deals",
                               "revenue", "upsell_deals", "upsell_revenue"))
    all_times = [t for values in response.values() for t in values]
    totals["conversion"] = ratio(totals["converted_leads"], totals["leads"])
    totals["response_median"] = round(statistics.median(all_times)) if all_times else None
    totals["response_p90"] = None if not all_times else round(percentile(all_times, 0.9))
    return ReportResult(
        name=context.name, title=_("Менеджеры"), period=context.period, filters=context.scope.filters,
        columns=[Column("manager_id", _("ID менеджера"), Kind.TEXT),
                 Column("manager", _("Менеджер"), Kind.TEXT),
                 Column("leads", _("Получено лидов"), Kind.COUNT),
                 Column("handled_leads", _("Обработано"), Kind.COUNT),
                 Column("response_median", _("Первая реакция, медиана"), Kind.DURATION),
                 Column("response_p90", _("Первая реакция, 90-й перцентиль"), Kind.DURATION),
                 Column("sla_breaches", _("Нарушения SLA"), Kind.COUNT),
                 Column("converted_leads", _("Сконвертировано"), Kind.COUNT),
                 Column("conversion", _("Конверсия"), Kind.SHARE),
                 Column("won_deals", _("Выиграно сделок"), Kind.COUNT),
                 Column("revenue", _("Выручка"), Kind.MONEY),
                 Column("upsell_deals", _("Допродажи"), Kind.COUNT),
                 Column("upsell_revenue", _("Выручка допродаж"), Kind.MONEY)],
        rows=rows, totals=totals, chart=Chart.BAR, category="manager", series=["revenue", "upsell_revenue"],
        note=str(_("Лиды — созданные в периоде, по ответственному за лид; сделки — выигранные в периоде, "
                   "по ответственному за сделку; допродажи — выигранные повторные сделки, по менеджеру "
                   "допродажи (Deal.upsell_manager). Время реакции — в секундах.")))


report_register(ReportSpec("managers", _("Менеджеры"), build))
