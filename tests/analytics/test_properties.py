"""Random worlds: totals are sums of rows, attribution credit equals revenue, spend equals the ledger,
and rollups equal the raw recount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analytics.world import World
from voronka.analytics.attribution import MODELS
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import report_run
from voronka.crm.models import Contact, Deal, Lead
from voronka.spend.models import SpendRow

SOURCES = ("AVITO", "YANDEX_DIRECT", "SITE", "DIRECT", None)
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

lead_st = st.tuples(st.integers(0, 40 * 24), st.sampled_from(SOURCES),
                    st.sampled_from(("NEW", "JUNK", "CONVERTED")), st.booleans(), st.integers(0, 3),
                    st.one_of(st.none(), st.tuples(st.integers(0, 30), st.integers(0, 10**7),
                                                   st.sampled_from(("WON", "LOSE", "NEW")))))
spend_st = st.tuples(st.integers(0, 40), st.sampled_from(SOURCES[:4]), st.integers(0, 10**6))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leads=st.lists(lead_st, max_size=25), spends=st.lists(spend_st, max_size=10),
       tz=st.sampled_from(("Europe/Moscow", "UTC")))
def test_random_worlds(db, head, leads, spends, tz):
    Deal.objects.all().delete()
    Lead.objects.all().delete()
    Contact.objects.all().delete()
    SpendRow.objects.all().delete()
    w = World()
    contacts = [w.contact() for _ in range(4)]
    for hours, source, status, repeat, client, deal in leads:
        created = START + dt.timedelta(hours=hours)
        lead = w.lead(created, source, status=status, repeat=repeat, contact=contacts[client])
        if deal:
            days, kopecks, stage = deal
            closed_on = (created + dt.timedelta(days=days)).date() if stage != "NEW" else None
            w.deal(created + dt.timedelta(hours=1), str(Decimal(kopecks) / 100), lead=lead, stage=stage,
                   closed_on=closed_on, repeat=repeat)
    for day, source, kopecks in spends:
        w.spend((START.date() + dt.timedelta(days=day)).isoformat(), source, str(Decimal(kopecks) / 100))
    period = period_parse("2026-03-05", "2026-04-05", tz)
    channels = report_run("channels", period=period, user=head)
    for key in ("leads", "junk_leads", "deals", "won_deals", "revenue", "new_customers", "spend", "clicks"):
        assert channels.totals[key] == sum(r[key] for r in channels.rows), key
    ledger: dict[str, Decimal] = {}
    for row in SpendRow.objects.filter(day__gte=period.date_from, day__lte=period.date_to):
        ledger[row.source.code] = ledger.get(row.source.code, Decimal(0)) + row.amount
    got = {r["source"]: r["spend"] for r in channels.rows if r["spend"]}
    assert got == {k: v for k, v in ledger.items() if v}
    for model in MODELS:
        result = report_run("attribution", period=period, user=head, model=model)
        assert sum(r["revenue"] for r in result.rows) == result.totals["revenue"]
        assert result.totals["revenue"] == channels.totals["revenue"]
    if tz == "Europe/Moscow":
        # The rollup path against the raw path: the same period computed in an equal zone by name.
        raw = report_run("channels", period=period_parse("2026-03-05", "2026-04-05", "Europe/Volgograd"),
                         user=head)
        assert {r["source"]: r["leads"] for r in raw.rows} == {r["source"]: r["leads"] for r in channels.rows}
