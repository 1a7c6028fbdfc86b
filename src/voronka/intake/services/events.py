"""The inbound event store: write first, answer the sender, then process (and retry)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from voronka.core.batch_cache import batch_cache, batch_cache_forget
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


def _result_id(result: Any, name: str) -> int | None:
    """The lead/deal a handler's result names, by id when it offers one (no extra fetch)."""
    if hasattr(result, f"{name}_id"):
        return getattr(result, f"{name}_id")
    item = getattr(result, name, None)
    return item.pk if item is not None else None


def process_event(event: InboundEvent, *, locked_by_caller: bool = False) -> InboundEvent:
    """Run the channel's handler; a failure marks the event `failed` with the reason.

    The handler's writes and the state change commit together, so an event is either
    processed with all its effects or left for a retry with none of them.
    `locked_by_caller`: the caller read this row under a lock in the open transaction.
    """
    handler = _HANDLERS.get(event.provider)
    try:
        with transaction.atomic():
            locked = (event if locked_by_caller
                      else InboundEvent.objects.select_for_update().get(pk=event.pk))
            if locked.state in (EventState.PROCESSED, EventState.DUPLICATE):
                return locked
            if handler is None:
                raise LookupError(f"no handler for provider {event.provider!r}")
            result = handler(locked)
            locked.state = EventState.PROCESSED
            if result is not None and getattr(result, "duplicate", False):
                locked.state = EventState.DUPLICATE
            locked.lead_id = _result_id(result, "lead")
            locked.deal_id = _result_id(result, "deal")
            locked.outcome = getattr(result, "outcome", "") or ""
            locked.attempts += 1
            locked.error = ""
            locked.processed_at = timezone.now()
            locked.save(update_fields=["state", "lead", "deal", "outcome", "attempts", "error",
                                       "processed_at"])
            return locked
    except Exception as exc:
        log.exception("inbound event %s failed", event.pk)
        batch_cache_forget()
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


def events_pending_process(*, limit: int | None = None, chunk: int = 1) -> int:
    """Process events stored but not yet processed, oldest first; return how many.

    This is the worker's event loop body (webhooks answer once the event is stored) and the
    sweep after a crash. `chunk` > 1 commits that many events in one transaction (each in
    its own savepoint, so one failure still fails only its event): fewer commits, but the
    write lock is held longer, so keep it small where requests wait for the same lock.
    """
    pending = InboundEvent.objects.filter(state=EventState.RECEIVED).order_by("received_at", "id")
    ids = list(pending.values_list("id", flat=True)[:limit] if limit else
               pending.values_list("id", flat=True))
    for start in range(0, len(ids), max(1, chunk)):
        batch = ids[start:start + max(1, chunk)]
        with transaction.atomic(), batch_cache():
            # Another worker may hold some of these (PostgreSQL): skip them, it processes them.
            skip_locked = connection.features.has_select_for_update_skip_locked
            events = (InboundEvent.objects.select_for_update(skip_locked=skip_locked)
                      .filter(pk__in=batch, state=EventState.RECEIVED).order_by("received_at", "id"))
            for event in events:
                process_event(event, locked_by_caller=True)
    return len(ids)

