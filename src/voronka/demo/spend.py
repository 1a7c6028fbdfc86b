"""A year of the demo's ad spend: daily rows per channel and campaign, after the leads exist.

Spend follows the demo's own leads: each paid channel costs a set share of the revenue its
won deals brought (so Авито and Яндекс.Директ pay off, 2ГИС loses money), spread over the
days in proportion to that day's leads. Subscriptions (2ГИС, Яндекс.Карты) are a fixed sum
per month spread evenly over its days, as a manual entry would be. Written with bulk_create.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from voronka.crm.models import Deal, Lead, Semantics, Source
from voronka.demo.clock import DAYS, current_time
from voronka.spend.models import Origin, SpendBatch, SpendRow
from voronka.spend.services import KOPECK, days_between, spread_amount

DEMO_FILE = "demo"
BULK = 5000


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    share: float  # of the channel's spend
    cpc: int  # ₽ per click
    ctr: float  # clicks per impression
    monthly: bool = False  # a subscription: the same sum every month


@dataclass(frozen=True)
class Plan:
    code: str
    origin: str
    cost_share: float  # spend / revenue of the channel's won deals: < 1 pays off, > 1 loses
    fallback_cpl: int  # ₽ per lead when a tiny demo has no won deals yet
    campaigns: tuple[Campaign, ...]


PLANS = (
    Plan("AVITO", Origin.AVITO, 0.28, 450, (
        Campaign("promotion", "Продвижение", 0.75, 18, 0.035),
        Campaign("presence", "Размещение", 0.25, 25, 0.03, monthly=True))),
    Plan("YANDEX_DIRECT", Origin.YANDEX_DIRECT, 0.42, 1200, (
        Campaign("70412001", "Поиск — пропуск на МКАД", 0.45, 65, 0.08),
        Campaign("70412002", "Поиск — пропуск в ТТК и СК", 0.35, 80, 0.07),
        Campaign("70412003", "РСЯ — ретаргетинг", 0.20, 22, 0.006))),
    Plan("YANDEX_MAPS", Origin.FILE, 0.55, 700, (
        Campaign("maps-priority", "Приоритетное размещение", 1.0, 30, 0.02, monthly=True),)),
    Plan("2GIS", Origin.MANUAL, 1.7, 1500, (
        Campaign("2gis-package", "Рекламный пакет 2ГИС", 1.0, 40, 0.015, monthly=True),)),
    Plan("YULA", Origin.FILE, 0.8, 400, (
        Campaign("yula-boost", "Продвижение объявления", 1.0, 12, 0.03),)),
    Plan("SOCIAL", Origin.FILE, 1.1, 900, (
        Campaign("vk-target", "Таргет ВКонтакте", 1.0, 35, 0.005),)),
)


def _by_source_day(first: dt.date, last: dt.date) -> dict[str, dict[dt.date, int]]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    counts: dict[str, dict[dt.date, int]] = {}
    for row in (Lead.objects.filter(created_at__gte=start, created_at__lt=end, source__isnull=False)
                .annotate(day=TruncDate("created_at", tzinfo=tz))
                .values("source__code", "day").annotate(n=Count("id"))):
        counts.setdefault(row["source__code"], {})[row["day"]] = row["n"]
    return counts


def _revenue_by_source() -> dict[str, Decimal]:
    return {row["source__code"]: row["total"] or Decimal(0) for row in
            Deal.objects.filter(stage__semantics=Semantics.SUCCESS, source__isnull=False)
            .values("source__code").annotate(total=Sum("amount"))}


def _months(days: list[dt.date]) -> list[list[dt.date]]:
    months: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        months.setdefault((day.year, day.month), []).append(day)
    return list(months.values())


def _daily(total: Decimal, days: list[dt.date], weights: list[float]) -> list[Decimal]:
    """`total` over the days by weight, in kopecks, summing exactly (largest remainder)."""
    kopecks = int((total * 100).to_integral_value(rounding=ROUND_HALF_UP))
    norm = sum(weights) or 1.0
    shares = [kopecks * w / norm for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(days)), key=lambda i: parts[i] - shares[i])
    for i in order[: kopecks - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) / 100 for p in parts]


def _campaign_amounts(campaign: Campaign, total: Decimal, days: list[dt.date],
                      weights: list[float]) -> list[Decimal]:
    if not campaign.monthly:
        return _daily(total, days, weights)
    months = _months(days)
    per_month = (total / len(months)).quantize(KOPECK)
    return [amount for month in months for amount in spread_amount(per_month, len(month))]


def demo_spend_load(*, seed: int, now: dt.datetime | None = None) -> int:
    """Write the demo's spend over the demo year (replacing an earlier demo's); return rows written."""
    rng = random.Random(seed ^ 0x5E17D)
    today = (now or current_time()).astimezone(timezone.get_current_timezone()).date()
    first = today - dt.timedelta(days=DAYS - 1)
    days = days_between(first, today)
    SpendRow.objects.filter(batch__file_name=DEMO_FILE).delete()
    SpendBatch.objects.filter(file_name=DEMO_FILE).delete()
    leads = _by_source_day(first, today)
    revenue = _revenue_by_source()
    sources = {s.code: s for s in Source.objects.filter(code__in=[p.code for p in PLANS])}
    rows: list[SpendRow] = []
    for plan in PLANS:
        source = sources.get(plan.code)
        if source is None:
            continue
        per_day = leads.get(plan.code, {})
        lead_total = sum(per_day.values())
        total = Decimal(revenue.get(plan.code, 0)) * Decimal(str(plan.cost_share))
        if total <= 0:
            total = Decimal(lead_total * plan.fallback_cpl)
        if total <= 0:
            continue
        batch = SpendBatch.objects.create(origin=plan.origin, source=source, date_from=first, date_to=today,
                                          status=SpendBatch.Status.DONE, progress=100, file_name=DEMO_FILE,
                                          log="Демо-данные\n", finished_at=timezone.now())
        # A day's budget follows its leads, with a floor: ads run on quiet days too.
        weights = [(per_day.get(day, 0) + 0.5) * rng.uniform(0.85, 1.15) for day in days]
        written = 0
        for campaign in plan.campaigns:
            amounts = _campaign_amounts(campaign, (total * Decimal(str(campaign.share))).quantize(KOPECK),
                                        days, weights)
            for day, amount in zip(days, amounts, strict=True):
                clicks = int(amount / campaign.cpc)
                rows.append(SpendRow(day=day, source=source, campaign_id=campaign.campaign_id,
                                     campaign_name=campaign.name, amount=amount, clicks=clicks,
                                     impressions=int(clicks / campaign.ctr), origin=plan.origin,
                                     batch=batch))
                written += 1
        SpendBatch.objects.filter(pk=batch.pk).update(rows=written)
        if len(rows) >= BULK:
            SpendRow.objects.bulk_create(rows, batch_size=BULK)
            rows = []
    SpendRow.objects.bulk_create(rows, batch_size=BULK)
    return SpendRow.objects.filter(batch__file_name=DEMO_FILE).count()
