"""«The client's life»: where they first came from, what they ordered, what they paid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from voronka.crm.models import Deal, Lead, Semantics, Source

# A client's card lists at most this many leads and deals: enough for any real client,
# and a ceiling for a data-entry accident that glued thousands onto one contact.
ITEMS_LIMIT = 200


@dataclass
class ClientLife:
    first_source: Source | None = None
    first_at: dt.datetime | None = None
    services: list[Deal] = field(default_factory=list)  # won deals, oldest first
    revenue: Decimal = Decimal("0")
    open_deals: int = 0
    repeat_ids: set[int] = field(default_factory=set)


def client_life(leads: list[Lead], deals: list[Deal], *, first_touch_source: Source | None = None,
                first_touch_at: dt.datetime | None = None) -> ClientLife:
    """Sum up a client's leads and deals (already fetched, with `stage` and `source`).

    A deal is repeat when it says so (it came from a known client) or when the client had
    an earlier deal: the second order is the repeat sale, whatever the flag says.
    """
    life = ClientLife(first_source=first_touch_source, first_at=first_touch_at)
    touches = sorted((item for item in [*leads, *deals] if item.source_id),
                     key=lambda item: item.created_at)
    if life.first_source is None and touches:
        life.first_source, life.first_at = touches[0].source, touches[0].created_at
    chronological = sorted(deals, key=lambda deal: (deal.created_at, deal.pk))
    for index, deal in enumerate(chronological):
        if deal.is_repeat or index > 0:
            life.repeat_ids.add(deal.pk)
        if deal.stage.semantics == Semantics.SUCCESS:
            life.services.append(deal)
            life.revenue += deal.amount
        elif deal.stage.semantics == Semantics.PROCESS:
            life.open_deals += 1
    return life
