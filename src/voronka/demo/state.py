"""The state of one generator run, shared by the lead and deal builders."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from voronka.accounts.models import User
from voronka.demo.batch import Batch
from voronka.demo.catalog import Channel
from voronka.demo.clients import ClientPool
from voronka.demo.context import Dictionaries
from voronka.demo.events import EventSpec
from voronka.demo.users import DEMO_USERS
from voronka.intake.models import IntakeSettings


@dataclass
class Stats:
    leads: int = 0
    leads_junk: int = 0
    leads_converted: int = 0
    leads_open: int = 0
    leads_repeat: int = 0
    leads_copied: int = 0  # made by the business process
    contacts: int = 0
    companies: int = 0
    deals_won: int = 0
    deals_lost: int = 0
    deals_open: int = 0
    revenue: Decimal = Decimal("0.00")
    communications: int = 0
    events: int = 0
    calls: int = 0
    calls_missed: int = 0
    call_backs: int = 0  # «Перезвонить» tasks of missed calls
    inbound_events: int = 0
    inbound_failed: int = 0
    leads_late: int = 0  # first reaction after the SLA deadline

    @property
    def deals(self) -> int:
        return self.deals_won + self.deals_lost + self.deals_open

    @property
    def junk_share(self) -> float:
        """Junk among closed leads, the figure seed 000 talks about."""
        closed = self.leads_junk + self.leads_converted
        return self.leads_junk / closed if closed else 0.0


@dataclass
class Run:
    rng: random.Random
    dicts: Dictionaries
    now: dt.datetime
    stats: Stats = field(default_factory=Stats)
    batch: Batch = field(default_factory=Batch)
    pool: ClientPool = field(default_factory=ClientPool)
    # Requests still to come, and how many of them business-process copies replaced: the
    # copies count towards --leads, so the total is exactly what was asked for.
    slots_left: int = 0
    skip: int = 0
    # Working hours of the SLA clock (an unsaved IntakeSettings: `working_deadline` is pure).
    hours: IntakeSettings = field(default_factory=IntakeSettings)
    recent_days: int = 30  # intake events are kept for requests this recent

    def __post_init__(self) -> None:
        self.recent_since = self.now - dt.timedelta(days=self.recent_days)
        self._channels = self.dicts.channels
        self._channel_cum = list(accumulate(c.weight for c in self._channels))
        by_name = {u.username: u for u in DEMO_USERS}
        self._managers = self.dicts.managers
        self._hired = [
            self.now - dt.timedelta(days=by_name[m.username].hired_days_ago)
            if by_name[m.username].hired_days_ago else None
            for m in self._managers
        ]
        self._shares = [by_name[m.username].lead_share for m in self._managers]

    def channel(self) -> Channel:
        return self.rng.choices(self._channels, cum_weights=self._channel_cum)[0]

    def manager_at(self, at: dt.datetime, *, exclude: User | None = None) -> User:
        """Round robin with shares, among managers already hired at `at`."""
        weights = [
            0.0 if (hired is not None and at < hired) or m is exclude else share
            for m, hired, share in zip(self._managers, self._hired, self._shares, strict=True)
        ]
        if not any(weights):
            return self._managers[0]
        return self.rng.choices(self._managers, weights)[0]

    def event(self, spec: EventSpec) -> None:
        self.batch.events.append(spec)
