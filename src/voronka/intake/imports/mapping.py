"""Guessing which CRM field each column holds, from its header; the user may override it."""

from __future__ import annotations

import re

FIELDS = ("phone", "name", "last_name", "email", "company_title", "source", "comments", "title",
          "amount", "created_at", "utm_source", "utm_medium", "utm_campaign", "utm_content",
          "utm_term")
IGNORE = "-"

# Normalised header -> field. Headers are compared lower-cased, without punctuation and spaces.
SYNONYMS = {
    "phone": ["телефон", "тел", "телефоны", "phone", "phonenumber", "мобильный", "мобильныйтелефон",
              "моб", "mobile", "номертелефона", "рабочийтелефон", "tel"],
    "name": ["имя", "name", "фио", "контакт", "контактноелицо", "firstname", "клиент"],
    "last_name": ["фамилия", "lastname", "surname"],
    "email": ["email", "email", "почта", "электроннаяпочта", "mail", "емейл", "емайл"],
    "company_title": ["компания", "организация", "company", "названиекомпании", "organization"],
    "source": ["источник", "source", "источниклида"],
    "comments": ["комментарий", "примечание", "комментарии", "comment", "comments", "note", "notes"],
    "title": ["название", "заголовок", "title", "названиелида"],
    "amount": ["сумма", "amount", "бюджет"],
    "created_at": ["дата", "date", "датасоздания", "created", "createdat"],
}
_LOOKUP = {syn: field for field, syns in SYNONYMS.items() for syn in syns}


def header_key(header: str) -> str:
    return re.sub(r"[\W_]+", "", header.lower().replace("ё", "е"))


def guess_field(header: str) -> str | None:
    raw = header.strip().lower()
    utm = re.fullmatch(r"utm[\s_-]*(source|medium|campaign|content|term)", raw)
    if utm:
        return f"utm_{utm.group(1)}"
    return _LOOKUP.get(header_key(header))


def mapping_guess(headers: list[str]) -> dict[str, str]:
    """header -> field, for the headers we recognise; the first column wins a field."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = guess_field(header)
        if field and (field == "phone" or field == "email" or field not in taken):
            mapping[header] = field
            taken.add(field)
    return mapping


def mapping_parse(items: list[str]) -> dict[str, str]:
    """`["Колонка=field", …]` from the command line; `field` `-` ignores the column."""
    result = {}
    for item in items:
        column, sep, field = item.rpartition("=")
        if not sep or not column.strip():
            raise ValueError(f"«{item}»: ожидается «Колонка=поле».")
        result[column.strip()] = field.strip()
    return result


def mapping_build(headers: list[str], override: dict[str, str] | None = None) -> dict[str, str]:
    """Guessed mapping with the user's override applied; unknown columns or fields are refused."""
    mapping = mapping_guess(headers)
    for column, field in (override or {}).items():
        if column not in headers:
            raise ValueError(f"Нет колонки «{column}» (есть: {', '.join(headers)}).")
        if field in (IGNORE, ""):
            mapping.pop(column, None)
            continue
        if field not in FIELDS:
            raise ValueError(f"Неизвестное поле «{field}» (есть: {', '.join(FIELDS)}).")
        if field not in ("phone", "email"):
            for other in [h for h, f in mapping.items() if f == field and h != column]:
                mapping.pop(other)
        mapping[column] = field
    return mapping
