"""The dashboard page's content: figure tiles with the change, daily charts, pinned reports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from voronka.analytics.builder import saved_report_run
from voronka.analytics.dashboard import dashboard
from voronka.analytics.periods import Period, period_parse
from voronka.analytics.reports import Kind
from voronka.web.reports.charts import dataset, series_chart
from voronka.web.reports.saving import saved_reports_for
from voronka.web.reports.tables import table_build, value_text

DASHBOARD_PRESETS = {"today": _("Сегодня"), "week": _("Эта неделя"), "month": _("Этот месяц")}
DEFAULT_DASHBOARD_PRESET = "month"
FIGURE_KINDS = {"leads": Kind.COUNT, "junk_share": Kind.SHARE, "deals": Kind.COUNT, "won_deals": Kind.COUNT,
                "revenue": Kind.MONEY, "spend": Kind.MONEY, "cpl": Kind.MONEY, "roi": Kind.RATIO}
FIGURE_LABELS = {"leads": _("Лиды"), "junk_share": _("Доля некачественных"), "deals": _("Новые сделки"),
                 "won_deals": _("Выиграно сделок"), "revenue": _("Выручка"), "spend": _("Расход"),
                 "cpl": _("CPL"), "roi": _("ROI")}
UP_IS_BAD = {"junk_share", "cpl"}
NEUTRAL = {"spend"}
PINNED_SHOWN = 6


@dataclass(frozen=True)
class Tile:
    name: str
    label: str
    value: str
    previous: str
    change: str       # «▲ 25 %», «▼ 10 %», «—»
    tone: str         # up-good / up-bad / neutral / none


def _tile(name: str, figure: dict[str, Any]) -> Tile:
    kind = FIGURE_KINDS[name]
    change = figure["change"]
    if change is None:
        text, tone = "—", "none"
    else:
        arrow = "▲" if change > 0 else "▼" if change < 0 else "="
        percent = value_text(Kind.SHARE, abs(Decimal(change))).replace(",0\u00a0%", "\u00a0%")
        text = f"{arrow} {percent}"
        good = (change > 0) != (name in UP_IS_BAD)
        tone = "neutral" if name in NEUTRAL or change == 0 else ("good" if good else "bad")
    return Tile(name=name, label=str(FIGURE_LABELS[name]), value=value_text(kind, figure["current"]),
                previous=value_text(kind, figure["previous"]), change=text, tone=tone)


def _charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    days = [row["day"] for row in data["series"]]
    charts = []
    for key, title, kind in (("leads", _("Лиды по дням"), Kind.COUNT),
                             ("revenue", _("Выручка по дням"), Kind.MONEY),
                             ("spend", _("Расход по дням"), Kind.MONEY)):
        current = [row[key] for row in data["series"]]
        previous = [row[key] for row in data["previous_series"]][:len(days)]
        chart = series_chart(days, [dataset(_("текущий период"), kind, current),
                                    dataset(_("предыдущий период"), kind, previous)])
        if chart is not None:
            charts.append({"id": f"dashboard-{key}", "title": str(title), "data": chart})
    return charts


def _pinned(user, period: Period) -> list[dict[str, Any]]:
    pinned = []
    for report in saved_reports_for(user).filter(pinned_to_dashboard=True)[:PINNED_SHOWN]:
        try:
            result = saved_report_run(report, period=period, user=user)
        except ValidationError as exc:  # e.g. its custom field was deleted since
            pinned.append({"report": report, "table": None, "errors": exc.messages})
            continue
        pinned.append({"report": report, "table": table_build(result)})
    return pinned


def dashboard_context(user, preset: str) -> dict[str, Any]:
    data = dashboard(preset, user=user, tz=user.time_zone)
    period = period_parse(data["period"]["from"], data["period"]["to"], data["period"]["tz"])
    previous = period_parse(data["previous_period"]["from"], data["previous_period"]["to"],
                            data["previous_period"]["tz"])
    return {"preset": preset, "presets": DASHBOARD_PRESETS, "period": period, "previous": previous,
            "tiles": [_tile(name, figure) for name, figure in data["figures"].items()],
            "charts": _charts(data), "pinned": _pinned(user, period),
            "spend_hidden": data["figures"]["spend"]["current"] is None}
