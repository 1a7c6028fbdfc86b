"""Reads of the intake: overdue leads, the event log and the connections webhooks name."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import QuerySet
from django.utils import timezone

from voronka.crm.models import Lead
from voronka.crm.selectors import open_leads
from voronka.intake.models import EventState, InboundEvent, TelephonyConnection


def leads_overdue(now: dt.datetime | None = None) -> QuerySet[Lead]:
    """Open leads nobody has handled yet whose first-response deadline has passed."""
    return open_leads().filter(first_handled_at__isnull=True,
                               sla_deadline__lt=now or timezone.now()).order_by("sla_deadline")


def events_failed() -> QuerySet[InboundEvent]:
    return InboundEvent.objects.filter(state=EventState.FAILED).order_by("-received_at")


# A PBX posts hundreds of events a second to one connection; reading its row for each one
# was a fifth of the webhook's cost. Each server process keeps the row for a few seconds:
# an edit made in this process is seen at once (the memo is dropped on save), one made in
# another process within CONNECTION_MEMO_SECONDS.
CONNECTION_MEMO_SECONDS = 3.0
_connections: dict[tuple[str, str], tuple[float, TelephonyConnection | None]] = {}


def telephony_connection_active(provider: str, slug: str) -> TelephonyConnection | None:
    """The switched-on connection a webhook names, or None (unknown or switched off)."""
    now = time.monotonic()
    memo = _connections.get((provider, slug))
    if memo is not None and memo[0] > now:
        return memo[1]
    found = TelephonyConnection.objects.filter(provider=provider, slug=slug, is_active=True).first()
    _connections[(provider, slug)] = (now + CONNECTION_MEMO_SECONDS, found)
    return found


def telephony_connections_forget(**_kwargs) -> None:
    """Drop the remembered connections (a receiver of TelephonyConnection saves and deletes,
    connected in IntakeConfig.ready)."""
    _connections.clear()
