"""Custom (UF_*) fields: definitions and the validation of their values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from voronka.crm.custom_fields import custom_fields_carry_over, custom_fields_clean
from voronka.crm.models import CustomFieldDefinition, CustomFieldType, Entity


def define(code, field_type, *, entity=Entity.LEAD, required=False, options=None, label=None):
    definition = CustomFieldDefinition(entity=entity, code=code, label=label or code,
                                       field_type=field_type, required=required,
                                       options=options or [])
    definition.full_clean()
    definition.save()
    return definition


def clean(values, **kwargs):
    kwargs.setdefault("entity", Entity.LEAD)
    return custom_fields_clean(values=values, **kwargs)


def refused_fields(values, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        clean(values, **kwargs)
    return refused.value.message_dict


@pytest.fixture
def fields(db):
    define("UF_CAR", CustomFieldType.STRING, label="Номер машины")
    define("UF_AREA", CustomFieldType.NUMBER, label="Площадь")
    define("UF_BUDGET", CustomFieldType.MONEY, label="Бюджет")
    define("UF_VISIT", CustomFieldType.DATE, label="Дата замера")
    define("UF_KIND", CustomFieldType.LIST, label="Вид работ", options=["Ремонт", "Монтаж"])
    define("UF_VIP", CustomFieldType.BOOLEAN, label="VIP")


@pytest.mark.parametrize(("code", "raw", "stored"), [
    ("UF_CAR", "  А123ВС77 ", "А123ВС77"),
    ("UF_CAR", 77, "77"),
    ("UF_AREA", "12,5", "12.5"),
    ("UF_AREA", "1 234", "1234"),
    ("UF_AREA", "1\u00a0234,75", "1234.75"),
    ("UF_AREA", 42, "42"),
    ("UF_AREA", "100", "100"),
    ("UF_AREA", "2500.00", "2500"),
    ("UF_AREA", Decimal("-3.25"), "-3.25"),
    ("UF_BUDGET", "1500", "1500.00"),
    ("UF_BUDGET", "99,9", "99.90"),
    ("UF_BUDGET", Decimal("10.005"), "10.00"),  # banker's rounding of the Decimal default
    ("UF_BUDGET", 250, "250.00"),
    ("UF_VISIT", "2026-03-01", "2026-03-01"),
    ("UF_VISIT", "01.03.2026", "2026-03-01"),
    ("UF_VISIT", dt.date(2026, 3, 1), "2026-03-01"),
    ("UF_VISIT", dt.datetime(2026, 3, 1, 15, 30), "2026-03-01"),
    ("UF_KIND", "Монтаж", "Монтаж"),
    ("UF_VIP", True, True),
    ("UF_VIP", "да", True),
    ("UF_VIP", "Yes", True),
    ("UF_VIP", 1, True),
    ("UF_VIP", False, False),
    ("UF_VIP", "нет", False),
    ("UF_VIP", "0", False),
])
def test_a_valid_value_of_each_type_is_stored_in_its_canonical_form(fields, code, raw, stored):
    assert clean({code: raw}) == {code: stored}


@pytest.mark.parametrize(("code", "raw"), [
    ("UF_CAR", True),
    ("UF_CAR", ["список"]),
    ("UF_CAR", "x" * 2001),
    ("UF_AREA", "двенадцать"),
    ("UF_AREA", True),
    ("UF_AREA", "NaN"),
    ("UF_AREA", "Infinity"),
    ("UF_AREA", float("inf")),
    ("UF_AREA", "1e30"),
    ("UF_BUDGET", "-"),
    ("UF_BUDGET", "sNaN"),
    ("UF_BUDGET", "1e30"),  # used to crash with decimal.InvalidOperation
    ("UF_BUDGET", [100]),
    ("UF_VISIT", "31.02.2026"),
    ("UF_VISIT", "2026/03/01"),
    ("UF_VISIT", 20260301),
    ("UF_KIND", "Покраска"),
    ("UF_KIND", "монтаж"),  # options are exact
    ("UF_KIND", 1),
    ("UF_VIP", "может быть"),
    ("UF_VIP", 2),
])
def test_an_invalid_value_is_refused_naming_the_field(fields, code, raw):
    errors = refused_fields({code: raw})
    assert list(errors) == [code]
    label = CustomFieldDefinition.objects.get(entity=Entity.LEAD, code=code).label
    assert errors[code][0].startswith(label + ": ")


def test_list_error_names_the_allowed_options(fields):
    errors = refused_fields({"UF_KIND": "Покраска"})
    assert errors["UF_KIND"] == ["Вид работ: допустимые значения: Ремонт, Монтаж"]


def test_every_bad_field_is_named_at_once(fields):
    errors = refused_fields({"UF_AREA": "много", "UF_VIP": "?", "UF_CAR": "ok"})
    assert set(errors) == {"UF_AREA", "UF_VIP"}


def test_an_unknown_code_is_refused(fields):
    errors = refused_fields({"UF_NOPE": "1"})
    assert errors == {"UF_NOPE": ["Нет такого пользовательского поля."]}


def test_a_code_of_another_entity_is_unknown_here(fields):
    define("UF_DEAL_ONLY", CustomFieldType.STRING, entity=Entity.DEAL)
    assert "UF_DEAL_ONLY" in refused_fields({"UF_DEAL_ONLY": "x"})
    assert clean({"UF_DEAL_ONLY": "x"}, entity=Entity.DEAL) == {"UF_DEAL_ONLY": "x"}


def test_values_must_be_an_object(fields):
    assert "custom_fields" in refused_fields(["UF_CAR", "x"])


def test_new_values_are_merged_into_the_existing_ones(fields):
    existing = {"UF_CAR": "А123ВС77", "UF_AREA": "10"}
    result = clean({"UF_AREA": "12"}, existing=existing)
    assert result == {"UF_CAR": "А123ВС77", "UF_AREA": "12"}
    assert existing == {"UF_CAR": "А123ВС77", "UF_AREA": "10"}  # not mutated


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_empty_value_removes_the_field(fields, empty):
    assert clean({"UF_CAR": empty}, existing={"UF_CAR": "А123ВС77", "UF_VIP": True}) == {
        "UF_VIP": True}


def test_a_required_field_must_be_given(fields):
    define("UF_CITY", CustomFieldType.STRING, required=True, label="Город")
    assert refused_fields({}) == {"UF_CITY": ["Город: обязательное поле."]}
    assert refused_fields({"UF_CITY": "  "}) == {"UF_CITY": ["Город: обязательное поле."]}
    # removing it from a record that has it is refused too
    assert "UF_CITY" in refused_fields({"UF_CITY": None}, existing={"UF_CITY": "Тверь"})
    assert clean({"UF_CITY": "Тверь"}) == {"UF_CITY": "Тверь"}
    assert clean({}, existing={"UF_CITY": "Тверь"}) == {"UF_CITY": "Тверь"}


def test_a_required_boolean_false_is_a_value(fields):
    define("UF_AGREED", CustomFieldType.BOOLEAN, required=True)
    assert clean({"UF_AGREED": False}) == {"UF_AGREED": False}


def test_machine_intake_skips_the_required_check_but_not_the_types(fields):
    define("UF_CITY", CustomFieldType.STRING, required=True)
    assert clean({}, enforce_required=False) == {}
    assert clean({"UF_AREA": "5"}, enforce_required=False) == {"UF_AREA": "5"}
    assert "UF_AREA" in refused_fields({"UF_AREA": "пять"}, enforce_required=False)


def test_carry_over_keeps_only_codes_defined_on_the_target_entity(fields):
    define("UF_CAR", CustomFieldType.STRING, entity=Entity.DEAL)
    values = {"UF_CAR": "А123ВС77", "UF_AREA": "10"}
    assert custom_fields_carry_over(values, to_entity=Entity.DEAL) == {"UF_CAR": "А123ВС77"}
    assert custom_fields_carry_over(values, to_entity=Entity.COMPANY) == {}


# --- definitions -----------------------------------------------------------------------

@pytest.mark.parametrize("options", [[], ["Ремонт", ""], ["Ремонт", 5], "Ремонт", None])
def test_a_list_field_needs_non_empty_string_options(db, options):
    definition = CustomFieldDefinition(entity=Entity.LEAD, code="UF_KIND", label="Вид",
                                       field_type=CustomFieldType.LIST, options=options)
    with pytest.raises(ValidationError) as refused:
        definition.clean()
    assert "options" in refused.value.message_dict


def test_options_are_refused_for_other_types(db):
    definition = CustomFieldDefinition(entity=Entity.LEAD, code="UF_CAR", label="Машина",
                                       field_type=CustomFieldType.STRING, options=["a"])
    with pytest.raises(ValidationError) as refused:
        definition.clean()
    assert refused.value.message_dict["options"] == ["Варианты задаются только для типа «Список»."]


@pytest.mark.parametrize("code", ["CAR", "uf_car", "UF_", "UF_car", "UF CAR"])
def test_a_code_must_look_like_uf_something(db, code):
    definition = CustomFieldDefinition(entity=Entity.LEAD, code=code, label="x",
                                       field_type=CustomFieldType.STRING)
    with pytest.raises(ValidationError) as refused:
        definition.full_clean()
    assert "code" in refused.value.message_dict


def test_a_code_is_unique_per_entity(db):
    define("UF_CAR", CustomFieldType.STRING)
    define("UF_CAR", CustomFieldType.STRING, entity=Entity.DEAL)  # another entity: fine
    with pytest.raises(ValidationError):
        define("UF_CAR", CustomFieldType.NUMBER)
