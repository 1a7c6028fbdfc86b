from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from voronka.analytics.builder import builder_run, saved_report_run
from voronka.analytics.dashboard import dashboard
from voronka.analytics.models import SavedReport
from voronka.analytics.periods import period_parse
from voronka.analytics.selectors import saved_reports_visible_to

MARCH = period_parse("2026-03-01", "2026-03-31")


def test_builder_source_by_month(march_world, head):
    result = builder_run(dimensions=["source", "month"], measures=["leads", "revenue", "spend", "roi"],
                         period=MARCH, user=head)
    rows = {(r["source"], r["month"]): r for r in result.rows}
    assert rows[("Яндекс.Директ", "2026-03")]["revenue"] == Decimal("30000.50")
    assert rows[("Яндекс.Директ", "2026-03")]["roi"] == Decimal("9.0002")
    assert result.totals["leads"] == 5 and result.totals["spend"] == Decimal("4500.00")


def test_builder_lead_dimensions_and_errors(march_world, head):
    result = builder_run(dimensions=["status", "utm_campaign"], measures=["leads", "junk_share"],
                         period=MARCH, user=head)
    assert sum(r["leads"] for r in result.rows) == 5
    with pytest.raises(ValidationError):
        builder_run(dimensions=["planet"], measures=["leads"], period=MARCH, user=head)


def test_saved_report_sharing(march_world, head, manager):
    report = SavedReport.objects.create(name="Каналы", owner=head, dimensions=["source"],
                                        measures=["leads", "won_deals"], shared_with_roles=["manager"],
                                        filters={"repeat": "new"})
    assert list(saved_reports_visible_to(manager)) == [report]
    result = saved_report_run(report, period=MARCH, user=manager)
    assert result.title == "Каналы" and all(r["won_deals"] == 0 for r in result.rows)


def test_dashboard_presets(march_world, head):
    month = dashboard("month", user=head, today=dt.date(2026, 3, 31))
    assert month["figures"]["leads"]["current"] == 5
    assert month["figures"]["revenue"]["current"] == Decimal("40000.50")
    assert month["figures"]["spend"]["current"] == Decimal("4500.00")
    assert month["previous_period"] == {"from": "2026-02-01", "to": "2026-02-28", "tz": "Europe/Moscow"}
    assert len(month["series"]) == 31 and sum(d["leads"] for d in month["series"]) == 5
    today = dashboard("today", user=head, today=dt.date(2026, 3, 31))
    assert today["figures"]["leads"]["current"] == 1 and today["figures"]["leads"]["previous"] == 0
    assert today["figures"]["leads"]["change"] is None
    week = dashboard("week", user=head, today=dt.date(2026, 3, 25))
    assert week["period"]["from"] == "2026-03-23"


def test_builder_by_deal_stage_equals_a_plain_recount(march_world, head):
    """Deals created in March by their stage now; deals won in March with their revenue."""
    from collections import Counter

    from tests.analytics.world import MSK
    from voronka.crm.models import Deal, Semantics

    result = builder_run(dimensions=["stage"], measures=["deals", "won_deals", "revenue", "avg_deal"],
                         period=MARCH, user=head)
    got = {r["stage"]: (r["deals"], r["won_deals"], r["revenue"]) for r in result.rows}
    created, won, revenue = Counter(), Counter(), Counter()
    for deal in Deal.objects.select_related("stage"):
        if deal.created_at.astimezone(MSK).date().month == 3:
            created[deal.stage.name] += 1
        if deal.stage.semantics == Semantics.SUCCESS and deal.closed_on and deal.closed_on.month == 3:
            won[deal.stage.name] += 1
            revenue[deal.stage.name] += deal.amount
    expected = {name: (created[name], won[name], revenue[name])
                for name in set(created) | set(won)}
    assert got == expected and got
    assert result.totals["revenue"] == sum(revenue.values())
    won_row = next(r for r in result.rows if r["won_deals"])
    assert won_row["avg_deal"] == (won_row["revenue"] / won_row["won_deals"]).quantize(Decimal("0.01"))


def test_builder_refuses_stage_with_lead_fields_or_lead_measures(march_world, head):
    with pytest.raises(ValidationError) as mixed:
        builder_run(dimensions=["stage", "status"], measures=["deals"], period=MARCH, user=head)
    assert "Стадия" in str(mixed.value)
    with pytest.raises(ValidationError) as measures:
        builder_run(dimensions=["stage"], measures=["deals", "leads", "cpl"], period=MARCH, user=head)
    assert "Лиды" in str(measures.value) and "CPL" in str(measures.value)
