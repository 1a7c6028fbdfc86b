"""Spend from a CSV or XLSX file: read (the lead import's reader), check every row, import.

A file is all or nothing: if any row has an error, nothing is written and the report says
which rows and columns to fix. A valid file replaces, per source, the file origin's rows of
the period its rows cover (from the earliest to the latest day of that source in the file).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from voronka.crm.models import Source
from voronka.intake.imports.mapping import header_key
from voronka.intake.imports.reader import ImportFileError, Table, read_table
from voronka.intake.imports.validation import SourceIndex, amount_parse, date_parse
from voronka.spend.models import Origin, SpendBatch
from voronka.spend.services import (
    MAX_PERIOD_DAYS,
    SpendInput,
    batch_fail,
    batch_finish,
    batch_log,
    batch_start,
    rows_for,
    spend_replace,
    vat_included,
)

__all__ = ["ImportFileError", "RowReport", "spend_file_check", "spend_file_import"]

SYNONYMS = {
    "day": ["дата", "день", "date", "day"],
    "date_from": ["с", "датас", "начало", "периодс", "from", "datefrom", "начальнаядата"],
    "date_to": ["по", "датапо", "конец", "периодпо", "to", "dateto", "конечнаядата"],
    "source": ["источник", "source", "канал", "площадка"],
    "campaign": ["кампания", "campaign", "названиекампании", "campaignname", "рекламнаякампания"],
    "campaign_id": ["idкампании", "campaignid", "кодкампании"],
    "amount": ["сумма", "расход", "расходы", "amount", "cost", "стоимость", "затраты", "бюджет"],
    "clicks": ["клики", "clicks", "переходы"],
    "impressions": ["показы", "impressions", "shows", "просмотры"],
}
_LOOKUP = {syn: name for name, syns in SYNONYMS.items() for syn in syns}
MAX_COUNT = 10**9
OK, ERROR = "ok", "error"


@dataclass
class RowReport:
    row: int  # line of the file; the header is line 1
    status: str = OK
    messages: list[str] = field(default_factory=list)
    item: SpendInput | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "status": self.status, "messages": self.messages}
        if self.item is not None:
            out.update(source=self.item.source.name, date_from=self.item.date_from.isoformat(),
                       date_to=self.item.date_to.isoformat(), campaign=self.item.campaign_name,
                       amount=str(self.item.amount))
        return out


def columns_guess(headers: list[str]) -> dict[str, str]:
    """field -> header, the first column with a known header wins."""
    found: dict[str, str] = {}
    for header in headers:
        name = _LOOKUP.get(header_key(header))
        if name and name not in found:
            found[name] = header
    return found


def _day(text: str) -> dt.date | None:
    parsed = date_parse(text)
    return parsed.date() if parsed is not None else None


def _count(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isdigit() or int(cleaned) >= MAX_COUNT:
        return None
    return int(cleaned)


def row_check(raw: dict[str, str], columns: dict[str, str], sources: SourceIndex, *,
              default_source: Source | None, has_vat: bool) -> tuple[SpendInput | None, list[str]]:
    def value(name: str) -> str:
        return str(raw.get(columns[name]) or "").strip() if name in columns else ""

    errors: list[str] = []
    day_text, from_text, to_text = value("day"), value("date_from"), value("date_to")
    date_from = date_to = None
    if from_text or to_text:
        date_from, date_to = _day(from_text or to_text), _day(to_text or from_text)
        for name, text, parsed in (("date_from", from_text, date_from), ("date_to", to_text, date_to)):
            if text and parsed is None:
                errors.append(f"{columns[name]}: «{text[:40]}» — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).")
    elif day_text:
        date_from = date_to = _day(day_text)
        if date_from is None:
            errors.append(f"{columns['day']}: «{day_text[:40]}» — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).")
    else:
        errors.append("Нет даты: нужна колонка «Дата» или «С» и «По».")
    if date_from and date_to:
        if date_to < date_from:
            errors.append("Дата «по» раньше даты «с».")
        elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
            errors.append("Период длиннее двух лет.")
    source = default_source
    source_text = value("source")
    if source_text:
        code = sources.code_for(source_text)
        source = sources.source(code) if code else None
        if source is None:
            errors.append(f"{columns['source']}: нет источника «{source_text[:60]}».")
    elif source is None:
        errors.append("Нет источника: заполните колонку «Источник» или выберите источник для файла.")
    amount_text = value("amount")
    amount = amount_parse(amount_text) if amount_text else None
    if not amount_text:
        errors.append("Нет суммы.")
    elif amount is None:
        errors.append(f"{columns['amount']}: «{amount_text[:40]}» — не сумма.")
    counts = {}
    for name in ("clicks", "impressions"):
        text = value(name)
        counts[name] = _count(text) if text else 0
        if counts[name] is None:
            errors.append(f"{columns[name]}: «{text[:40]}» — не целое число.")
    if errors:
        return None, errors
    return SpendInput(source=source, date_from=date_from, date_to=date_to,
                      amount=vat_included(amount, has_vat=has_vat),
                      campaign_id=value("campaign_id")[:64], campaign_name=value("campaign")[:255],
                      clicks=counts["clicks"], impressions=counts["impressions"]), []


class _Sources(SourceIndex):
    def __init__(self) -> None:
        super().__init__()
        self.objects = {s.code: s for s in Source.objects.all()}

    def source(self, code: str) -> Source | None:
        return self.objects.get(code)


def table_check(table: Table, *, default_source: Source | None = None,
                has_vat: bool = True) -> list[RowReport]:
    """One report per row of the table; nothing is written."""
    columns = columns_guess(table.headers)
    sources = _Sources()
    reports: list[RowReport] = []
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(table.rows):
        report = RowReport(row=index + 2)
        reports.append(report)
        if "amount" not in columns:
            report.status, report.messages = ERROR, ["В файле нет колонки «Сумма»."]
            continue
        try:
            item, errors = row_check(raw, columns, sources, default_source=default_source,
                                     has_vat=has_vat)
        except Exception as exc:  # a bug must cost one row, not the page
            item, errors = None, [f"Не удалось разобрать строку: {exc}"]
        if errors:
            report.status, report.messages = ERROR, errors
            continue
        key = (item.source.pk, item.campaign_id, item.campaign_name, item.date_from, item.date_to)
        if key in seen:
            report.status, report.messages = ERROR, [f"Дубль строки {seen[key]}."]
            continue
        seen[key] = report.row
        report.item = item
    return reports


def _summary(reports: list[RowReport]) -> dict[str, Any]:
    ok = [r for r in reports if r.status == OK]
    return {"total": len(reports), "ok": len(ok), "error": len(reports) - len(ok),
            "amount": str(sum((r.item.amount for r in ok), Decimal("0.00"))),
            "rows": [r.as_dict() for r in reports if r.status != OK][:500]}


def spend_file_check(data: bytes, *, file_name: str = "", default_source: Source | None = None,
                     has_vat: bool = True, user=None, file_path: str = "") -> SpendBatch:
    """The dry run: a batch (dry_run) with the per-row report; writes no ledger rows.

    Raises ImportFileError when the file is not a readable table.
    """
    table = read_table(data)
    reports = table_check(table, default_source=default_source, has_vat=has_vat)
    days = [d for r in reports if r.item for d in (r.item.date_from, r.item.date_to)]
    today = timezone.localdate()
    batch = batch_start(origin=Origin.FILE, date_from=min(days, default=today),
                        date_to=max(days, default=today), source=default_source, user=user,
                        file_name=file_name, dry_run=True)
    batch.file_path = file_path
    batch.report = {**_summary(reports), "has_vat": has_vat,
                    "default_source": default_source.code if default_source else ""}
    batch.save(update_fields=["file_path", "report"])
    return batch_finish(batch, rows=0, line=f"Проверено строк: {len(reports)}, "
                                            f"с ошибками: {batch.report['error']}.")


def spend_file_import(data: bytes, *, file_name: str = "", default_source: Source | None = None,
                      has_vat: bool = True, user=None) -> SpendBatch:
    """Import the file as one batch: every row or none (a file with errors writes nothing)."""
    table = read_table(data)
    reports = table_check(table, default_source=default_source, has_vat=has_vat)
    items = [r.item for r in reports if r.item is not None]
    days = [d for item in items for d in (item.date_from, item.date_to)]
    today = timezone.localdate()
    batch = batch_start(origin=Origin.FILE, date_from=min(days, default=today),
                        date_to=max(days, default=today), source=default_source, user=user,
                        file_name=file_name)
    batch.report = _summary(reports)
    errors = batch.report["error"]
    if errors or not items:
        message = (f"Файл не загружен: строк с ошибками — {errors}. Исправьте их и загрузите снова."
                   if errors else "Файл не загружен: в нём нет строк с расходами.")
        return batch_fail(batch, message)
    by_source: dict[int, list[SpendInput]] = {}
    for item in items:
        by_source.setdefault(item.source.pk, []).append(item)
    try:
        written, replaced = _write(batch, by_source)
    except Exception as exc:
        return batch_fail(batch, f"Файл не загружен: {exc}")
    return batch_finish(batch, rows=written,
                        line=f"Загружено строк расходов: {written} (заменено прежних: {replaced}).")


def _write(batch: SpendBatch, by_source: dict[int, list[SpendInput]]) -> tuple[int, int]:
    written = replaced = 0
    with transaction.atomic():
        for number, group in enumerate(by_source.values(), start=1):
            date_from = min(i.date_from for i in group)
            date_to = max(i.date_to for i in group)
            rows = [row for item in group for row in rows_for(item, origin=Origin.FILE, batch=batch)]
            deleted, count = spend_replace(origin=Origin.FILE, source=group[0].source,
                                           date_from=date_from, date_to=date_to, rows=rows)
            written, replaced = written + count, replaced + deleted
            batch_log(batch, f"{group[0].source.name}: {date_from:%d.%m.%Y}–{date_to:%d.%m.%Y}, "
                             f"строк {count}, заменено {deleted}.",
                      progress=number * 100 // len(by_source))
    return written, replaced
