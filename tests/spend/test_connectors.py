"""The connectors against local servers that answer as the real APIs do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.spend import fakes
from voronka.crm.models import Call, Lead, Source
from voronka.intake.models import InboundEvent
from voronka.spend.models import ConnectorKind, Origin, SpendBatch, SpendConnector, SpendRow
from voronka.spend.sync import connector_sync, spend_sync_due

D = dt.date


@pytest.fixture
def api():
    with fakes.FakeApi() as server:
        yield server


@pytest.fixture
def direct(db, api, monkeypatch) -> SpendConnector:
    monkeypatch.setenv("DIRECT_TOKEN", "y0_good")
    return SpendConnector.objects.create(
        slug="direct", kind=ConnectorKind.YANDEX_DIRECT, base_url=api.url, token="${DIRECT_TOKEN}",
        client_login="propusk-msk", source=Source.objects.get(code="YANDEX_DIRECT"))


@pytest.fixture
def avito_connector(db, api) -> SpendConnector:
    return SpendConnector.objects.create(
        slug="avito-main", kind=ConnectorKind.AVITO, base_url=api.url, client_id="cid",
        client_secret="csecret", account_id="12345", source=Source.objects.get(code="AVITO"))


REPORT = [("2026-03-01", "701", "Пропуска МКАД", 1000, 30, 1_234_560_000),
          ("2026-03-01", "702", "Пропуска ТТК", 500, 10, 99_990_000),
          ("2026-03-02", "701", "Пропуска МКАД", 800, 20, "--")]


def test_direct_report_in_micros(direct, api):
    api.on(fakes.DIRECT_PATH, fakes.direct_report(REPORT))
    batch = connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    assert batch.status == SpendBatch.Status.DONE, batch.log
    rows = {(r.day.isoformat(), r.campaign_id): r for r in SpendRow.objects.all()}
    assert rows[("2026-03-01", "701")].amount == Decimal("1234.56")
    assert rows[("2026-03-01", "702")].amount == Decimal("99.99")
    assert rows[("2026-03-02", "701")].amount == Decimal("0.00")
    assert rows[("2026-03-01", "701")].clicks == 30 and rows[("2026-03-01", "701")].impressions == 1000
    assert {r.origin for r in rows.values()} == {Origin.YANDEX_DIRECT}
    request = api.seen(fakes.DIRECT_PATH)[0]
    assert request.headers["Authorization"] == "Bearer y0_good"
    assert request.headers["Client-Login"] == "propusk-msk"
    assert request.headers["returnMoneyInMicros"] == "true"
    assert request.headers["processingMode"] == "auto"
    assert request.headers["skipReportHeader"] == "true"
    assert request.headers["skipReportSummary"] == "true"
    params = request.json()["params"]
    assert params["SelectionCriteria"] == {"DateFrom": "2026-03-01", "DateTo": "2026-03-02"}
    assert params["IncludeVAT"] == "YES" and params["Format"] == "TSV"
    assert params["FieldNames"] == ["Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost"]
    direct.refresh_from_db()
    assert direct.last_status == "done" and direct.last_sync_at is not None


def test_direct_without_vat_is_converted(direct, api):
    direct.include_vat = False
    direct.save()
    api.on(fakes.DIRECT_PATH, fakes.direct_report([("2026-03-01", "1", "К", 1, 1, 100_000_000)]))
    connector_sync(direct, D(2026, 3, 1), D(2026, 3, 1), sleep=lambda s: None)
    assert SpendRow.objects.get().amount == Decimal("120.00")
    assert api.seen(fakes.DIRECT_PATH)[0].json()["params"]["IncludeVAT"] == "NO"


def test_direct_queued_then_building_then_ready(direct, api):
    api.on(fakes.DIRECT_PATH, fakes.direct_queued(201, 7), fakes.direct_queued(202, 3),
           fakes.direct_report(REPORT))
    slept: list[float] = []
    batch = connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=slept.append)
    assert batch.status == "done" and batch.rows == 3
    assert slept == [7, 3]
    bodies = [r.body for r in api.seen(fakes.DIRECT_PATH)]
    assert len(bodies) == 3 and len(set(bodies)) == 1  # the same request each time
    assert "поставлен в очередь" in batch.log and "формируется" in batch.log


def test_direct_error_400_is_logged(direct, api):
    api.on(fakes.DIRECT_PATH, fakes.direct_error(
        4000, "Неверно заданы параметры запроса", "Поле DateFrom имеет неверный формат"))
    batch = connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    assert batch.status == "failed"
    assert "Неверно заданы параметры запроса" in batch.log and "4000" in batch.error
    assert not SpendRow.objects.exists()


@pytest.mark.parametrize("status", [400, 401])
def test_direct_expired_token(direct, api, status):
    SpendRow.objects.create(day=D(2026, 3, 1), source=direct.source, amount=5, origin=Origin.YANDEX_DIRECT)
    api.on(fakes.DIRECT_PATH, fakes.direct_error(53, "Ошибка авторизации", "OAuth-токен недействителен",
                                                 status=status))
    batch = connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    assert batch.status == "failed"
    assert "Токен Яндекс.Директа недействителен или истёк" in batch.error
    assert SpendRow.objects.count() == 1  # nothing replaced, nothing written
    direct.refresh_from_db()
    assert direct.last_status == "failed"


def test_direct_reimport_replaces(direct, api):
    api.on(fakes.DIRECT_PATH, fakes.direct_report(REPORT))
    connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    assert SpendRow.objects.count() == 3


def test_missing_env_token(direct, api, monkeypatch):
    monkeypatch.delenv("DIRECT_TOKEN")
    batch = connector_sync(direct, D(2026, 3, 1), D(2026, 3, 2), sleep=lambda s: None)
    assert batch.status == "failed" and "DIRECT_TOKEN" in batch.error
    assert not api.requests


def test_sync_due(direct, api):
    api.on(fakes.DIRECT_PATH, fakes.direct_report(REPORT))
    assert spend_sync_due(sleep=lambda s: None) == 1
    assert spend_sync_due(sleep=lambda s: None) == 0  # synced less than a day ago
    batch = SpendBatch.objects.get()
    assert (batch.date_to - batch.date_from).days == direct.days_back - 1


CALLS = [
    {"callId": 9001, "itemId": 555, "buyerPhone": "+79161234567", "sellerPhone": "+74951500000",
     "virtualPhone": "+79990001122", "callTime": "2026-03-01T09:15:00Z", "talkDuration": 95,
     "waitingDuration": 4.5},
    {"callId": 9002, "itemId": 555, "buyerPhone": "+79167654321", "sellerPhone": "+74951500000",
     "virtualPhone": "+79990001122", "callTime": "2026-03-01T10:00:00Z", "talkDuration": 0,
     "waitingDuration": 20},
]


def _avito_script(api, calls=CALLS):
    api.on(fakes.AVITO_TOKEN_PATH, fakes.avito_token())
    api.on(fakes.avito_spendings_path("12345"), fakes.avito_spendings(
        {"2026-03-01": {"promotion": 450.5, "presence": 100}, "2026-03-02": {"promotion": 300}}))
    api.on(fakes.AVITO_CALLS_PATH, fakes.avito_calls(calls))


def test_avito_token_spendings_and_calls(avito_connector, api, manager):
    _avito_script(api)
    batch = connector_sync(avito_connector, D(2026, 3, 1), D(2026, 3, 2))
    assert batch.status == "done", batch.log
    token_request = api.seen(fakes.AVITO_TOKEN_PATH)[0]
    assert token_request.form() == {"grant_type": "client_credentials", "client_id": "cid",
                                    "client_secret": "csecret"}
    spend_request = api.seen(fakes.avito_spendings_path("12345"))[0]
    assert spend_request.headers["Authorization"] == "Bearer avito-access-token"
    assert spend_request.json() == {"dateFrom": "2026-03-01", "dateTo": "2026-03-02", "grouping": "day"}
    assert sum(r.amount for r in SpendRow.objects.filter(origin=Origin.AVITO)) == Decimal("850.50")
    assert set(SpendRow.objects.values_list("campaign_name", flat=True)) == {"Продвижение", "Размещение"}
    calls = Call.objects.filter(provider="avito").order_by("external_id")
    assert [c.external_id for c in calls] == ["avito-main:9001", "avito-main:9002"]
    assert calls[0].result == "answered" and calls[1].is_missed
    leads = Lead.objects.filter(pk__in=[c.lead_id for c in calls])
    assert leads.count() == 2 and {lead.source.code for lead in leads} == {"AVITO"}
    assert "новых 2" in batch.log
    # A second sync of the same days: the calls are known, nothing is doubled.
    batch2 = connector_sync(avito_connector, D(2026, 3, 1), D(2026, 3, 2))
    assert batch2.status == "done" and "уже загруженных 2" in batch2.log
    assert Call.objects.filter(provider="avito").count() == 2 and Lead.objects.count() == 2
    assert InboundEvent.objects.filter(provider="avito").count() == 2
    assert SpendRow.objects.filter(origin=Origin.AVITO).count() == 3


def test_avito_refused_credentials(avito_connector, api):
    api.on(fakes.AVITO_TOKEN_PATH, fakes.avito_token_refused())
    batch = connector_sync(avito_connector, D(2026, 3, 1), D(2026, 3, 2))
    assert batch.status == "failed" and "Проверьте client_id и client_secret" in batch.error
    assert not SpendRow.objects.exists()


def test_avito_unauthorized_spendings(avito_connector, api):
    api.on(fakes.AVITO_TOKEN_PATH, fakes.avito_token())
    api.on(fakes.avito_spendings_path("12345"), fakes.avito_unauthorized())
    batch = connector_sync(avito_connector, D(2026, 3, 1), D(2026, 3, 2))
    assert batch.status == "failed" and "отказал в доступе" in batch.error
