"""A ReportResult as people read it: the visible columns and every value formatted for its kind
(money `1 234 567 ₽`, ratios `1,25`, shares `12,5 %`, durations in words, None as «—»)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from voronka.analytics.reports import Column, Kind, ReportResult
from voronka.web.templatetags.voronka_web import duration_words, money

DASH = "—"
# Code columns shown in exports but not on screen when their readable twin is there.
CODE_TWINS = {"manager_id": "manager", "source": "source_name", "status": "status_name", "step": "step_name"}


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]
    totals: list[Cell] | None


def _grouped(number: Any) -> str:
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


def value_text(kind: Kind, value: Any) -> str:
    if value is None or value == "":
        return DASH
    if kind == Kind.MONEY:
        return money(Decimal(value).quantize(Decimal("0.01")))
    if kind == Kind.RATIO:
        return _grouped(Decimal(value).quantize(Decimal("0.01")))
    if kind == Kind.SHARE:
        return f"{_grouped((Decimal(value) * 100).quantize(Decimal('0.1')))}\u00a0%"
    if kind == Kind.DURATION:
        return duration_words(float(value))
    if kind == Kind.COUNT and isinstance(value, int | Decimal):
        return _grouped(value)
    return str(value)


def visible_columns(result: ReportResult) -> list[Column]:
    keys = {c.key for c in result.columns}
    return [c for c in result.columns if CODE_TWINS.get(c.key) not in keys]


def table_build(result: ReportResult) -> Table:
    columns = visible_columns(result)

    def cells(row: dict[str, Any]) -> list[Cell]:
        return [Cell(value_text(c.kind, row.get(c.key)), c.kind != Kind.TEXT) for c in columns]

    totals = None
    if result.totals and result.rows:
        # Text columns have no total: blank, not «—» (which means «cannot be computed»).
        totals = [Cell("", False) if c.kind == Kind.TEXT else cell
                  for c, cell in zip(columns, cells(result.totals), strict=True)]
        totals[0] = Cell(_("Итого"), False)
    return Table(columns=columns, rows=[cells(row) for row in result.rows], totals=totals)

