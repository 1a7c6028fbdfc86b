from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voronka.imports.models import ImportJob
from voronka.intake.imports.mapping import mapping_guess
from voronka.intake.imports.reader import Table
from voronka.intake.imports.service import import_run
from voronka.intake.imports.validation import table_validate


@pytest.fixture
def job(db):
    return ImportJob.objects.create(file_name="a.csv", total=10, processed=5, created=4, failed=1,
                                    status="running", report={"totals": {"total": 10}})


def test_status_for_admin_and_head(api_for, admin_user, head, job):
    for user in (admin_user, head):
        response = api_for(user).get(f"/imports/{job.pk}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["total"], body["processed"], body["percent"]) == (
            "running", 10, 5, 50)
        assert body["report"] == {"totals": {"total": 10}}


def test_status_refused_to_managers_and_strangers(api_for, manager, admin_user, job):
    assert api_for(manager).get(f"/imports/{job.pk}").status_code == 403
    assert api_for(admin_user).get("/imports/999999").status_code == 404
    from django.test import Client

    assert Client().get(f"/api/v1/imports/{job.pk}").status_code == 401


HEADERS = ["Телефон", "E-mail", "Имя", "Источник", "Сумма", "Дата", "utm_source", "Комментарий"]
cell = st.one_of(st.text(max_size=40), st.sampled_from(
    ["+79001234567", "8 900 123-45-67", "a@b.ru", "1e999999", "NaN", "-1", "31.02.2024",
     "9999-12-31", "Авито", "AVITO", "", "doб. 12", "\x00"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(dict.fromkeys(HEADERS, cell)), max_size=8))
def test_random_cells_never_raise(db, rows):
    table = Table(HEADERS, rows, "f" * 64)
    results = table_validate(table, mapping_guess(HEADERS))
    assert len(results) == len(rows)
    for result in results:
        assert result.status in {"ok", "error", "duplicate", "exists", "imported"}
        assert result.status != "error" or result.messages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "cp1251"]))
def test_random_file_imports_without_raising(db, rows, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    report = import_run(data, file_name="fuzz.csv")
    assert all(r.status in {"created", "error", "duplicate", "exists", "imported", "failed"}
               for r in report.rows)
