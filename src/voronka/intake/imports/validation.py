"""Checking every row of a table (pure: reads the database, writes nothing)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from voronka.crm.models import Communication, CommunicationKind, Source
from voronka.crm.normalization import email_normalize, phone_normalize
from voronka.crm.selectors import client_find
from voronka.intake.imports.reader import Table
from voronka.intake.models import InboundEvent

PROVIDER = "import"

OK = "ok"
ERROR = "error"
DUPLICATE = "duplicate"
EXISTS = "exists"
IMPORTED = "imported"  # this row of this very file was imported before
CREATED = "created"
FAILED = "failed"

MAX_AMOUNT = Decimal(10) ** 12
_SPLIT = re.compile(r"[,;\n]+")
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%y")
CHUNK = 500


@dataclass
class RowResult:
    row: int  # line in the file; the header is line 1
    status: str = OK
    messages: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    lead_id: int | None = None
    event_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "status": self.status}
        if self.messages:
            out["messages"] = self.messages
        if self.lead_id:
            out["lead"] = self.lead_id
        return out


def idempotency_key(sha256: str, row: int) -> str:
    return f"{sha256}:{row}"


def amount_parse(text: str) -> Decimal | None:
    cleaned = re.sub(r"[\s\u00a0₽]|руб\.?|р\.", "", text.lower()).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def date_parse(text: str) -> dt.datetime | None:
    text = text.strip()
    parsed = None
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if not 1970 <= parsed.year <= 2100:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class SourceIndex:
    """Sources by code or by name, case-insensitive."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        for code, name in Source.objects.values_list("code", "name"):
            self.by_key.setdefault(name.strip().lower(), code)
        for code in Source.objects.values_list("code", flat=True):
            self.by_key[code.lower()] = code

    def code_for(self, text: str) -> str | None:
        return self.by_key.get(text.strip().lower())


def row_clean(raw: dict[str, str], mapping: dict[str, str], sources: SourceIndex,
              default_source: str = "") -> tuple[dict[str, Any], list[str]]:
    """The row's values by field, and the errors, each naming its column."""
    data: dict[str, Any] = {"phones": [], "emails": [], "utm": {}}
    errors: list[str] = []
    for column, fld in mapping.items():
        value = str(raw.get(column) or "").strip()
        if not value:
            continue
        if fld == "phone":
            for part in (p.strip() for p in _SPLIT.split(value)):
                if not part:
                    continue
                normalized = phone_normalize(part)
                if normalized is None:
                    errors.append(f"{column}: «{part[:60]}» — не номер телефона.")
                elif normalized not in data["phones"]:
                    data["phones"].append(normalized)
        elif fld == "email":
            for part in (p.strip() for p in _SPLIT.split(value)):
                if not part:
                    continue
                normalized = email_normalize(part)
                if normalized is None:
                    errors.append(f"{column}: «{part[:60]}» — не адрес e-mail.")
                elif normalized not in data["emails"]:
                    data["emails"].append(normalized)
        elif fld == "amount":
            amount = amount_parse(value)
            if amount is None:
                errors.append(f"{column}: «{value[:60]}» — не сумма.")
            else:
                data["amount"] = str(amount)
        elif fld == "created_at":
            date = date_parse(value)
            if date is None:
                errors.append(f"{column}: «{value[:60]}» — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).")
            else:
                data["created_at"] = date.isoformat()
        elif fld == "source":
            code = sources.code_for(value)
            if code is None:
                errors.append(f"{column}: нет источника «{value[:60]}».")
            else:
                data["source"] = code
        elif fld.startswith("utm_"):
            data["utm"][fld] = value[:255]
        else:
            data[fld] = (f"{data[fld]} {value}" if data.get(fld) else value)[:10000]
    if default_source and "source" not in data:
        data["source"] = default_source
    if not data["phones"] and not data["emails"] and not errors:
        errors.append("Нет ни телефона, ни e-mail.")
    return data, errors


def _known_identities(phones: set[str], emails: set[str]) -> set[str]:
    known: set[str] = set()
    for kind, values, prefix in ((CommunicationKind.PHONE, phones, "phone"),
                                 (CommunicationKind.EMAIL, emails, "email")):
        values = sorted(values)
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            known |= {f"{prefix}:{v}" for v in Communication.objects.filter(
                kind=kind, normalized__in=chunk).values_list("normalized", flat=True)}
    return known


def _already_imported(sha256: str) -> dict[str, tuple[int, str]]:
    return {key: (pk, state) for pk, key, state in InboundEvent.objects.filter(
        provider=PROVIDER, idempotency_key__startswith=f"{sha256}:").values_list(
            "pk", "idempotency_key", "state")}


def _exists_message(data: dict[str, Any]) -> str:
    match = client_find(phones=data["phones"], emails=data["emails"])
    if match.open_leads:
        return f"Уже есть: лид #{match.open_leads[0].pk}."
    if match.contacts:
        return f"Уже есть: контакт #{match.contacts[0].pk}."
    if match.companies:
        return f"Уже есть: компания #{match.companies[0].pk}."
    lead_id = (Communication.objects.filter(lead__isnull=False, normalized__in=[
        *data["phones"], *data["emails"]]).values_list("lead", flat=True).first())
    return f"Уже есть: лид #{lead_id} (закрыт)." if lead_id else "Уже есть в базе."


def table_validate(table: Table, mapping: dict[str, str], *, default_source: str = "",
                   ) -> list[RowResult]:
    """One result per row: ok, error, duplicate (of an earlier row), exists, imported."""
    sources = SourceIndex()
    imported = _already_imported(table.sha256)
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(table.rows):
        result = RowResult(row=index + 2)
        results.append(result)
        try:
            result.data, errors = row_clean(raw, mapping, sources, default_source)
        except Exception as exc:  # a bug must cost one row, not the file
            result.status, result.messages = ERROR, [f"Не удалось разобрать строку: {exc}"]
            continue
        if errors:
            result.status, result.messages = ERROR, errors
            continue
        previous = imported.get(idempotency_key(table.sha256, result.row))
        if previous is not None and previous[1] in ("processed", "duplicate"):
            result.status = IMPORTED
            result.event_id = previous[0]
            result.messages = [f"Строка уже импортирована (событие #{previous[0]})."]
            continue
        keys = [f"phone:{p}" for p in result.data["phones"]]
        keys += [f"email:{e}" for e in result.data["emails"]]
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            result.status, result.messages = DUPLICATE, [f"Дубль строки {first}."]
            continue
        for key in keys:
            seen[key] = result.row
    ok = [r for r in results if r.status == OK]
    phones = {p for r in ok for p in r.data["phones"]}
    emails = {e for r in ok for e in r.data["emails"]}
    known = _known_identities(phones, emails)
    if known:
        for result in ok:
            keys = {f"phone:{p}" for p in result.data["phones"]}
            keys |= {f"email:{e}" for e in result.data["emails"]}
            if keys & known:
                result.status, result.messages = EXISTS, [_exists_message(result.data)]
    return results
