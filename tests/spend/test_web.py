"""The /spend/ pages: who may open them, manual entry, upload → check → import, sync now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.spend import fakes
from voronka.crm.models import Source
from voronka.spend.models import ConnectorKind, SpendBatch, SpendConnector, SpendRow


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.parametrize("name", ["spend:index", "spend:entry", "spend:upload", "spend:connectors"])
def test_manager_gets_403_and_anonymous_is_sent_to_login(client, client_for, manager, name):
    assert client_for(manager).get(reverse(name)).status_code == 403
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_ledger_empty_state_and_totals(client_for, head):
    page = client_for(head).get(reverse("spend:index"))
    assert page.status_code == 200 and "За этот период расходов нет" in page.content.decode()
    gis = Source.objects.get(code="2GIS")
    SpendRow.objects.create(day=dt.date(2026, 3, 5), source=gis, amount=Decimal("1500.00"),
                            origin="manual", clicks=7)
    page = client_for(head).get(reverse("spend:index"), {"date_from": "2026-03-01",
                                                         "date_to": "2026-03-31", "source": "2GIS"})
    html = page.content.decode()
    assert "2ГИС" in html and "1\u202f500" in html and "За этот период расходов нет" not in html


def test_manual_entry_errors_next_to_fields(client_for, admin_user):
    page = client_for(admin_user).post(reverse("spend:entry"), {
        "source": "", "amount": "abc", "date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert page.status_code == 400
    form = page.context["form"]
    assert "source" in form.errors
    assert form.errors["amount"] == ["Введите сумму в рублях, не меньше нуля."]
    assert form.errors["date_to"] == ["Дата «по» раньше даты «с»."]
    assert not SpendRow.objects.exists()


def test_manual_entry_of_a_month(client_for, head):
    gis = Source.objects.get(code="2GIS")
    response = client_for(head).post(reverse("spend:entry"), {
        "source": gis.pk, "campaign_name": "Подписка", "date_from": "2026-02-01",
        "date_to": "2026-02-28", "amount": "5 000,00", "has_vat": "on", "clicks": "", "impressions": ""})
    assert response.status_code == 302, response.context["form"].errors
    rows = SpendRow.objects.filter(source=gis)
    assert rows.count() == 28 and sum(r.amount for r in rows) == Decimal("5000.00")


def test_upload_check_then_import(client_for, head):
    client = client_for(head)
    data = "Дата;Источник;Кампания;Сумма\n01.03.2026;2ГИС;Карточка;1000\n".encode("cp1251")
    response = client.post(reverse("spend:upload"), {
        "file": SimpleUploadedFile("spend.csv", data), "has_vat": "on"})
    assert response.status_code == 302
    check = SpendBatch.objects.get(dry_run=True)
    page = client.get(response["Location"])
    assert "Все строки в порядке." in page.content.decode() and not SpendRow.objects.exists()
    response = client.post(reverse("spend:import", args=[check.pk]))
    batch = SpendBatch.objects.get(dry_run=False)
    assert response["Location"] == reverse("spend:batch", args=[batch.pk])
    assert batch.status == "done" and SpendRow.objects.get().amount == Decimal("1000.00")


def test_upload_with_errors_cannot_import(client_for, head):
    client = client_for(head)
    data = "Дата,Источник,Сумма\nвчера,2ГИС,1000\n".encode()
    response = client.post(reverse("spend:upload"), {"file": SimpleUploadedFile("s.csv", data)})
    html = client.get(response["Location"]).content.decode()
    assert "не дата" in html and "disabled" in html


def test_sync_now_shows_progress_and_log(client_for, head):
    with fakes.FakeApi() as api:
        api.on(fakes.DIRECT_PATH, fakes.direct_report([("2026-03-01", "1", "Кампания", 10, 1, 50_000_000)]))
        connector = SpendConnector.objects.create(
            slug="direct", kind=ConnectorKind.YANDEX_DIRECT, base_url=api.url, token="t",
            source=Source.objects.get(code="YANDEX_DIRECT"))
        client = client_for(head)
        page = client.get(reverse("spend:connectors"))
        assert "Синхронизировать" in page.content.decode()
        response = client.post(reverse("spend:sync", args=[connector.pk]))
    batch = SpendBatch.objects.get(connector=connector)
    assert response["Location"] == reverse("spend:batch", args=[batch.pk])
    fragment = client.get(reverse("spend:progress", args=[batch.pk])).content.decode()
    assert batch.status == "done" and "100%" in fragment and "Получен отчёт" in fragment
    assert 'hx-trigger="every 1s"' not in fragment  # finished: the polling stops


def test_running_batch_polls_every_second(client_for, head):
    connector = SpendConnector.objects.create(slug="d", kind=ConnectorKind.YANDEX_DIRECT,
                                              source=Source.objects.get(code="YANDEX_DIRECT"))
    batch = SpendBatch.objects.create(origin="yandex_direct", connector=connector, status="running",
                                      progress=40, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 2),
                                      log="Отчёт формируется\n")
    html = client_for(head).get(reverse("spend:batch", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and reverse("spend:progress", args=[batch.pk]) in html
    assert 'aria-valuenow="40"' in html


@pytest.mark.parametrize("name", ["spend:index", "spend:entry", "spend:upload", "spend:connectors"])
def test_pages_open_for_head(client_for, head, name):
    page = client_for(head).get(reverse(name))
    assert page.status_code == 200 and "Расходы" in page.content.decode()
