"""The inbound event store: write first, answer the sender, then process (and retry)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from voronka.core.batch_cache import batch_cache, batch_cache_forget
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.spool import spool_drop, spool_path, spool_put, spool_take

log = logging.getLogger(__name__)

# provider -> function that processes one stored event; channels register themselves.
_HANDLERS: dict[str, Callable[[InboundEvent], Any]] = {}
# provider -> function that processes several events of one thread at once (optional).
_GROUP_HANDLERS: dict[str, Callable[[list[InboundEvent]], list[Any]]] = {}


def event_handler(provider: str, *, group: Callable[[list[InboundEvent]], list[Any]] | None = None):
    """Register the provider's handler; `group` handles several events of one thread at once
    and returns one result per event (a burst then touches each call once, not per event)."""
    def register(func: Callable[[InboundEvent], Any]):
        _HANDLERS[provider] = func
        if group is not None:
            _GROUP_HANDLERS[provider] = group
        return func
    return register


def _event_insert_sql(*, returning: bool = True) -> str:
    table = connection.ops.quote_name(InboundEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _insert_fields())
    holes = ", ".join(["%s"] * len(_insert_fields()))
    return (f"INSERT INTO {table} ({columns}) VALUES ({holes}) "
            f"ON CONFLICT (provider, idempotency_key) DO NOTHING" + (" RETURNING id" if returning else ""))


def _insert_fields() -> list:
    return [field for field in InboundEvent._meta.concrete_fields if not field.primary_key]


def _event_values(event: InboundEvent, db) -> list[Any]:
    return [field.get_db_prep_save(getattr(event, field.attname), db) for field in _insert_fields()]


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
    """Commit the raw event; return (event, created). A repeated key returns the stored one.

    One INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL both have it): a PBX's burst
    arrives here hundreds of times a second, and the ORM's save machinery and a savepoint
    for the duplicate case cost more than the write itself.
    """
    key, thread = idempotency_key[:255], thread_key[:255]
    event = InboundEvent(channel=channel, provider=provider, connection=connection, kind=kind,
                         idempotency_key=key, thread_key=thread, payload=payload,
                         received_at=timezone.now())
    db = transaction.get_connection()
    values = _event_values(event, db)
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(_event_insert_sql(), values)
        row = cursor.fetchone()
    if row is not None:
        event.pk = row[0]
        event._state.adding = False
        return event, True
    existing = InboundEvent.objects.filter(provider=provider, idempotency_key=key).first()
    if existing is None:  # pragma: no cover - a stored row cannot vanish: events are kept
        raise IntegrityError(f"inbound event {provider}:{key} is neither new nor stored")
    return existing, False


def inbound_event_stored(provider: str, idempotency_key: str) -> tuple[int, str] | None:
    """(id, state) of the stored event with this key, or None: one indexed read, no lock."""
    table = connection.ops.quote_name(InboundEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, state FROM {table} WHERE provider = %s AND idempotency_key = %s",
                       [provider, idempotency_key[:255]])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def inbound_event_accept(**fields: Any) -> tuple[int | None, str, bool]:
    """Keep a webhook's delivery; (event id, state, created). The sender is answered after this.

    Where there is a spool (SQLite, deferred processing) the delivery is committed there and
    has no event id yet; a key the database already holds is a repeat and is not spooled.
    Elsewhere it is stored by inbound_event_store, and processed at once unless
    INTAKE_DEFERRED leaves that to the worker's event loop.
    """
    if spool_path() is None:
        event, created = inbound_event_store(**fields)
        if created and not settings.INTAKE_DEFERRED:
            event = process_event(event)
        return event.pk, event.state, created
    stored = inbound_event_stored(fields["provider"], fields["idempotency_key"])
    if stored is not None:
        return stored[0], stored[1], False
    _spool_id, created = spool_put(**fields)
    return None, EventState.RECEIVED, created


SPOOL_MOVE_CHUNK = 500


def events_spool_move(limit: int | None = SPOOL_MOVE_CHUNK) -> int:
    """Move waiting deliveries from the spool into the event store, oldest first; how many.

    `limit` None moves them all. Each chunk is one transaction; repeats of stored keys are
    skipped by the INSERT. They leave the spool only after that commit, so a crash in
    between moves them again, harmlessly.
    """
    moved = 0
    while limit is None or moved < limit:
        wanted = SPOOL_MOVE_CHUNK if limit is None else min(SPOOL_MOVE_CHUNK, limit - moved)
        count = _spool_move_chunk(wanted)
        moved += count
        if count < wanted:  # the spool is empty now
            break
    return moved


def _spool_move_chunk(limit: int) -> int:
    deliveries = spool_take(limit)
    if not deliveries:
        return 0
    db = transaction.get_connection()
    rows = [_event_values(InboundEvent(**item.fields), db) for item in deliveries]
    with transaction.atomic(), db.cursor() as cursor:
        cursor.executemany(_event_insert_sql(returning=False), rows)
    spool_drop([item.id for item in deliveries])
    return len(deliveries)


def _result_id(result: Any, name: str) -> int | None:
    """The lead/deal a handler's result names, by id when it offers one (no extra fetch)."""
    if hasattr(result, f"{name}_id"):
        return getattr(result, f"{name}_id")
    item = getattr(result, name, None)
    return item.pk if item is not None else None


def _outcome_fields(result: Any) -> dict[str, Any]:
    """What an event records of its handler's result (besides attempts and the time)."""
    duplicate = result is not None and getattr(result, "duplicate", False)
    return {"state": EventState.DUPLICATE if duplicate else EventState.PROCESSED,
            "lead_id": _result_id(result, "lead"), "deal_id": _result_id(result, "deal"),
            "outcome": getattr(result, "outcome", "") or "", "error": ""}


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
            for name, value in _outcome_fields(handler(locked)).items():
                setattr(locked, name, value)
            locked.attempts += 1
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


_MARK_COLUMNS = ("state", "lead_id", "deal_id", "outcome", "error")


def _events_mark_processed(events: list[InboundEvent], results: list[Any]) -> None:
    """Record each event's outcome: one statement run for all rows (a call's four events
    differ only in the outcome), not an ORM update per distinct result."""
    table = connection.ops.quote_name(InboundEvent._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in _MARK_COLUMNS)
    processed_at = InboundEvent._meta.get_field("processed_at").get_db_prep_save(
        timezone.now(), connection)
    rows = []
    for event, result in zip(events, results, strict=True):
        fields = _outcome_fields(result)
        rows.append([*(fields[column] for column in _MARK_COLUMNS), processed_at, event.pk])
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets}, attempts = attempts + 1, "
                           f"processed_at = %s WHERE id = %s", rows)


def process_thread(events: list[InboundEvent]) -> None:
    """Process stored events of one thread (one call), locked by the caller, at once.

    The provider's group handler sees them together, and they are marked processed with
    one UPDATE per distinct result. If the group fails, nothing of it is kept and every
    event is processed alone, so only the event at fault ends up `failed`.
    """
    group = _GROUP_HANDLERS.get(events[0].provider)
    if group is not None and len(events) > 1:
        try:
            with transaction.atomic():
                results = group(events)
                _events_mark_processed(events, results)
            return
        except Exception:
            log.warning("events %s failed together; processing them one by one",
                        [event.pk for event in events], exc_info=True)
            batch_cache_forget()
    for event in events:
        process_event(event, locked_by_caller=True)


def _threads(rows: list[tuple[int, str, str, str]]) -> list[list[int]]:
    """Event ids grouped by thread (provider, connection, thread key), in order of arrival.

    Only providers with a group handler are grouped; any other event stands alone.
    """
    threads: dict[tuple, list[int]] = {}
    for pk, provider, connection_slug, thread_key in rows:
        key = ((provider, connection_slug, thread_key)
               if thread_key and provider in _GROUP_HANDLERS else ("", "", pk))
        threads.setdefault(key, []).append(pk)
    return list(threads.values())


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
    sweep after a crash. `chunk` > 1 commits about that many events in one transaction (each
    thread in its own savepoint, so one failure still fails only its events): fewer commits,
    but the write lock is held longer, so keep it small where requests wait for the same
    lock. Events of one call that are waiting together are processed together.
    """
    events_spool_move(limit)
    pending = InboundEvent.objects.filter(state=EventState.RECEIVED).order_by("received_at", "id")
    fields = ("id", "provider", "connection", "thread_key")
    rows = list(pending.values_list(*fields)[:limit] if limit else pending.values_list(*fields))
    batches: list[list[list[int]]] = [[]]
    for thread in _threads(rows):
        if sum(map(len, batches[-1])) >= max(1, chunk):
            batches.append([])
        batches[-1].append(thread)
    for batch in batches:
        if not batch:
            continue
        with transaction.atomic(), batch_cache():
            # Another worker may hold some of these (PostgreSQL): skip them, it processes them.
            skip_locked = connection.features.has_select_for_update_skip_locked
            ids = [pk for thread in batch for pk in thread]
            locked = {event.pk: event for event in InboundEvent.objects.select_for_update(
                skip_locked=skip_locked).filter(pk__in=ids, state=EventState.RECEIVED)}
            for thread in batch:
                events = [locked[pk] for pk in thread if pk in locked]
                if events:
                    process_thread(events)
    return len(rows)
