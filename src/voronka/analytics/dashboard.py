"""Dashboard presets: today / this week / this month against the comparable previous stretch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from voronka.analytics.periods import Period, period_preset, period_preset_previous
from voronka.analytics.ratios import money, per, ratio
from voronka.analytics.scope import ReportFilters, scope_for
from voronka.analytics.selectors import facts, facts_total, spend_by

FIGURES = ("leads", "junk_share", "deals", "won_deals", "revenue", "spend", "cpl", "roi")


def _figures(period: Period, scope) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = facts(period, scope, ("day",))
    spend_rows = spend_by(period, scope, ("day",))
    total = facts_total(rows)
    spend = None if spend_rows is None else money(sum((r["spend"] for r in spend_rows), Decimal("0")))
    revenue = money(total["revenue"])
    figures = {"leads": total["leads"], "junk_share": ratio(total["junk_leads"], total["leads"]),
               "deals": total["deals"], "won_deals": total["won_deals"], "revenue": revenue, "spend": spend,
               "cpl": per(spend, total["leads"]),
               "roi": None if spend is None else ratio(revenue - spend, spend)}
    by_day = {r["day"]: r for r in rows}
    spent = {r["day"]: r["spend"] for r in spend_rows or []}
    series = []
    for day in period.days():
        row = by_day.get(day, {})
        series.append({"day": day, "leads": row.get("leads", 0), "junk_leads": row.get("junk_leads", 0),
                       "deals": row.get("deals", 0), "won_deals": row.get("won_deals", 0),
                       "revenue": money(row.get("revenue", Decimal("0"))),
                       "spend": None if spend_rows is None else money(spent.get(day, Decimal("0")))})
    return figures, series


def dashboard(preset: str, *, user, tz: str | None = None, today: dt.date | None = None,
              filters: ReportFilters | None = None) -> dict[str, Any]:
    """{"period", "previous_period", "figures": {name: {current, previous, change}}, "series": [...]}.

    `change` is the relative change (current − previous) / previous, None when previous is 0.
    """
    current = period_preset(preset, tz=tz, today=today)
    previous = period_preset_previous(preset, current)
    scope = scope_for(user, filters)
    now, series = _figures(current, scope)
    before, previous_series = _figures(previous, scope)
    figures = {}
    for name in FIGURES:
        a, b = now[name], before[name]
        change = None if a is None or b is None else ratio(Decimal(a) - Decimal(b), b)
        figures[name] = {"current": a, "previous": b, "change": change}
    return {"preset": preset, "period": current.as_dict(), "previous_period": previous.as_dict(),
            "figures": figures, "series": series, "previous_series": previous_series}
