"""When things happen: requests spread over the last 12 months, reactions in office hours.

The year is anchored to the current date so that the screens look alive (leads today,
open deals this week); the shape of the year and every draw come from the seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from itertools import accumulate

from django.utils import timezone

DAYS = 365
# Requests per hour of the local day: calls and forms in office hours, spam at night.
HOUR_WEIGHTS = (0.25, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.7, 1.8, 4.2, 6.2, 6.6, 6.0, 5.0, 5.8,
                6.0, 5.6, 4.6, 3.2, 2.1, 1.4, 0.9, 0.6, 0.4)
WEEKDAY_WEIGHTS = (1.0, 1.02, 1.0, 0.98, 0.92, 0.45, 0.28)
OPEN_HOUR, CLOSE_HOUR = 9, 20  # the sales office, local time, Monday to Saturday
SATURDAY_CLOSE_HOUR = 16


def current_time() -> dt.datetime:
    """The anchor of the demo year. A function, so tests can pin it."""
    return timezone.now()


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    norm = sum(weights)
    shares = [total * w / norm for w in weights]
    counts = [math.floor(s) for s in shares]
    rest = total - sum(counts)
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


class Calendar:
    """How many requests arrive on each of the last DAYS days, and at what moments."""

    def __init__(self, rng: random.Random, *, now: dt.datetime, total: int) -> None:
        self.tz = timezone.get_current_timezone()
        self.now = now.astimezone(self.tz)
        today = self.now.date()
        self.first_day = today - dt.timedelta(days=DAYS - 1)
        weights = []
        for index in range(DAYS):
            day = self.first_day + dt.timedelta(days=index)
            trend = 0.7 + 0.6 * index / (DAYS - 1)  # the business grows over the year
            # Passes are renewed before the new year and in spring: a mild seasonality.
            season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
            noise = rng.uniform(0.85, 1.15)
            weights.append(trend * season * WEEKDAY_WEIGHTS[day.weekday()] * noise)
        # Today is not over: only its elapsed hours get requests. Whole hours, so that two
        # runs within the same hour allocate the same counts.
        weights[-1] *= (self.now.hour + 1) / 24
        self.counts = allocate(total, weights)
        self._cum_hours = list(accumulate(HOUR_WEIGHTS))

    def day_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)

    def moments(self, rng: random.Random) -> Iterator[dt.datetime]:
        """Every request time, in chronological order, one day in memory at a time."""
        last_hour_today = self.now.hour
        for index, count in enumerate(self.counts):
            if not count:
                continue
            day = self.first_day + dt.timedelta(days=index)
            start = self.day_start(day)
            is_today = index == DAYS - 1
            cum = self._cum_hours[: last_hour_today + 1] if is_today else self._cum_hours
            hours = range(len(cum))
            times = []
            for hour in rng.choices(hours, cum_weights=cum, k=count):
                span = 3600.0
                if is_today and hour == last_hour_today:
                    span = max(1.0, (self.now - start).total_seconds() - hour * 3600)
                times.append(start + dt.timedelta(seconds=hour * 3600 + rng.random() * span))
            times.sort()
            yield from times


def is_working(moment: dt.datetime) -> bool:
    weekday, hour = moment.weekday(), moment.hour
    if weekday == 6:
        return False
    close = SATURDAY_CLOSE_HOUR if weekday == 5 else CLOSE_HOUR
    return OPEN_HOUR <= hour < close


def next_opening(moment: dt.datetime) -> dt.datetime:
    """The start of the next working period at or after `moment` (local time)."""
    if is_working(moment):
        return moment
    candidate = moment.replace(hour=OPEN_HOUR, minute=0, second=0, microsecond=0)
    if moment.hour >= OPEN_HOUR:
        candidate += dt.timedelta(days=1)
    while candidate.weekday() == 6:
        candidate += dt.timedelta(days=1)
    return candidate


def during_work(rng: random.Random, moment: dt.datetime, mean_seconds: float,
                minimum: float = 20.0) -> dt.datetime:
    """A moment some exponential time after `moment` when a manager is at work.

    Used for the first reaction, closing, converting and moving deals: people do these
    things in office hours, so a night request waits for the morning.
    """
    later = moment + dt.timedelta(seconds=minimum + rng.expovariate(1 / mean_seconds))
    if is_working(later):
        return later
    opening = next_opening(later)
    return opening + dt.timedelta(seconds=60 + rng.expovariate(1 / 1500))
