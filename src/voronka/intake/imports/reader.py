"""Reading a CSV (any common delimiter, UTF-8 or windows-1251) or an XLSX file into rows of str."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 1_000_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV/XLSX, no header)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, str]]  # row dicts keyed by header; row 1 of the file is the header
    sha256: str
    encoding: str = ""
    delimiter: str = ""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y" if value.time() == dt.time() else "%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for index, name in enumerate(raw):
        name = (name or "").strip() or f"column_{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def _as_table(records: list[list[str]], sha: str, **extra) -> Table:
    records = [r for r in records if any(c.strip() for c in r)]
    if not records:
        raise ImportFileError("Файл пуст: нет строки заголовков.")
    headers = _unique_headers(records[0])
    rows = []
    for record in records[1 : MAX_ROWS + 1]:
        values = [*record, *[""] * (len(headers) - len(record))]
        rows.append({h: (values[i] or "").strip() for i, h in enumerate(headers)})
    return Table(headers, rows, sha, **extra)


def decode(data: bytes) -> tuple[str, str]:
    """Text and its encoding: UTF-8 (with or without BOM), else windows-1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","


def read_csv_bytes(data: bytes, sha: str) -> Table:
    text, encoding = decode(data)
    text = text.replace("\x00", "")
    delimiter = sniff_delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _as_table(records, sha, encoding=encoding, delimiter=delimiter)


def read_xlsx_bytes(data: bytes, sha: str) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors of every kind
        raise ImportFileError(f"Не удалось прочитать XLSX: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _as_table(records, sha, encoding="xlsx")


def read_table(source: str | Path | bytes) -> Table:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(XLSX_MAGIC):
        return read_xlsx_bytes(data, sha)
    return read_csv_bytes(data, sha)
