"""Robot conditions: a small tree of field comparisons joined by «и» / «или».

A condition is JSON, so that it lives in the robot's row and in `voronka setup apply` files:

    {"op": "and", "items": [
        {"field": "amount", "cmp": "gte", "value": "100000"},
        {"op": "or", "items": [{"field": "source", "cmp": "eq", "value": "AVITO"},
                               {"field": "is_repeat", "cmp": "eq", "value": true}]}]}

An empty tree always holds. `conditions_check` validates a tree before it is saved (the
messages name the place in it); `conditions_hold` evaluates a valid tree on a lead or deal.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_DEPTH = 4
MAX_ITEMS = 50

COMPARISONS = {
    "eq": gettext_lazy("равно"), "ne": gettext_lazy("не равно"),
    "gt": gettext_lazy("больше"), "gte": gettext_lazy("больше или равно"),
    "lt": gettext_lazy("меньше"), "lte": gettext_lazy("меньше или равно"),
    "contains": gettext_lazy("содержит"), "in": gettext_lazy("одно из"),
    "empty": gettext_lazy("пусто"), "not_empty": gettext_lazy("заполнено"),
}
NO_VALUE = {"empty", "not_empty"}


def _code(obj) -> str:
    return getattr(obj, "code", "") or ""


def _username(user) -> str:
    return user.username if user is not None else ""


# What a condition can look at, by name. Relations compare by their code (sources, statuses,
# stages, pipelines) or username (people), which stay the same between installations.
FIELDS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "title": (gettext_lazy("Название"), lambda item: item.title),
    "source": (gettext_lazy("Источник (код)"), lambda item: _code(item.source)),
    "amount": (gettext_lazy("Сумма"), lambda item: item.amount),
    "responsible": (gettext_lazy("Ответственный (логин)"), lambda item: _username(item.responsible)),
    "is_repeat": (gettext_lazy("Повторный клиент"), lambda item: item.is_repeat),
    "is_new_client": (gettext_lazy("Новый клиент"), lambda item: not item.is_repeat),
    "source_description": (gettext_lazy("Описание источника"), lambda item: item.source_description),
    "utm_source": ("utm_source", lambda item: item.utm_source),
    "utm_medium": ("utm_medium", lambda item: item.utm_medium),
    "utm_campaign": ("utm_campaign", lambda item: item.utm_campaign),
    "utm_content": ("utm_content", lambda item: item.utm_content),
    "utm_term": ("utm_term", lambda item: item.utm_term),
    "tracked_number": (gettext_lazy("Номер отслеживания"), lambda item: item.tracked_number),
    "status": (gettext_lazy("Статус лида (код)"), lambda item: _code(getattr(item, "status", None))),
    "stage": (gettext_lazy("Стадия сделки (код)"), lambda item: _code(getattr(item, "stage", None))),
    "pipeline": (gettext_lazy("Направление (код)"), lambda item: _code(getattr(item, "pipeline", None))),
    "company_title": (gettext_lazy("Название компании"),
                      lambda item: getattr(item, "company_title", "")
                      or getattr(getattr(item, "company", None), "title", "")),
}
CUSTOM_PREFIX = "custom."


def field_value(item, name: str) -> Any:
    if name.startswith(CUSTOM_PREFIX):
        return (item.custom_fields or {}).get(name[len(CUSTOM_PREFIX):])
    return FIELDS[name][1](item)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "да", "yes", "y"}:
        return True
    if text in {"0", "false", "нет", "no", "n", ""}:
        return False
    return None


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _compare(actual: Any, cmp: str, expected: Any) -> bool:
    if cmp == "empty":
        return actual is None or actual == "" or actual == []
    if cmp == "not_empty":
        return not (actual is None or actual == "" or actual == [])
    if cmp == "in":
        options = expected if isinstance(expected, list) else str(expected).split(",")
        return any(_compare(actual, "eq", option) for option in options)
    if isinstance(actual, bool):
        wanted = _as_bool(expected)
        return (actual == wanted) if cmp == "eq" else (actual != wanted) if cmp == "ne" else False
    number, wanted_number = _as_number(actual), _as_number(expected)
    if number is not None and wanted_number is not None and not isinstance(actual, str):
        actual_key, expected_key = number, wanted_number
    elif number is not None and wanted_number is not None and cmp in {"gt", "gte", "lt", "lte"}:
        actual_key, expected_key = number, wanted_number  # numbers kept in text custom fields
    else:
        actual_key = "" if actual is None else str(actual).strip().lower()
        expected_key = "" if expected is None else str(expected).strip().lower()
    if cmp == "eq":
        return actual_key == expected_key
    if cmp == "ne":
        return actual_key != expected_key
    if cmp == "contains":
        return str(expected_key) in str(actual_key)
    if actual is None:
        return False
    if type(actual_key) is not type(expected_key):
        return False
    return {"gt": actual_key > expected_key, "gte": actual_key >= expected_key,
            "lt": actual_key < expected_key, "lte": actual_key <= expected_key}[cmp]


def conditions_hold(tree: dict | None, item) -> bool:
    """Whether the (valid) condition tree holds for the lead or deal."""
    if not tree:
        return True
    if "items" in tree:
        results = (conditions_hold(child, item) for child in tree["items"])
        return all(results) if tree.get("op", "and") == "and" else any(results)
    return _compare(field_value(item, tree["field"]), tree["cmp"], tree.get("value"))


def _check(tree: Any, path: str, depth: int, custom_codes: set[str]) -> None:
    if not isinstance(tree, dict):
        raise ValidationError(_("%(path)s: ожидается объект") % {"path": path})
    if "items" in tree:
        unknown = set(tree) - {"op", "items"}
        if unknown:
            raise ValidationError(_("%(path)s: лишние ключи %(keys)s")
                                  % {"path": path, "keys": ", ".join(sorted(unknown))})
        if tree.get("op", "and") not in ("and", "or"):  # a tuple: the value may be unhashable JSON
            raise ValidationError(_("%(path)s.op: «and» или «or»") % {"path": path})
        if depth >= MAX_DEPTH:
            raise ValidationError(_("%(path)s: не больше %(n)s уровней вложенности")
                                  % {"path": path, "n": MAX_DEPTH})
        items = tree["items"]
        if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
            raise ValidationError(_("%(path)s.items: от 1 до %(n)s условий")
                                  % {"path": path, "n": MAX_ITEMS})
        for index, child in enumerate(items):
            _check(child, f"{path}.items[{index}]", depth + 1, custom_codes)
        return
    unknown = set(tree) - {"field", "cmp", "value"}
    if unknown:
        raise ValidationError(_("%(path)s: лишние ключи %(keys)s")
                              % {"path": path, "keys": ", ".join(sorted(unknown))})
    name = tree.get("field")
    if not isinstance(name, str) or not (name in FIELDS or (
            name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX):] in custom_codes)):
        raise ValidationError(_("%(path)s.field: неизвестное поле «%(name)s»")
                              % {"path": path, "name": name})
    cmp = tree.get("cmp")
    if cmp not in COMPARISONS:
        raise ValidationError(_("%(path)s.cmp: одно из %(all)s")
                              % {"path": path, "all": ", ".join(COMPARISONS)})
    if cmp not in NO_VALUE and "value" not in tree:
        raise ValidationError(_("%(path)s.value: укажите значение") % {"path": path})
    value = tree.get("value")
    if value is not None and not isinstance(value, str | int | float | bool | list):
        raise ValidationError(_("%(path)s.value: строка, число, да/нет или список") % {"path": path})
    if cmp in {"gt", "gte", "lt", "lte"} and _as_number(value) is None:
        raise ValidationError(_("%(path)s.value: для сравнения «%(cmp)s» нужно число")
                              % {"path": path, "cmp": COMPARISONS[cmp]})


def conditions_check(tree: Any, custom_codes: set[str]) -> None:
    """Raise a ValidationError naming the place of the first problem in the tree."""
    if tree in (None, {}):
        return
    _check(tree, "conditions", 0, custom_codes)
