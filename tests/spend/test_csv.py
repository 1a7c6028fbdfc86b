"""Spend files: CSV in any delimiter and encoding, XLSX, the per-row report, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voronka.crm.models import Source
from voronka.spend.imports import spend_file_check, spend_file_import
from voronka.spend.models import Origin, SpendBatch, SpendRow

CSV = ("Дата;Источник;Кампания;Сумма;Клики;Показы\n"
       "01.03.2026;2ГИС;Карточка;1 200,50;10;1000\n"
       "2026-03-02;YANDEX_MAPS;Метка;300;3;\n")


def test_csv_cp1251_semicolon_imports(db):
    batch = spend_file_import(CSV.encode("cp1251"), file_name="march.csv")
    assert batch.status == SpendBatch.Status.DONE, batch.log
    rows = SpendRow.objects.order_by("day")
    assert [(r.source.code, r.amount, r.clicks, r.impressions) for r in rows] == [
        ("2GIS", Decimal("1200.50"), 10, 1000), ("YANDEX_MAPS", Decimal("300.00"), 3, 0)]
    assert {r.origin for r in rows} == {Origin.FILE} and batch.rows == 2


def test_period_columns_and_default_source_and_vat(db):
    data = "С,По,Кампания,Сумма\n01.02.2026,28.02.2026,Подписка,2800\n".encode()
    gis = Source.objects.get(code="2GIS")
    batch = spend_file_import(data, default_source=gis, has_vat=False)
    assert batch.status == "done"
    rows = SpendRow.objects.filter(source=gis)
    assert rows.count() == 28 and sum(r.amount for r in rows) == Decimal("3360.00")


def test_xlsx(db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Source", "Campaign", "Cost", "Clicks"])
    import datetime as dt
    sheet.append([dt.datetime(2026, 4, 5), "Авито", "Объявление", 99.9, 4])
    out = io.BytesIO()
    book.save(out)
    batch = spend_file_import(out.getvalue(), file_name="x.xlsx")
    assert batch.status == "done", batch.log
    row = SpendRow.objects.get()
    assert (row.day.isoformat(), row.source.code, row.amount, row.clicks) == (
        "2026-04-05", "AVITO", Decimal("99.90"), 4)


def test_bad_rows_are_reported_and_nothing_is_written(db):
    data = ("Дата,Источник,Сумма,Клики\n"
            "01.03.2026,2ГИС,100,1\n"
            "32.03.2026,2ГИС,100,1\n"
            "02.03.2026,Нет такого,abc,-5\n").encode()
    check = spend_file_check(data)
    assert check.dry_run and check.report["ok"] == 1 and check.report["error"] == 2
    messages = {r["row"]: " ".join(r["messages"]) for r in check.report["rows"]}
    assert "не дата" in messages[3]
    assert "нет источника «Нет такого»" in messages[4] and "не сумма" in messages[4]
    assert "не целое число" in messages[4]
    batch = spend_file_import(data)
    assert batch.status == "failed" and "ошибками — 2" in batch.error
    assert not SpendRow.objects.exists()


def test_reimport_of_the_same_file_replaces(db):
    spend_file_import(CSV.encode())
    spend_file_import(CSV.replace("300;3", "400;3").encode())
    assert SpendRow.objects.count() == 2
    assert sum(r.amount for r in SpendRow.objects.all()) == Decimal("1600.50")


def test_duplicate_rows_in_file(db):
    data = "Дата,Источник,Сумма\n01.03.2026,2GIS,1\n01.03.2026,2GIS,2\n".encode()
    report = spend_file_check(data).report
    assert report["rows"][0]["messages"] == ["Дубль строки 2."]


cell = st.one_of(st.text(max_size=12), st.sampled_from(["01.03.2026", "2ГИС", "AVITO", "1 000,5", "",
                                                        "-3", "2026-13-01", "1e9", "NaN", "∞"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=6), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))
@pytest.mark.django_db
def test_random_files_never_crash_or_half_write(rows, delimiter):
    SpendRow.objects.all().delete()
    header = delimiter.join(["Дата", "Источник", "Кампания", "Сумма", "Клики", "Показы"])
    text = "\n".join([header, *(delimiter.join(c.replace(delimiter, " ").replace("\n", " ")
                                               .replace('"', "") for c in r) for r in rows)])
    check = spend_file_check(text.encode())
    batch = spend_file_import(text.encode())
    assert batch.status in ("done", "failed")
    written = SpendRow.objects.count()
    if batch.status == "failed":
        assert written == 0
    else:
        assert check.report["error"] == 0 and written == batch.rows
