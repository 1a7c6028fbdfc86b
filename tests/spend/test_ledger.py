"""The ledger's rules: VAT, the even spread to the kopeck, replacing a period, manual entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.crm.models import Source
from voronka.spend.models import Origin, SpendBatch, SpendRow
from voronka.spend.services import (
    SpendInput,
    rows_for,
    spend_manual_enter,
    spend_replace,
    spread_amount,
    vat_included,
)

D = dt.date


@given(total=st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2),
       days=st.integers(min_value=1, max_value=800))
def test_spread_sums_exactly_and_days_differ_by_at_most_a_kopeck(total, days):
    parts = spread_amount(total, days)
    assert len(parts) == days
    assert sum(parts) == total
    assert max(parts) - min(parts) <= Decimal("0.01")
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    assert parts == sorted(parts, reverse=True)  # deterministic: remainders go to the first days


def test_spread_of_a_month():
    parts = spread_amount(Decimal("1000.00"), 31)
    assert parts[:25] == [Decimal("32.26")] * 25 and parts[25:] == [Decimal("32.25")] * 6
    assert sum(parts) == Decimal("1000.00")


def test_vat_conversion():
    assert vat_included(Decimal("100"), has_vat=False) == Decimal("120.00")
    assert vat_included(Decimal("100.005"), has_vat=True) == Decimal("100.01")


def test_vat_rate_is_a_setting(settings):
    settings.VORONKA_SPEND_VAT_RATE = "22"
    assert vat_included(Decimal("100"), has_vat=False) == Decimal("122.00")


@pytest.fixture
def gis(db) -> Source:
    return Source.objects.get(code="2GIS")


def test_manual_period_is_spread_over_days(gis, head):
    batch = spend_manual_enter(SpendInput(source=gis, date_from=D(2026, 2, 1), date_to=D(2026, 2, 28),
                                          amount=Decimal("10000.00"), campaign_name="Подписка",
                                          clicks=100, impressions=5000), user=head)
    rows = SpendRow.objects.filter(batch=batch).order_by("day")
    assert rows.count() == 28 and batch.rows == 28 and batch.status == SpendBatch.Status.DONE
    assert sum(r.amount for r in rows) == Decimal("10000.00")
    assert sum(r.clicks for r in rows) == 100 and sum(r.impressions for r in rows) == 5000
    assert {r.origin for r in rows} == {Origin.MANUAL}


def test_manual_reentry_replaces_same_campaign_only(gis):
    period = {"source": gis, "date_from": D(2026, 3, 1), "date_to": D(2026, 3, 31)}
    spend_manual_enter(SpendInput(amount=Decimal("3100"), campaign_name="A", **period))
    spend_manual_enter(SpendInput(amount=Decimal("620"), campaign_name="B", **period))
    spend_manual_enter(SpendInput(amount=Decimal("6200"), campaign_name="A", **period))
    rows = SpendRow.objects.filter(source=gis)
    assert rows.count() == 62
    assert sum(r.amount for r in rows) == Decimal("6820.00")


def test_reimport_replaces_origin_source_period_in_one_go(gis, source):
    def write(amount: str, src: Source, origin: str = Origin.FILE) -> None:
        item = SpendInput(source=src, date_from=D(2026, 1, 1), date_to=D(2026, 1, 10),
                          amount=Decimal(amount))
        spend_replace(origin=origin, source=src, date_from=item.date_from, date_to=item.date_to,
                      rows=rows_for(item, origin=origin))

    write("100", gis)
    write("500", source)  # another source: untouched
    write("70", gis, Origin.MANUAL)  # another origin: untouched
    write("200", gis)
    file_gis = SpendRow.objects.filter(source=gis, origin=Origin.FILE)
    assert file_gis.count() == 10 and sum(r.amount for r in file_gis) == Decimal("200.00")
    assert sum(r.amount for r in SpendRow.objects.filter(source=source)) == Decimal("500.00")
    assert sum(r.amount for r in SpendRow.objects.filter(origin=Origin.MANUAL)) == Decimal("70.00")


def test_replace_is_one_transaction(gis, monkeypatch):
    item = SpendInput(source=gis, date_from=D(2026, 1, 1), date_to=D(2026, 1, 2), amount=Decimal("10"))
    spend_replace(origin=Origin.FILE, source=gis, date_from=item.date_from, date_to=item.date_to,
                  rows=rows_for(item, origin=Origin.FILE))
    bad = rows_for(item, origin=Origin.FILE)
    bad[1].amount = Decimal("-1")  # violates the check constraint: the delete must roll back
    with pytest.raises(Exception):  # noqa: B017
        spend_replace(origin=Origin.FILE, source=gis, date_from=item.date_from, date_to=item.date_to,
                      rows=bad)
    assert sum(r.amount for r in SpendRow.objects.all()) == Decimal("10.00")


def test_manual_rejects_reversed_period(gis):
    with pytest.raises(ValueError):
        spend_manual_enter(SpendInput(source=gis, date_from=D(2026, 2, 2), date_to=D(2026, 2, 1),
                                      amount=Decimal("1")))

