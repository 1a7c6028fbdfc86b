"""The builder's lead dimensions: custom list fields ("uf:CODE"), with dates, labels and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.analytics.builder_world import car_field  # noqa: F401  (fixture)
from voronka.analytics.builder import builder_check, builder_run, custom_dimensions
from voronka.analytics.periods import period_parse
from voronka.crm.models import Lead

MARCH = period_parse("2026-03-01", "2026-03-31")
LEAD_COUNTS = ["leads", "junk_leads", "handled_leads", "converted_leads", "conversion"]


def by_first(result) -> dict:
    return {r[result.columns[0].key]: r for r in result.rows}


def test_custom_field_dimension_by_hand(car_field, head):  # noqa: F811
    result = builder_run(dimensions=["uf:UF_CAR"], measures=[*LEAD_COUNTS, "revenue"], period=MARCH,
                         user=head)
    rows = by_first(result)
    assert list(rows) == ["Газель", "Фура", "не заполнено"]
    # Газель: the new lead of Mar 1 (handled) and the converted one of Mar 15.
    assert {k: rows["Газель"][k] for k in LEAD_COUNTS} == {
        "leads": 2, "junk_leads": 0, "handled_leads": 2, "converted_leads": 1, "conversion": Decimal("0.5")}
    # Фура: only the junk lead of Mar 31 (the January one is outside the period).
    assert {k: rows["Фура"][k] for k in LEAD_COUNTS} == {
        "leads": 1, "junk_leads": 1, "handled_leads": 1, "converted_leads": 0, "conversion": Decimal("0")}
    # No key and "" are one group.
    assert rows["не заполнено"]["leads"] == 2 and rows["не заполнено"]["converted_leads"] == 2
    assert rows["Газель"]["revenue"] is None  # not a lead measure
    assert result.totals["leads"] == 5 and result.totals["converted_leads"] == 3


def test_custom_field_with_source_and_json_null(car_field, head):  # noqa: F811
    Lead.objects.filter(custom_fields__UF_CAR="Фура").update(custom_fields={"UF_CAR": None})
    result = builder_run(dimensions=["source", "uf:UF_CAR"], measures=["leads"], period=MARCH, user=head)
    got = {(r["source"], r["uf:UF_CAR"]): r["leads"] for r in result.rows}
    assert got == {("Авито", "Газель"): 1, ("Авито", "не заполнено"): 1,
                   ("Яндекс.Директ", "Газель"): 1, ("Яндекс.Директ", "не заполнено"): 1,
                   ("Сайт", "не заполнено"): 1}


def test_lead_dimensions_with_dates_in_the_report_zone(car_field, head):  # noqa: F811
    result = builder_run(dimensions=["uf:UF_CAR", "day"], measures=["leads"], period=MARCH, user=head)
    got = {(r["uf:UF_CAR"], r["day"]): r["leads"] for r in result.rows}
    assert got[("Газель", "2026-03-01")] == 1 and got[("Фура", "2026-03-31")] == 1
    assert got[("Газель", "2026-03-15")] == 1 and sum(got.values()) == 5
    # In UTC the Mar 1 00:30 lead is February's; the Mar 31 23:50 one is still March 31.
    utc = period_parse("2026-03-01", "2026-03-31", "UTC")
    result = builder_run(dimensions=["uf:UF_CAR", "day"], measures=["leads"], period=utc, user=head)
    got = {(r["uf:UF_CAR"], r["day"]): r["leads"] for r in result.rows}
    assert got == {("Газель", "2026-03-15"): 1, ("Фура", "2026-03-31"): 1,
                   ("не заполнено", "2026-03-10"): 1, ("не заполнено", "2026-03-20"): 1}
    weeks = builder_run(dimensions=["status", "week"], measures=["leads", "converted_leads"], period=MARCH,
                        user=head)
    got = {(r["status"], r["week"]): r["leads"] for r in weeks.rows}
    # Weeks start on Monday: Mar 1 (Sunday) is in the week of Feb 23.
    assert got[("Новый", "2026-02-23")] == 1 and got[("Некачественный", "2026-03-30")] == 1
    assert sum(got.values()) == 5 and weeks.totals["converted_leads"] == 3
    months = builder_run(dimensions=["month", "utm_campaign"], measures=["leads"], period=MARCH, user=head)
    assert {(r["month"], r["utm_campaign"]): r["leads"] for r in months.rows} == {
        ("2026-03", ""): 3, ("2026-03", "remont_search"): 2}
    assert months.chart == "line"


def test_column_labels_are_russian(car_field, head):  # noqa: F811
    with translation.override("ru"):
        result = builder_run(dimensions=["uf:UF_CAR", "month"], measures=["leads", "conversion"],
                             period=MARCH, user=head)
        assert [str(c.label) for c in result.columns] == ["Поле: Тип машины", "Месяц", "Лиды",
                                                          "Конверсия в сделку"]
        result = builder_run(dimensions=["source", "pipeline"], measures=["revenue", "roi"], period=MARCH,
                             user=head)
        assert [str(c.label) for c in result.columns] == ["Источник", "Направление", "Выручка", "ROI"]


def test_custom_dimensions_are_the_list_fields_of_leads(car_field):  # noqa: F811
    assert {k: str(v) for k, v in custom_dimensions().items()} == {"uf:UF_CAR": "Поле: Тип машины"}


@pytest.mark.parametrize(("dimensions", "field", "text"), [
    (["uf:UF_NOPE"], "dimensions", "Нет пользовательского поля лидов с кодом «UF_NOPE»"),
    (["uf:UF_BODY"], "dimensions", "UF_BODY"),  # a deal's field, not a lead's
    (["uf:"], "dimensions", "Нет пользовательского поля"),
    (["status", "pipeline"], "dimensions", "у лида нет направления"),
    (["uf:UF_CAR", "pipeline"], "dimensions", "у лида нет направления"),
    (["source", "source"], "dimensions", "дважды"),
])
def test_refusals_name_the_field(car_field, head, dimensions, field, text):  # noqa: F811
    with translation.override("ru"), pytest.raises(ValidationError) as exc:
        builder_run(dimensions=dimensions, measures=["leads"], period=MARCH, user=head)
    assert text in " ".join(exc.value.message_dict[field])


def test_check_measures(db):
    with translation.override("ru"), pytest.raises(ValidationError) as exc:
        builder_check(["source"], [])
    assert exc.value.message_dict == {"measures": ["Нужен хотя бы один показатель."]}
