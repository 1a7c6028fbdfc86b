"""`forms:` and `utm_rules:` of `voronka setup apply`: validated with paths, idempotent."""

from __future__ import annotations

import copy

import pytest

from voronka.crm.models import Source
from voronka.setup.errors import SetupValidationError
from voronka.setup.services import setup_apply
from voronka.webforms.models import FormField, UtmRule, WebForm

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "sources": [{"code": "FLYERS", "name": "Листовки"}],
    "forms": [{
        "slug": "propusk", "name": "Заявка на пропуск", "source": "FLYERS",
        "allowed_origins": ["https://Okna-Plus.ru/"], "min_fill_seconds": 5,
        "fields": [
            {"name": "name", "label": "Имя", "type": "text", "required": True, "maps_to": "name"},
            {"name": "phone", "label": "Телефон", "type": "phone", "required": True, "maps_to": "phone"},
            {"name": "pass_type", "label": "Пропуск", "type": "select", "options": ["МКАД", "ТТК"]},
        ],
    }],
    "utm_rules": [
        {"utm_source": "Flyer", "utm_medium": "qr", "source": "FLYERS"},
        {"utm_source": "yandex", "utm_medium": "cpc", "source": "YANDEX_DIRECT", "sort": 5},
    ],
}


def snapshot():
    return (list(WebForm.objects.values()), list(FormField.objects.values()),
            list(UtmRule.objects.values()), list(Source.objects.values()))


def errors_of(document) -> list[str]:
    before = snapshot()
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document)
    assert snapshot() == before, "a failed apply must write nothing"
    return [str(issue) for issue in caught.value.issues]


def test_apply_creates_then_is_idempotent():
    report = setup_apply(copy.deepcopy(DOCUMENT))
    assert report.sections["forms"].summary() == "1 created, 0 updated, 0 unchanged"
    # yandex/cpc exists (data migration) with this source already; only the sort changes
    assert report.sections["utm_rules"].summary() == "1 created, 1 updated, 0 unchanged"
    form = WebForm.objects.get(slug="propusk")
    assert form.source.code == "FLYERS" and form.allowed_origins == ["https://okna-plus.ru"]
    assert form.min_fill_seconds == 5
    assert [(f.name, f.field_type, f.required, f.maps_to, f.sort) for f in form.fields.order_by("sort")] == [
        ("name", "text", True, "name", 10), ("phone", "phone", True, "phone", 20),
        ("pass_type", "select", False, "", 30)]
    rule = UtmRule.objects.get(utm_source="flyer")
    assert (rule.utm_medium, rule.source.code) == ("qr", "FLYERS")
    before = snapshot()
    again = setup_apply(copy.deepcopy(DOCUMENT))
    assert not again.has_changes
    assert again.lines() == ["sources: 0 created, 0 updated, 1 unchanged",
                             "forms: 0 created, 0 updated, 1 unchanged",
                             "utm_rules: 0 created, 0 updated, 2 unchanged"]
    assert snapshot()[:3] == before[:3]


def test_changes_are_reported_and_other_items_left_alone():
    setup_apply(copy.deepcopy(DOCUMENT))
    FormField.objects.create(form=WebForm.objects.get(), name="extra", label="Доп.", sort=99)
    document = copy.deepcopy(DOCUMENT)
    document["forms"][0]["fields"][0]["label"] = "Ваше имя"
    document["forms"][0]["source"] = "SITE"
    document["utm_rules"][0]["source"] = "SITE"
    report = setup_apply(document)
    assert "form propusk: updated (source, field name: label)" in report.sections["forms"].details
    assert "utm rule flyer/qr/*: updated (source)" in report.sections["utm_rules"].details
    assert FormField.objects.filter(name="extra").exists()


def test_dry_run_with_a_source_defined_in_the_same_file_writes_nothing():
    before = snapshot()
    report = setup_apply(copy.deepcopy(DOCUMENT), dry_run=True)
    assert report.sections["forms"].created == 1 and report.sections["utm_rules"].created == 1
    assert snapshot() == before


def test_errors_name_their_paths():
    document = {
        "forms": [
            {"slug": "a b", "name": "", "fields": []},
            {"slug": "ok", "name": "Форма", "source": "NOPE", "allowed_origins": ["ftp://x", "https://x.ru/p"],
             "min_fill_seconds": True,
             "fields": [
                 {"name": "Name", "label": "Имя", "type": "text"},
                 {"name": "utm_source", "label": "Метка", "type": "hidden"},
                 {"name": "pick", "label": "Выбор", "type": "select"},
                 {"name": "t", "label": "Текст", "type": "text", "options": ["a"]},
                 {"name": "x", "label": "X", "type": "radio", "maps_to": "UF_lower"},
             ]},
            {"slug": "ok2", "name": "Форма 2", "fields": [
                {"name": "a", "label": "A", "type": "text", "maps_to": "name"},
                {"name": "a", "label": "A", "type": "text", "maps_to": "name"},
                {"name": "car", "label": "Авто", "type": "text", "maps_to": "UF_CRM_MISSING"},
            ]},
        ],
        "utm_rules": [
            {"utm_source": "", "source": "SITE"},
            {"utm_source": "x", "source": "NOPE"},
            {"utm_source": "Avito", "source": "SITE"},
            {"utm_source": "avito", "source": "AVITO", "colour": "red"},
        ],
    }
    errors = errors_of(document)
    expected_paths = [
        "forms[0].slug", "forms[0].name", "forms[1].allowed_origins[0]", "forms[1].allowed_origins[1]",
        "forms[1].min_fill_seconds", "forms[1].fields[0].name", "forms[1].fields[1].name",
        "forms[1].fields[2]", "forms[1].fields[3]", "forms[1].fields[4].type",
        "forms[1].fields[4].maps_to", "forms[2].fields[1].name", "forms[2].fields[1].maps_to",
        "forms[2].fields[2].maps_to", "utm_rules[0].utm_source", "utm_rules[1].source",
        "utm_rules[3].colour",
    ]
    for path in expected_paths:
        assert any(error.startswith(f"{path}:") for error in errors), (path, errors)


def test_duplicate_utm_rules_in_the_file():
    errors = errors_of({"utm_rules": [{"utm_source": "Avito", "source": "SITE"},
                                      {"utm_source": "avito ", "source": "AVITO"}]})
    assert errors == ["utm_rules[1].utm_source: duplicate “avito//”: already used at utm_rules[0].utm_source"]


def test_unknown_source_of_a_form():
    errors = errors_of({"forms": [{"slug": "f", "name": "F", "source": "NOPE"}]})
    assert len(errors) == 1 and errors[0].startswith("forms[0].source: unknown source")
