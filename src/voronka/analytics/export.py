"""A ReportResult as JSON, CSV or XLSX. Money and ratios are decimal strings in JSON and CSV,
numbers in XLSX; a missing ratio is null / an empty cell ("—" in the UI)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from voronka.analytics.reports.base import Column, Kind, ReportResult

FORMATS = ("json", "csv", "xlsx")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def value_json(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind in (Kind.MONEY, Kind.RATIO, Kind.SHARE):
        return str(value if isinstance(value, Decimal) else Decimal(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row_json(result: ReportResult, row: dict[str, Any]) -> dict[str, Any]:
    columns = {c.key: c for c in result.columns}
    return {key: value_json(columns.get(key, Column(key, key, Kind.TEXT)), value)
            for key, value in row.items()}


def result_dict(result: ReportResult) -> dict[str, Any]:
    return {
        "report": result.name,
        "title": str(result.title),
        "period": result.period.as_dict(),
        "filters": result.filters.as_dict(),
        "model": result.model,
        "note": result.note,
        "chart": {"kind": str(result.chart), "category": result.category, "series": result.series},
        "columns": [{"key": c.key, "label": str(c.label), "kind": str(c.kind)} for c in result.columns],
        "rows": [_row_json(result, row) for row in result.rows],
        "totals": _row_json(result, result.totals),
    }


def export_json(result: ReportResult) -> bytes:
    return json.dumps(result_dict(result), ensure_ascii=False, indent=2).encode()


def export_csv(result: ReportResult) -> bytes:
    """Header = column keys (stable for scripts); the last line holds the totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in result.columns])
    for row in [*result.rows, {**result.totals, result.columns[0].key: "ИТОГО"}]:
        values = _row_json(result, row)
        writer.writerow(["" if values.get(c.key) is None else values.get(c.key) for c in result.columns])
    return out.getvalue().encode("utf-8")


def export_xlsx(result: ReportResult) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = result.name[:31]
    sheet.append([str(result.title)])
    sheet.append([f"{result.period.date_from:%d.%m.%Y} — {result.period.date_to:%d.%m.%Y} "
                  f"({result.period.zone.key})", result.note])
    sheet.append([str(c.label) for c in result.columns])
    formats = {Kind.MONEY: "#,##0.00", Kind.RATIO: "0.00", Kind.SHARE: "0.00%"}
    for row in [*result.rows, {**result.totals, result.columns[0].key: "ИТОГО"}]:
        cells = []
        for column in result.columns:
            value = row.get(column.key)
            cells.append(float(value) if isinstance(value, Decimal) else value)
        sheet.append(cells)
        for index, column in enumerate(result.columns, start=1):
            if column.kind in formats:
                sheet.cell(row=sheet.max_row, column=index).number_format = formats[column.kind]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def result_export(result: ReportResult, fmt: str) -> bytes:
    return {"json": export_json, "csv": export_csv, "xlsx": export_xlsx}[fmt](result)
