"""Reads of the intake: overdue leads and the event log."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from voronka.crm.models import Lead
from voronka.crm.selectors import open_leads
from voronka.intake.models import EventState, InboundEvent


def leads_overdue(now: dt.datetime | None = None) -> QuerySet[Lead]:
    """Open leads nobody has handled yet whose first-response deadline has passed."""
    return open_leads().filter(first_handled_at__isnull=True,
                               sla_deadline__lt=now or timezone.now()).order_by("sla_deadline")


def events_failed() -> QuerySet[InboundEvent]:
    return InboundEvent.objects.filter(state=EventState.FAILED).order_by("-received_at")
