"""Reconciliation: the reports equal numbers known by hand and numbers recomputed in Python."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from tests.analytics.world import expected_channels
from voronka.analytics.export import result_dict
from voronka.analytics.periods import Period, period_parse
from voronka.analytics.reports import report_run
from voronka.analytics.scope import ReportFilters

MARCH = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def run(name: str, user=None, tz: str = "Europe/Moscow", dates=MARCH, **filters):
    period = period_parse(dates[0], dates[1], tz)
    return report_run(name, period=period, user=user, filters=ReportFilters.from_mapping(filters))


def by_source(result) -> dict[str, dict]:
    return {row["source"]: row for row in result.rows}


def test_channels_known_numbers(march_world, head):
    rows = by_source(run("channels", head))
    assert set(rows) == {"AVITO", "YANDEX_DIRECT", "SITE"}
    avito, direct, site = rows["AVITO"], rows["YANDEX_DIRECT"], rows["SITE"]
    assert (avito["leads"], avito["junk_leads"], avito["deals"], avito["won_deals"]) == (2, 1, 0, 0)
    assert avito["spend"] == Decimal("1500.00") and avito["roi"] == Decimal("-1.0000")
    assert avito["cac"] is None and avito["cpl"] == Decimal("750.00")
    assert (direct["leads"], direct["deals"], direct["won_deals"], direct["new_customers"]) == (2, 1, 1, 1)
    assert direct["revenue"] == Decimal("30000.50") and direct["cac"] == Decimal("3000.00")
    assert direct["roi"] == Decimal("9.0002") and direct["roas"] == Decimal("10.0002")
    assert direct["drr"] == Decimal("0.1000") and direct["clicks"] == 100
    # Zero spend: every ratio over spend is "—", never 0 or infinity.
    assert site["spend"] == Decimal("0.00")
    assert site["roi"] is None and site["romi"] is None and site["roas"] is None
    assert site["cpl"] == Decimal("0.00")  # nothing spent on one lead: a real zero
    assert site["deals"] == 2 and site["won_deals"] == 1 and site["new_customers"] == 0
    assert site["drr"] == Decimal("0.0000")


def test_channels_equal_python_recount(march_world, head):
    for zone in ("Europe/Moscow", "UTC", "Asia/Vladivostok"):
        expected = expected_channels(*MARCH, zoneinfo.ZoneInfo(zone))
        rows = by_source(run("channels", head, tz=zone))
        assert set(rows) == set(expected)
        for code, want in expected.items():
            got = rows[code]
            for key in ("leads", "junk_leads", "deals", "won_deals", "revenue", "new_customers",
                        "spend", "clicks"):
                assert got[key] == want[key], (zone, code, key)


def test_time_zone_midnight(march_world, head):
    moscow = by_source(run("channels", head))
    utc = by_source(run("channels", head, tz="UTC"))
    assert moscow["AVITO"]["leads"] == 2
    assert utc["AVITO"]["leads"] == 1  # 00:30 MSK on March 1 is February 28 in UTC


def test_totals_and_json_shape(march_world, head):
    result = run("channels", head)
    data = result_dict(result)
    assert data["totals"]["leads"] == 5 and data["totals"]["revenue"] == "40000.50"
    assert data["totals"]["spend"] == "4500.00"
    row = next(r for r in data["rows"] if r["source"] == "SITE")
    for key in ("source", "source_name", "spend", "clicks", "leads", "junk_leads", "deals", "won_deals",
                "revenue", "new_customers", "cpl", "cac", "roi", "romi"):
        assert key in row
    assert row["roi"] is None and row["spend"] == "0.00" and row["source_name"] == "Сайт"
    assert {c["kind"] for c in data["columns"]} >= {"money", "count", "ratio", "text"}
    assert data["chart"]["kind"] == "bar"


def test_filters(march_world, head, manager):
    direct_only = run("channels", head, source="YANDEX_DIRECT", campaign="remont_search")
    assert [r["source"] for r in direct_only.rows] == ["YANDEX_DIRECT"]
    assert direct_only.rows[0]["spend"] == Decimal("3000.00")
    repeat = by_source(run("channels", head, repeat="repeat"))
    assert repeat["SITE"]["won_deals"] == 1 and repeat["SITE"]["leads"] == 1
    assert "AVITO" not in repeat or repeat["AVITO"]["leads"] == 0
    mine = by_source(run("channels", head, manager=str(manager.pk)))
    assert mine["AVITO"]["leads"] == 1 and mine["AVITO"]["spend"] is None


def test_manager_sees_only_own(march_world, manager):
    rows = by_source(run("channels", manager))
    expected = expected_channels(*MARCH, manager_id=manager.pk)
    assert {k: v["leads"] for k, v in rows.items()} == {k: v["leads"] for k, v in expected.items()}
    assert all(r["spend"] is None and r["roi"] is None for r in rows.values())


def test_period_with_no_leads(march_world, head):
    result = run("channels", head, dates=(dt.date(2025, 6, 1), dt.date(2025, 6, 30)))
    assert result.rows == [] and result.totals["leads"] == 0 and result.totals["cpl"] is None


def test_leads_by_status_source_manager(march_world, head, manager, other_manager):
    status = {r["status"]: r for r in run("leads-by-status", head).rows}
    assert {k: v["leads"] for k, v in status.items()} == {"NEW": 1, "CONVERTED": 3, "JUNK": 1}
    assert status["JUNK"]["share"] == Decimal("0.2000")
    totals = run("leads-by-status", head).totals
    assert totals["junk_share"] == Decimal("0.2000") and totals["conversion"] == Decimal("0.6000")
    source = by_source(run("leads-by-source", head))
    assert source["AVITO"]["junk_share"] == Decimal("0.5000")
    assert source["YANDEX_DIRECT"]["conversion"] == Decimal("1.0000")
    managers = {r["manager_id"]: r for r in run("leads-by-manager", head).rows}
    assert managers[manager.pk]["leads"] == 3 and managers[other_manager.pk]["leads"] == 2
    own = run("leads-by-manager", manager).rows
    assert [r["manager_id"] for r in own] == [manager.pk]


def test_period_parse_bounds():
    period = period_parse("2026-03-01", "2026-03-31", "Europe/Moscow")
    assert period.start == dt.datetime(2026, 2, 28, 21, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 3, 31, 21, tzinfo=dt.UTC)
    assert isinstance(period, Period) and period.previous().date_to == dt.date(2026, 2, 28)
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        period_parse("2026-03-31", "2026-03-01")
    with pytest.raises(ValidationError):
        period_parse("2026-03-01", "2026-03-31", "Mars/Olympus")
