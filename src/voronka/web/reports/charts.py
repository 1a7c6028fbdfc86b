"""Chart data for reports.js (Chart.js): plain JSON rendered with json_script; the table next to
the chart stays the accessible version of the same numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from voronka.analytics.reports import Kind, ReportResult
from voronka.analytics.reports.base import Chart

CHART_TYPES = {Chart.BAR: "bar", Chart.STACKED_BAR: "bar", Chart.FUNNEL: "bar", Chart.LINE: "line",
               Chart.PIE: "pie"}


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, int | float) else None


def dataset(label: Any, kind: Kind | str, values: list[Any]) -> dict[str, Any]:
    return {"label": str(label), "kind": str(kind), "data": [_number(v) for v in values]}


def report_chart(result: ReportResult) -> dict[str, Any] | None:
    """{type, horizontal, stacked, labels, datasets: [{label, kind, data}]} or None (no chart)."""
    kind = CHART_TYPES.get(result.chart)
    if kind is None or not result.rows or not result.category:
        return None
    columns = {c.key: c for c in result.columns}
    series = [columns[key] for key in result.series if key in columns]
    if kind == "pie":
        series = series[:1]
    datasets = [dataset(c.label, c.kind, [row.get(c.key) for row in result.rows]) for c in series]
    datasets = [d for d in datasets if any(v is not None for v in d["data"])]
    if not datasets:
        return None
    return {"type": kind, "horizontal": result.chart == Chart.FUNNEL,
            "stacked": result.chart == Chart.STACKED_BAR,
            "labels": [str(row.get(result.category) or "—") for row in result.rows], "datasets": datasets}


def series_chart(days: list[Any], datasets: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A line chart of daily values (the dashboard)."""
    datasets = [d for d in datasets if any(v is not None for v in d["data"])]
    if not datasets:
        return None
    return {"type": "line", "horizontal": False, "stacked": False,
            "labels": [day.strftime("%d.%m") for day in days], "datasets": datasets}
