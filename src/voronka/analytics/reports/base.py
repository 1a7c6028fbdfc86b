"""The shape every report returns, and the registry the CLI, the API and the UI share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from voronka.analytics.attribution import MAX_WINDOW_DAYS
from voronka.analytics.periods import Period
from voronka.analytics.scope import ReportFilters, Scope, scope_for
from voronka.analytics.selectors import Names, names_load


class Kind(StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"
    SHARE = "share"
    TEXT = "text"
    DURATION = "duration"  # seconds


class Chart(StrEnum):
    BAR = "bar"
    STACKED_BAR = "stacked_bar"
    FUNNEL = "funnel"
    LINE = "line"
    PIE = "pie"
    TABLE = "table"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: Kind


@dataclass
class ReportResult:
    name: str
    title: str | Promise
    period: Period
    filters: ReportFilters
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    chart: Chart
    note: str = ""
    model: str | None = None
    # Chart hints: which column names the categories, which ones are the series.
    category: str = ""
    series: list[str] = field(default_factory=list)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class ReportContext:
    name: str
    period: Period
    scope: Scope
    user: Any
    model: str | None
    names: Names
    window_days: int | None = None  # attribution: days of touches before a win (None: the setting)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str | Promise
    build: Callable[[ReportContext], ReportResult]
    models: tuple[str, ...] = ()
    default_model: str | None = None


REPORTS: dict[str, ReportSpec] = {}


def report_register(spec: ReportSpec) -> ReportSpec:
    REPORTS[spec.name] = spec
    return spec


def report_run(name: str, *, period: Period, user, filters: ReportFilters | None = None,
               model: str | None = None, window_days: int | None = None) -> ReportResult:
    """Run a registered report for `user` (a manager sees only their own leads and deals)."""
    from voronka.analytics import reports  # noqa: F401  (fills REPORTS)

    spec = REPORTS.get(name)
    if spec is None:
        raise ValidationError(_("Неизвестный отчёт «%(name)s». Есть: %(names)s.")
                              % {"name": name, "names": ", ".join(sorted(REPORTS))})
    if model and model not in spec.models:
        allowed = ", ".join(spec.models) or "—"
        raise ValidationError(_("Модель «%(model)s» не подходит к отчёту «%(name)s» (можно: %(allowed)s).")
                              % {"model": model, "name": name, "allowed": allowed})
    if window_days is not None and not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValidationError(_("Окно атрибуции — от 1 до %(max)s дней.") % {"max": MAX_WINDOW_DAYS})
    filters = filters or ReportFilters()
    context = ReportContext(name=name, period=period, scope=scope_for(user, filters), user=user,
                            model=model or spec.default_model, names=names_load(),
                            window_days=window_days)
    return spec.build(context)


def totals_sum(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    """Column sums; a column that is None in every row (spend hidden) stays None."""
    totals: dict[str, Any] = {}
    for key in keys:
        values = [row[key] for row in rows if row.get(key) is not None]
        if not values and rows and all(row.get(key) is None for row in rows):
            totals[key] = None
        else:
            totals[key] = sum(values, Decimal("0") if any(isinstance(v, Decimal) for v in values) else 0)
    return totals
