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
from voronka.analytics.selectors import (
    facts,
    lead_response_rows,
    manager_sla_late,
    manager_sla_open,
    response_ranks,
    upsell_by_manager,
)


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


def _median_p90(n: int, ranked) -> tuple[float | None, float | None]:
    """statistics.median and percentile(…, 0.9) of n sorted values, reading only the ranks needed."""
    if not n:
        return None, None
    p90_rank = max(math.ceil(0.9 * n), 1) - 1
    values = ranked([(n - 1) // 2, n // 2, p90_rank])
    seconds = {rank: us / 10**6 for rank, us in values.items()}
    median = seconds[n // 2] if n % 2 else (seconds[n // 2 - 1] + seconds[n // 2]) / 2
    return median, seconds[p90_rank]


def _response_from_rows(context: ReportContext, now: dt.datetime):
    response: dict[int | None, list[float]] = defaultdict(list)
    breaches: dict[int | None, int] = defaultdict(int)
    for responsible, created, handled, deadline in lead_response_rows(context.period, context.scope):
        if handled is not None:
            response[responsible].append(max((handled - created).total_seconds(), 0.0))
        breaches[responsible] += sla_breached(created, handled, deadline, now)
    stats = {pk: (statistics.median(times), percentile(times, 0.9)) for pk, times in response.items()}
    all_times = [t for values in response.values() for t in values]
    total = ((statistics.median(all_times), percentile(all_times, 0.9)) if all_times else (None, None))
    return stats, breaches, total


def _response_from_facts(context: ReportContext, now: dt.datetime, counted: dict):
    """The same figures from LeadFact (company zone): ranks through an index, breaches from rollups."""
    period, scope = context.period, context.scope
    stats = {}
    for pk, m in counted.items():
        if m["handled_leads"]:
            stats[pk] = _median_p90(m["handled_leads"],
                                    lambda ranks, pk=pk: response_ranks(period, scope, pk, ranks))
    breaches: dict[int | None, int] = defaultdict(int)
    for found in (manager_sla_late(period, scope), manager_sla_open(period, scope, now)):
        for pk, n in found.items():
            breaches[pk] += n
    n_all = sum(m["handled_leads"] for m in counted.values())
    total = _median_p90(n_all, lambda ranks: response_ranks(period, scope, None, ranks, everyone=True))
    return stats, breaches, total


def build(context: ReportContext) -> ReportResult:
    now = timezone.now()
    counted = {r["responsible"]: r for r in facts(context.period, context.scope, ("responsible",))}
    if context.period.in_company_zone:
        stats, breaches, total = _response_from_facts(context, now, counted)
    else:
        stats, breaches, total = _response_from_rows(context, now)
    upsell = upsell_by_manager(context.period, context.scope)
    names = context.names
    rows = []
    for pk in sorted(set(counted) | set(upsell) | set(stats), key=names.user_name):
        m = counted.get(pk, {"leads": 0, "handled_leads": 0, "converted_leads": 0, "won_deals": 0,
                             "revenue": Decimal("0")})
        median, p90 = stats.get(pk, (None, None))
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
    totals["conversion"] = ratio(totals["converted_leads"], totals["leads"])
    totals["response_median"] = None if total[0] is None else round(total[0])
    totals["response_p90"] = None if total[1] is None else round(total[1])
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
