"""The demo's spend: a year of daily rows per paid channel, profitable except 2ГИС."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from voronka.crm.models import Deal, Semantics
from voronka.demo.loader import demo_load
from voronka.demo.spend import demo_spend_load
from voronka.spend.models import SpendRow


def test_demo_spend(db):
    result = demo_load(leads=600, password="demo-pass-2026", seed=7)
    assert result.loaded
    spend = dict(SpendRow.objects.values("source__code").annotate(s=Sum("amount"))
                 .values_list("source__code", "s"))
    revenue = dict(Deal.objects.filter(stage__semantics=Semantics.SUCCESS).values("source__code")
                   .annotate(s=Sum("amount")).values_list("source__code", "s"))
    assert {"AVITO", "YANDEX_DIRECT", "2GIS", "YANDEX_MAPS"} <= set(spend)
    assert spend["AVITO"] < revenue.get("AVITO", 0)
    assert spend["YANDEX_DIRECT"] < revenue.get("YANDEX_DIRECT", 0)
    assert spend["2GIS"] > revenue.get("2GIS", Decimal(0))
    days = SpendRow.objects.filter(source__code="2GIS").values("day").distinct().count()
    assert days == 365
    count = SpendRow.objects.count()
    assert demo_spend_load(seed=7) == count  # reloading replaces, never doubles
