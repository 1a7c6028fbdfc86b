"""Robot conditions: examples of each comparison, and properties of the tree as a whole."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.automation.conditions import COMPARISONS, FIELDS, conditions_check, conditions_hold


def item(**fields) -> SimpleNamespace:
    """What conditions read of a lead: plain fields, coded relations, custom fields."""
    base = {
        "title": "Пропуск на МКАД", "source": SimpleNamespace(code="AVITO"), "amount": Decimal("15000"),
        "responsible": SimpleNamespace(username="manager1"), "is_repeat": True,
        "source_description": "", "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "mkad",
        "utm_content": "", "utm_term": "", "tracked_number": "+74950000001",
        "status": SimpleNamespace(code="IN_PROCESS"), "company_title": "ООО Ромашка",
        "custom_fields": {"UF_TRUCKS": "3", "UF_CITY": "Москва"},
    }
    base.update(fields)
    return SimpleNamespace(**base)


def leaf(field: str, cmp: str, value=None) -> dict:
    return {"field": field, "cmp": cmp, **({} if value is None else {"value": value})}


@pytest.mark.parametrize(("condition", "holds"), [
    (leaf("source", "eq", "avito"), True),  # codes compare without regard to case
    (leaf("source", "in", ["YANDEX", "AVITO"]), True),
    (leaf("source", "in", "YANDEX,2GIS"), False),
    (leaf("amount", "gte", "15000"), True),
    (leaf("amount", "gt", "15 000,00"), False),  # a number as a person types it
    (leaf("amount", "lt", 20000), True),
    (leaf("responsible", "eq", "manager1"), True),
    (leaf("responsible", "ne", "manager2"), True),
    (leaf("is_repeat", "eq", "да"), True),
    (leaf("is_new_client", "eq", True), False),
    (leaf("title", "contains", "мкад"), True),
    (leaf("utm_content", "empty"), True),
    (leaf("utm_source", "not_empty"), True),
    (leaf("custom.UF_TRUCKS", "gte", 2), True),  # a number kept in a text custom field
    (leaf("custom.UF_CITY", "eq", "москва"), True),
    (leaf("custom.UF_MISSING", "empty"), True),
    (leaf("custom.UF_MISSING", "gt", 1), False),  # nothing is not greater than anything
    (leaf("company_title", "contains", "ромашка"), True),
    ({"op": "or", "items": [leaf("source", "eq", "2GIS"), leaf("amount", "gte", 10000)]}, True),
    ({"op": "and", "items": [leaf("source", "eq", "AVITO"), leaf("is_repeat", "eq", False)]}, False),
    ({}, True),
])
def test_comparisons(condition, holds):
    custom = {"UF_TRUCKS", "UF_CITY", "UF_MISSING"}
    conditions_check(condition, custom)
    assert conditions_hold(condition, item()) is holds


@pytest.mark.parametrize(("tree", "message"), [
    ({"op": "xor", "items": [leaf("amount", "gt", 1)]}, "conditions.op"),
    ({"op": "and", "items": []}, "conditions.items"),
    ({"op": "and", "items": [leaf("nonsense", "eq", 1)]}, "conditions.items[0].field"),
    ({"op": "and", "items": [leaf("amount", "about", 1)]}, "conditions.items[0].cmp"),
    ({"op": "and", "items": [{"field": "amount", "cmp": "eq"}]}, "conditions.items[0].value"),
    ({"op": "or", "items": [leaf("amount", "gt", "много")]}, "нужно число"),
    ({"op": "and", "items": [leaf("custom.UF_UNKNOWN", "eq", 1)]}, "UF_UNKNOWN"),
    ({"field": "amount", "cmp": "eq", "value": 1, "extra": 2}, "лишние ключи extra"),
    ([leaf("amount", "eq", 1)], "ожидается объект"),
])
def test_invalid_trees_are_refused_naming_the_place(tree, message):
    with pytest.raises(ValidationError) as error:
        conditions_check(tree, set())
    assert message in " ".join(error.value.messages)


# --- properties --------------------------------------------------------------------------

NUMBERS = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
TEXTS = st.text(alphabet="абвАБВabcXYZ 0123-_", max_size=8)
LEAVES = st.one_of(
    st.builds(leaf, st.just("amount"), st.sampled_from(["gt", "gte", "lt", "lte", "eq", "ne"]),
              NUMBERS.map(str)),
    st.builds(leaf, st.sampled_from(["title", "source", "utm_source", "custom.UF_CITY"]),
              st.sampled_from(["eq", "ne", "contains"]), TEXTS),
    st.builds(leaf, st.sampled_from(["is_repeat", "is_new_client"]), st.sampled_from(["eq", "ne"]),
              st.booleans()),
    st.builds(leaf, st.sampled_from(["utm_term", "custom.UF_CITY"]),
              st.sampled_from(["empty", "not_empty"])),
)
TREES = st.recursive(LEAVES, lambda children: st.builds(
    lambda op, items: {"op": op, "items": items}, st.sampled_from(["and", "or"]),
    st.lists(children, min_size=1, max_size=4)), max_leaves=12)
ITEMS = st.builds(lambda amount, title, repeat, city: item(amount=amount, title=title, is_repeat=repeat,
                                                             custom_fields={"UF_CITY": city}),
                  NUMBERS, TEXTS, st.booleans(), TEXTS)


@settings(max_examples=300, deadline=None)
@given(TREES, ITEMS)
def test_and_is_all_and_or_is_any_at_every_level(tree, thing):
    """A valid tree is accepted, and a group holds exactly as its children combine."""
    conditions_check(tree, {"UF_CITY"})
    if "items" in tree:
        children = [conditions_hold(child, thing) for child in tree["items"]]
        expected = all(children) if tree["op"] == "and" else any(children)
        assert conditions_hold(tree, thing) is expected


OPPOSITE = {"eq": "ne", "ne": "eq", "gt": "lte", "lte": "gt", "lt": "gte", "gte": "lt",
            "empty": "not_empty", "not_empty": "empty"}


@settings(max_examples=300, deadline=None)
@given(LEAVES.filter(lambda c: c["cmp"] in OPPOSITE), ITEMS)
def test_a_comparison_and_its_opposite_never_agree(condition, thing):
    opposite = {**condition, "cmp": OPPOSITE[condition["cmp"]]}
    assert conditions_hold(condition, thing) is not conditions_hold(opposite, thing)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6)
    | st.sampled_from(["and", "or", "amount", "source", "eq", "gt", "items", "field", "cmp", "value"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["op", "items", "field", "cmp", "value", "x"]), children, max_size=4),
    max_leaves=10)


@settings(max_examples=500, deadline=None)
@given(JSON, ITEMS)
def test_any_json_is_either_refused_clearly_or_evaluates(tree, thing):
    """What a person or a setup file sends is checked before it is saved: either a
    ValidationError with a message, or a tree that evaluates without an exception."""
    try:
        conditions_check(tree, set())
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    assert conditions_hold(tree, item()) in (True, False)


def test_every_field_and_comparison_has_a_label():
    assert all(str(label) for label, _read in FIELDS.values())
    assert all(str(label) for label in COMPARISONS.values())
