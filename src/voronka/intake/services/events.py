"""The inbound event store: write first, answer the sender, then process (and retry)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from voronka.intake.models import EventState, InboundEvent

log = logging.getLogger(__name__)

# provider -> function that processes one stored event; channels register themselves.
_HANDLERS: dict[str, Callable[[InboundEvent], Any]] = {}


def event_handler(provider: str):
    def register(func: Callable[[InboundEvent], Any]):
        _HANDLERS[provider] = func
        return func
    return register


def inbound_event_store(
    *,
    channel: str,
    provider: str,
    idempotency_key: str,
    payload: Any,
    connection: str = "",
    kind: str = "",
    thread_key: str = "",
) -> tuple[InboundEvent, bool]:
    """Commit the raw event; return (event, created). A repeated key returns the stored one."""
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel, provider=provider, idempotency_key=idempotency_key[:255],
                payload=payload, connection=connection, kind=kind, thread_key=thread_key[:255],
            )
        return event, True
    except IntegrityError:
        existing = InboundEvent.objects.filter(
            provider=provider, idempotency_key=idempotency_key[:255]).first()
        if existing is None:
            raise
        return existing, False


def process_event(event: InboundEvent) -> InboundEvent:
    """Run the channel's handler; a failure marks the event `failed` with the reason.

    The handler's writes and the state change commit together, so an event is either
    processed with all its effects or left for a retry with none of them.
    """
    handler = _HANDLERS.get(event.provider)
    try:
        with transaction.atomic():
            locked = InboundEvent.objects.select_for_update().get(pk=event.pk)
            if locked.state in (EventState.PROCESSED, EventState.DUPLICATE):
                return locked
            if handler is None:
                raise LookupError(f"no handler for provider {event.provider!r}")
            result = handler(locked)
            locked.state = EventState.PROCESSED
            if result is not None and getattr(result, "duplicate", False):
                locked.state = EventState.DUPLICATE
            locked.lead = getattr(result, "lead", None)
            locked.deal = getattr(result, "deal", None)
            locked.outcome = getattr(result, "outcome", "") or ""
            locked.attempts += 1
            locked.error = ""
            locked.processed_at = timezone.now()
            locked.save()
            return locked
    except Exception as exc:
        log.exception("inbound event %s failed", event.pk)
        InboundEvent.objects.filter(pk=event.pk).update(
            state=EventState.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000],
            attempts=F("attempts") + 1)
        event.refresh_from_db()
        return event


def events_retry(*, event_id: int | None = None, failed: bool = False) -> list[InboundEvent]:
    """Re-run one event, or every failed (and never processed) one, oldest first."""
    events = InboundEvent.objects.order_by("received_at", "id")
    if event_id is not None:
        events = events.filter(pk=event_id)
    elif failed:
        events = events.filter(state__in=[EventState.FAILED, EventState.RECEIVED])
    else:
        return []
    return [process_event(event) for event in events]


def events_pending_process() -> int:
    """Process events that were stored but never processed (e.g. the server died in between)."""
    pending = InboundEvent.objects.filter(state=EventState.RECEIVED).order_by("received_at", "id")
    count = 0
    for event in pending.iterator():
        process_event(event)
        count += 1
    return count
