from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from voronka.accounts.services import api_token_create

PARAMS = {"from": "2026-03-01", "to": "2026-03-31"}


def get(user, path: str, params: dict | None = None):
    _token, raw = api_token_create(user=user)
    return Client().get("/api/v1/reports" + path, params or {}, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_channels_json(march_world, head):
    response = get(head, "/channels", PARAMS)
    assert response.status_code == 200, response.content
    rows = {r["source"]: r for r in response.json()["rows"]}
    assert rows["YANDEX_DIRECT"]["revenue"] == "30000.50" and rows["SITE"]["roi"] is None


def test_api_manager_gets_own_data_only(march_world, manager):
    rows = get(manager, "/leads-by-manager", PARAMS).json()["rows"]
    assert [r["manager_id"] for r in rows] == [manager.pk]
    channels = get(manager, "/channels", PARAMS).json()["rows"]
    assert all(r["spend"] is None for r in channels)


def test_api_formats_and_errors(march_world, head):
    response = get(head, "/channels", {**PARAMS, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:2] == ["source", "source_name"] and lines[-1][0] == "ИТОГО"
    xlsx = get(head, "/leads-by-source", {**PARAMS, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=3, column=2).value == "Источник"
    assert get(head, "/nope", PARAMS).status_code == 404
    bad = get(head, "/channels", {"from": "2026-13-01", "to": "2026-03-31"})
    assert bad.status_code == 400 and "ГГГГ-ММ-ДД" in bad.json()["message"]
    assert get(head, "/channels", {**PARAMS, "source": "NOPE"}).status_code == 400
    assert Client().get("/api/v1/reports/channels", PARAMS).status_code == 401
    listed = get(head, "").json()
    assert {"channels", "funnel", "attribution"} <= {r["name"] for r in listed}


def test_cli_json_and_file(march_world, tmp_path):
    out = io.StringIO()
    call_command("report", "channels", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert {r["source"] for r in data["rows"]} == {"AVITO", "YANDEX_DIRECT", "SITE"}
    target = tmp_path / "report.xlsx"
    call_command("report", "leads-by-status", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--format", "xlsx", "--output", str(target))
    assert load_workbook(target).active.max_row >= 4
    with pytest.raises(CommandError):
        call_command("report", "channels", "--from", "2026-03-31", "--to", "2026-03-01")


def test_api_period_is_the_user_s_days_unless_tz_is_given(march_world, head):
    """A lead made at 22:00 on March 31 in Moscow is made on April 1 in Vladivostok."""
    from tests.analytics.world import at

    def site_leads(params: dict) -> int:
        rows = get(head, "/leads-by-source", {**PARAMS, **params}).json()["rows"]
        return sum(row["leads"] for row in rows if row.get("source") == "SITE")

    before = site_leads({})
    march_world.lead(at("2026-03-31 22:00"), "SITE")
    assert site_leads({}) == before + 1  # the head's zone is the company's: Moscow
    head.time_zone = "Asia/Vladivostok"
    head.save(update_fields=["time_zone"])
    assert site_leads({}) == site_leads({"tz": "Asia/Vladivostok"})
    assert site_leads({}) < site_leads({"tz": "Europe/Moscow"})


def test_api_and_cli_take_the_attribution_window(march_world, head):
    wide = get(head, "/attribution", PARAMS).json()
    narrow = get(head, "/attribution", {**PARAMS, "window": "1"}).json()
    assert "28" in wide["note"] and "1 день " in narrow["note"]
    refused = get(head, "/attribution", {**PARAMS, "window": "0"})
    assert refused.status_code == 400 and "Окно атрибуции" in refused.content.decode()
    out = io.StringIO()
    call_command("report", "attribution", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--window", "1", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["note"] == narrow["note"]
