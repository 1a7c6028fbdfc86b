"""Funnel, managers, LTV and attribution against numbers known by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.analytics.test_channels_and_leads import MARCH, run
from tests.analytics.world import at
from voronka.analytics.attribution import credit_split
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import report_run


def test_funnel_cohort_and_event(march_world, head):
    result = run("funnel", head)
    steps = {r["step"]: r for r in result.rows}
    assert [steps[s]["cohort"] for s in ("leads", "handled", "converted", "deals", "won")] == [5, 5, 3, 3, 3]
    assert [steps[s]["event"] for s in ("leads", "handled", "converted", "deals", "won")] == [5, 4, 2, 3, 2]
    assert result.totals == {"cohort_revenue": Decimal("90000.50"), "event_revenue": Decimal("40000.50")}
    assert "когорт" in result.note and "событиям" in result.note
    assert steps["converted"]["cohort_from_previous"] == Decimal("0.6000")
    only = report_run("funnel", period=period_parse(*MARCH), user=head, model="event")
    assert "cohort" not in only.rows[0]


def test_managers(march_world, head, manager, other_manager):
    rows = {r["manager_id"]: r for r in run("managers", head).rows}
    mine, other = rows[manager.pk], rows[other_manager.pk]
    assert (mine["leads"], mine["response_median"], mine["response_p90"]) == (3, 600, 1800)
    assert mine["sla_breaches"] == 0
    assert (other["leads"], other["sla_breaches"]) == (2, 1)
    assert mine["won_deals"] == 1 and mine["revenue"] == Decimal("10000.00")
    assert other["revenue"] == Decimal("30000.50")
    assert other["upsell_deals"] == 1 and other["upsell_revenue"] == Decimal("10000.00")
    assert mine["upsell_revenue"] == Decimal("0.00")
    assert [r["manager_id"] for r in run("managers", manager).rows] == [manager.pk]


def test_ltv_by_first_touch(march_world, head):
    march = {r["source"]: r for r in run("ltv", head).rows}
    assert march["YANDEX_DIRECT"]["clients"] == 2 and march["YANDEX_DIRECT"]["revenue"] == Decimal("80000.50")
    assert march["YANDEX_DIRECT"]["ltv"] == Decimal("40000.25")
    assert march["YANDEX_DIRECT"]["revenue_30d"] == Decimal("80000.50")
    january_rows = run("ltv", head, dates=(dt.date(2026, 1, 1), dt.date(2026, 1, 31))).rows
    january = {r["source"]: r for r in january_rows}
    avito = january["AVITO"]
    assert (avito["clients"], avito["won_deals"], avito["revenue"]) == (1, 2, Decimal("30000.00"))
    assert avito["revenue_30d"] == Decimal("20000.00") and avito["revenue_90d"] == Decimal("30000.00")


@pytest.fixture
def many_touches(march_world, manager):
    w = march_world
    client = w.contact(first_source="AVITO", first_at=at("2026-03-01 10:00"))
    for when, source in (("2026-03-01 10:00", "AVITO"), ("2026-03-05 10:00", "DIRECT"),
                         ("2026-03-09 10:00", "DIRECT")):
        w.lead(at(when), source, contact=client, responsible=manager)
    site = w.lead(at("2026-03-08 10:00"), "SITE", status="CONVERTED", contact=client, responsible=manager)
    w.deal(at("2026-03-08 11:00"), "1000.01", lead=site, stage="WON", closed_on=dt.date(2026, 3, 10),
           responsible=manager)
    return client


@pytest.mark.parametrize(("model", "expected"), [
    ("first_touch", {"AVITO": "1000.01"}),
    ("last_touch", {"DIRECT": "1000.01"}),
    ("last_non_direct", {"SITE": "1000.01"}),
    ("linear", {"AVITO": "250.01", "DIRECT": "500.00", "SITE": "250.00"}),
    ("position_based", {"AVITO": "400.01", "DIRECT": "500.00", "SITE": "100.00"}),
])
def test_attribution_models(many_touches, head, model, expected):
    result = report_run("attribution", period=period_parse(*MARCH), user=head, model=model)
    got = {r["source"]: r["revenue"] for r in result.rows}
    # The other deals of March: D2 (Директ, one touch) and D3 (a repeat client, one touch via the site).
    got["YANDEX_DIRECT"] -= Decimal("30000.50")
    got["SITE"] = got.get("SITE", Decimal(0)) - Decimal("10000.00")
    got = {k: v for k, v in got.items() if v}
    assert got == {k: Decimal(v) for k, v in expected.items()}
    assert sum(r["revenue"] for r in result.rows) == result.totals["revenue"] == Decimal("41000.51")


def test_attribution_window_can_be_narrowed(many_touches, head, settings):
    """The client first came from Avito 9 days before the win; with a 3-day window only the
    site (2 days before) and Директ (1 day before) are touches, so first touch is the site."""
    def first_touch(**kwargs) -> dict:
        result = report_run("attribution", period=period_parse(*MARCH), user=head,
                            model="first_touch", **kwargs)
        return result, {r["source"]: r["revenue"] for r in result.rows}

    result, wide = first_touch()
    assert wide.get("AVITO") == Decimal("1000.01") and "28" in result.note
    result, narrow = first_touch(window_days=3)
    assert "AVITO" not in narrow and "3 дня " in result.note
    assert sum(narrow.values()) == sum(wide.values()) == result.totals["revenue"]
    settings.ATTRIBUTION_WINDOW_DAYS = 3
    assert first_touch()[1] == narrow
    with pytest.raises(ValidationError):
        first_touch(window_days=0)


def test_time_decay_favours_recent(many_touches, head):
    result = report_run("attribution", period=period_parse(*MARCH), user=head, model="time_decay")
    got = {r["source"]: r["revenue"] for r in result.rows}
    assert sum(got.values()) == Decimal("41000.51")
    assert got["DIRECT"] > Decimal("500")  # the two direct touches are the most recent


def test_credit_split_exact():
    assert credit_split(Decimal("0.10"), [1, 1, 1]) == [Decimal("0.04"), Decimal("0.03"), Decimal("0.03")]
    assert sum(credit_split(Decimal("100.00"), [0.4, 0.2, 0.4])) == Decimal("100.00")
