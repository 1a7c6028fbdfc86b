"""Ratios that never divide by zero: a missing ratio is None ("—" in the UI), never 0 or ∞."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")


def money(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(MONEY, ROUND_HALF_UP)


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None,
          places: Decimal = RATIO) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


def per(amount: Decimal | None, count: int | Decimal | None) -> Decimal | None:
    """Money per item (CPL, CAC, average deal)."""
    return ratio(amount, count, MONEY)


def romi_margin() -> Decimal:
    """Share of revenue that is gross margin (settings.ANALYTICS_ROMI_MARGIN, default 1)."""
    return Decimal(str(getattr(settings, "ANALYTICS_ROMI_MARGIN", "1")))


def money_ratios(*, spend: Decimal | None, revenue: Decimal, leads: int, junk_leads: int,
                 won_deals: int, new_customers: int, margin: Decimal | None = None
                 ) -> dict[str, Decimal | None]:
    """CPL, cost per good lead, CAC, average deal, ROI, ROMI, ROAS, ДРР (see docs/analytics.md)."""
    margin = romi_margin() if margin is None else margin
    gain = None if spend is None else revenue - spend
    margin_gain = None if spend is None else revenue * margin - spend
    return {
        "cpl": per(spend, leads),
        "cost_per_good_lead": per(spend, leads - junk_leads),
        "cac": per(spend, new_customers),
        "avg_deal": per(revenue, won_deals),
        "roi": ratio(gain, spend),
        "romi": ratio(margin_gain, spend),
        "roas": ratio(revenue, spend),
        "drr": ratio(spend, revenue),
    }
