"""Won clients who come back: with a repeat request, or for copies made by a business process.

Only a bounded number of clients is kept (the most recent winners), so a run of a
million leads holds a few thousand client records, not all of them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass, field
from itertools import count

from voronka.accounts.models import User
from voronka.crm.models import Company, Contact, Deal, Source
from voronka.demo.catalog import Service
from voronka.demo.people import Person, Phone

POOL_SIZE = 3000


@dataclass(slots=True)
class ClientRef:
    contact: Contact
    company: Company | None
    person: Person
    phone: Phone | None
    email: str | None
    responsible: User
    source: Source  # of the won deal
    first_touch: Source
    deal: Deal  # the won deal (the mother deal of business-process copies)
    service: Service
    tracking: dict[str, str]
    display: str  # how deal titles name the client
    company_title: str = ""


@dataclass
class ClientPool:
    """Clients become available for a return visit once their deal is won."""

    size: int = POOL_SIZE
    _pending: list[tuple[dt.datetime, int, ClientRef]] = field(default_factory=list)
    _processes: list[tuple[dt.datetime, int, ClientRef]] = field(default_factory=list)
    _ring: list[ClientRef] = field(default_factory=list)
    _next: int = 0
    _seq: count = field(default_factory=count)

    def won(self, ref: ClientRef, at: dt.datetime) -> None:
        heapq.heappush(self._pending, (at, next(self._seq), ref))

    def release(self, until: dt.datetime) -> None:
        """Make clients whose deal was won before `until` eligible to return."""
        while self._pending and self._pending[0][0] <= until:
            ref = heapq.heappop(self._pending)[2]
            if len(self._ring) < self.size:
                self._ring.append(ref)
            else:  # overwrite the oldest: recent clients are the ones who come back
                self._ring[self._next] = ref
                self._next = (self._next + 1) % self.size

    def pick(self, rng: random.Random) -> ClientRef | None:
        return rng.choice(self._ring) if self._ring else None

    def schedule_process(self, ref: ClientRef, at: dt.datetime) -> None:
        """The client will ask for more of the same; a manager copies the deal at `at`."""
        heapq.heappush(self._processes, (at, next(self._seq), ref))

    def due_process(self, until: dt.datetime) -> tuple[dt.datetime, ClientRef] | None:
        if self._processes and self._processes[0][0] <= until:
            at, _seq, ref = heapq.heappop(self._processes)
            return at, ref
        return None
