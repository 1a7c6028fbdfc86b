"""Multi-touch attribution: how a won deal's revenue is credited to the touches of its client.

Touches are the client's leads and calls (each with a source) within a window before the
deal was won. Every model returns weights; `credit_split` turns them into kopecks that add
up to the revenue exactly (largest remainder, ties to the earlier touch).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay")
DEFAULT_MODEL = "last_non_direct"
MAX_WINDOW_DAYS = 365


def window_days_default() -> int:
    """The attribution window when a report does not name one: ATTRIBUTION_WINDOW_DAYS (28)."""
    return settings.ATTRIBUTION_WINDOW_DAYS
HALF_LIFE_DAYS = 7


@dataclass(frozen=True)
class Touch:
    at: dt.datetime
    source_id: int | None
    kind: str = "lead"


def touch_weights(model: str, touches: Sequence[Touch], won_at: dt.datetime,
                  direct_ids: frozenset[int] | set[int] = frozenset()) -> list[float]:
    """Weights (summing to 1) for touches sorted oldest first; at least one touch is needed."""
    n = len(touches)
    if n == 0:
        raise ValueError("no touches")
    weights = [0.0] * n
    if model == "first_touch":
        weights[0] = 1.0
    elif model == "last_touch":
        weights[-1] = 1.0
    elif model == "last_non_direct":
        chosen = next((i for i in range(n - 1, -1, -1) if touches[i].source_id not in direct_ids), n - 1)
        weights[chosen] = 1.0
    elif model == "linear":
        weights = [1.0 / n] * n
    elif model == "position_based":
        if n == 1:
            weights = [1.0]
        elif n == 2:
            weights = [0.5, 0.5]
        else:
            middle = 0.2 / (n - 2)
            weights = [0.4] + [middle] * (n - 2) + [0.4]
    elif model == "time_decay":
        raw = [math.pow(2.0, -max((won_at - t.at).total_seconds(), 0) / 86400 / HALF_LIFE_DAYS)
               for t in touches]
        total = sum(raw)
        weights = [w / total for w in raw]
    else:
        raise ValueError(f"unknown attribution model: {model}")
    return weights


def credit_split_kop(kopecks: int, weights: Sequence[float]) -> list[int]:
    """Split `kopecks` by `weights` into integers whose sum is exactly `kopecks` (largest
    remainder, ties to the earlier touch)."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    shares = [Decimal(repr(w / total)) * kopecks for w in weights]
    floors = [int(s.to_integral_value(ROUND_FLOOR)) for s in shares]
    left = kopecks - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def credit_split(amount: Decimal, weights: Sequence[float]) -> list[Decimal]:
    """Split `amount` by `weights` into kopecks whose sum is exactly `amount`."""
    kopecks = int((amount * 100).to_integral_value())
    return [Decimal(k) / 100 for k in credit_split_kop(kopecks, weights)]


def deal_credits(model: str, amount: Decimal, touches: Sequence[Touch], won_at: dt.datetime,
                 fallback_source: int | None, direct_ids: set[int] | frozenset[int] = frozenset()
                 ) -> list[tuple[int | None, Decimal, float]]:
    """(source, credit, weight) per touch; a deal without touches credits its own source."""
    touches = sorted(touches, key=lambda t: t.at)
    if not touches:
        return [(fallback_source, amount.quantize(Decimal("0.01")), 1.0)]
    weights = touch_weights(model, touches, won_at, direct_ids)
    credits = credit_split(amount, weights)
    return [(t.source_id, c, w) for t, c, w in zip(touches, credits, weights, strict=True)]

