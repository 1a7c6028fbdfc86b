"""Validation of custom (UF_*) field values against their definitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from voronka.core.batch_cache import cached
from voronka.crm.models import CustomFieldDefinition, CustomFieldType, Entity

_TRUE = {"1", "y", "yes", "true", "да", "on"}
_FALSE = {"0", "n", "no", "false", "нет", "off", ""}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce(definition: CustomFieldDefinition, value: Any) -> Any:
    kind = definition.field_type
    if kind == CustomFieldType.STRING:
        if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
            raise ValueError(_("ожидается строка"))
        text = str(value).strip()
        if len(text) > 2000:
            raise ValueError(_("не длиннее 2000 знаков"))
        return text
    if kind in (CustomFieldType.NUMBER, CustomFieldType.MONEY):
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError(_("ожидается число"))
        text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("ожидается число")) from None
        if not number.is_finite():
            raise ValueError(_("ожидается конечное число"))
        if abs(number) >= Decimal("1e18"):  # also keeps quantize() within Decimal precision
            raise ValueError(_("слишком большое число"))
        if kind == CustomFieldType.MONEY:
            return str(number.quantize(Decimal("0.01")))
        # format "f": str() of a normalised Decimal is scientific ("100" would be "1E+2").
        return format(number.normalize(), "f") if number == number.to_integral() else str(number)
    if kind == CustomFieldType.DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    return dt.datetime.strptime(value.strip(), fmt).date().isoformat()
                except ValueError:
                    continue
        raise ValueError(_("ожидается дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ"))
    if kind == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("ожидается да или нет"))
    if kind == CustomFieldType.LIST:
        if not isinstance(value, str) or value not in definition.options:
            raise ValueError(_("допустимые значения: %(options)s")
                             % {"options": ", ".join(definition.options)})
        return value
    raise ValueError(f"unknown field type {kind}")


def custom_field_definitions(entity: Entity | str) -> dict[str, CustomFieldDefinition]:
    return cached(("custom_fields", entity), lambda: {
        d.code: d for d in CustomFieldDefinition.objects.filter(entity=entity)}, settled=True)


def custom_fields_clean(
    *,
    entity: Entity | str,
    values: dict[str, Any] | None,
    existing: dict[str, Any] | None = None,
    enforce_required: bool = True,
) -> dict[str, Any]:
    """Merge `values` into `existing`, validating each against its definition.

    Raises ValidationError naming every bad field. An empty value removes the field.
    Required fields are enforced for people editing; machine intake passes
    `enforce_required=False`, because a call must become a lead even if a form field
    the company made mandatory is unknown yet.
    """
    values = values or {}
    if not isinstance(values, dict):
        raise ValidationError({"custom_fields": _("Ожидается объект {код: значение}.")})
    definitions = custom_field_definitions(entity)
    result = dict(existing or {})
    errors: dict[str, str] = {}
    for code, raw in values.items():
        definition = definitions.get(code)
        if definition is None:
            errors[code] = _("Нет такого пользовательского поля.")
            continue
        if _empty(raw):
            result.pop(code, None)
            continue
        try:
            result[code] = _coerce(definition, raw)
        except ValueError as exc:
            errors[code] = f"{definition.label}: {exc}"
    for code, definition in definitions.items():
        if enforce_required and definition.required and code not in errors and _empty(result.get(code)):
            errors[code] = _("%(label)s: обязательное поле.") % {"label": definition.label}
    if errors:
        raise ValidationError(errors)
    return result


def custom_fields_carry_over(values: dict[str, Any], *, to_entity: Entity | str) -> dict[str, Any]:
    """The values whose codes also exist on `to_entity` (used when a lead is converted)."""
    codes = set(custom_field_definitions(to_entity))
    return {code: value for code, value in values.items() if code in codes}
