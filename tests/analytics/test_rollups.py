"""Rollups stay equal to a recount from scratch through a sequence of changes."""

from __future__ import annotations

import datetime as dt

from tests.analytics.world import at
from voronka.analytics.models import LeadFact, RollupDay, RollupDirtyDay
from voronka.analytics.rollups import rollups_mark_dirty, rollups_rebuild, rollups_refresh
from voronka.crm.models import Deal, Lead, LeadStatus
from voronka.crm.services.deals import deal_move
from voronka.crm.services.leads import lead_assign, lead_change_status

FIELDS = ("day", "source_id", "campaign", "responsible_id", "pipeline_id", "is_repeat", "leads", "junk_leads",
          "handled_leads", "converted_leads", "deals", "won_deals", "revenue_kop", "new_customers",
          "sla_late", "cohort_deals", "cohort_won", "cohort_revenue_kop")
FACT_FIELDS = ("day", "status_id", "source_id", "campaign", "responsible_id", "is_repeat", "handled_at",
               "converted_at", "sla_deadline", "response_us")


def snapshot() -> tuple[list[tuple], list[tuple]]:
    return (sorted(RollupDay.objects.values_list(*FIELDS), key=repr),
            sorted(LeadFact.objects.values_list(*FACT_FIELDS), key=repr))


def assert_exact() -> None:
    rollups_refresh()
    kept = snapshot()
    rollups_rebuild()
    assert kept == snapshot()


def test_rollups_follow_changes(march_world, manager, other_manager, head):
    w = march_world
    assert_exact()
    lead = Lead.objects.get(source__code="AVITO", status__code="NEW")
    lead_change_status(lead=lead, status=LeadStatus.objects.get(code="IN_PROCESS"), acting_user=manager)
    assert_exact()
    lead_assign(lead=lead, responsible=other_manager, acting_user=manager)
    assert_exact()
    deal = Deal.objects.filter(stage__code="WON", closed_on=dt.date(2026, 3, 25)).get()
    deal_move(deal=deal, stage=w.stage["EXECUTING"], acting_user=head)  # reopened: March 25 changes
    assert_exact()
    deal_move(deal=deal, stage=w.stage["WON"], acting_user=manager, closed_on=dt.date(2026, 3, 27))
    assert_exact()
    # The lead's source changes the source of its deal too.
    source_lead = deal.lead
    source_lead.source = w.source["SEO"]
    source_lead.save()
    assert_exact()
    Deal.objects.filter(pk=deal.pk).first().delete()
    assert_exact()
    w.lead(at("2026-03-03 23:59"), "SITE").delete()
    Lead.objects.filter(pk=source_lead.pk).first().delete()
    assert_exact()


def test_bulk_writes_need_marking(march_world):
    rollups_refresh()
    Lead.objects.filter(source__code="AVITO").update(utm_campaign="bulk")  # no signals
    rollups_mark_dirty(dt.date(2026, 1, 1), dt.date(2026, 4, 30))  # the days of those leads and their deals
    assert RollupDirtyDay.objects.count() == 120
    assert_exact()
    assert RollupDay.objects.filter(campaign="bulk").exists()


def test_paused_signals_mark_everything_at_the_end(march_world):
    from voronka.analytics.signals import rollups_signals_paused

    rollups_refresh()
    with rollups_signals_paused():
        march_world.lead(at("2026-02-02 10:00"), "SITE")
        assert not RollupDirtyDay.objects.exists()
    assert RollupDirtyDay.objects.filter(day=dt.date(2026, 2, 2)).exists()
    assert_exact()


def test_a_batch_marks_a_day_once_and_again_after_a_recount(march_world):
    """Inside an intake batch a day is marked by one statement, however many leads it gets;
    a recount in the same batch unmarks it, and the next lead must mark it again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from voronka.core.batch_cache import batch_cache

    rollups_refresh()
    with batch_cache():
        with CaptureQueriesContext(connection) as queries:
            for minute in range(3):
                march_world.lead(at(f"2026-02-02 10:0{minute}"), "SITE")
        marks = [q for q in queries.captured_queries if "analytics_rollupdirtyday" in q["sql"]]
        assert len(marks) == 1
        rollups_refresh()
        assert not RollupDirtyDay.objects.exists()
        march_world.lead(at("2026-02-02 11:00"), "SITE")
        assert RollupDirtyDay.objects.filter(day=dt.date(2026, 2, 2)).exists()
    assert_exact()
