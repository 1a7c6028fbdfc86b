"""Lookups remembered for the length of one batch of events (one transaction).

A burst of call events asks for the same connection and the same few extensions again and
again. Inside a batch these rows cannot change under us (the batch is one transaction), so
they are read once; outside a batch every lookup goes to the database as before.

`settled=True` lookups (configuration the intake only reads: connections, extensions,
settings, the default status, custom fields, SLA rules, tracked numbers) are also kept
across batches, for SETTLED_SECONDS in this process: a burst is worked in chunks of 40
events, and re-reading a dozen configuration rows per chunk was a tenth of the worker's
time. A save or delete of such a row in this process forgets them at once (receivers in
IntakeConfig.ready); a change made in another process (the web) is seen within the TTL.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_cache: ContextVar[dict | None] = ContextVar("intake_batch_cache", default=None)
SETTLED_SECONDS = 2.0
_settled: dict[tuple[Any, ...], tuple[float, Any]] = {}


@contextlib.contextmanager
def batch_cache() -> Iterator[None]:
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def batch_cache_forget(kind: str | None = None) -> None:
    """Drop what this batch remembered: an event failed, and rows made inside its rolled-back
    savepoint (a new source, say) no longer exist. With `kind`, only the keys that start
    with it (the rest of the batch's memory stays true)."""
    store = _cache.get()
    if store is None:
        return
    if kind is None:
        store.clear()
        settled_forget()
        return
    for key in [key for key in store if key[:1] == (kind,)]:
        del store[key]


def cached(key: tuple[Any, ...], load: Callable[[], T], *, settled: bool = False) -> T:
    """`load()` once per batch for `key` (`settled`: once per SETTLED_SECONDS across batches);
    always `load()` outside a batch."""
    store = _cache.get()
    if store is None:
        return load()
    if key not in store:
        store[key] = _settled_load(key, load) if settled else load()
    return store[key]


def _settled_load(key: tuple[Any, ...], load: Callable[[], T]) -> T:
    now = time.monotonic()
    remembered = _settled.get(key)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    value = load()
    _settled[key] = (now + SETTLED_SECONDS, value)
    return value


def settled_forget(**_kwargs: Any) -> None:
    """Forget the settled lookups (a configuration row changed, or a batch failed)."""
    _settled.clear()


def batch_first_time(key: tuple[Any, ...]) -> bool:
    """True the first time `key` is seen in this batch (and always outside a batch).

    For idempotent writes that a batch repeats (marking the same day dirty for every lead):
    once done inside the batch's transaction, doing it again changes nothing.
    """
    store = _cache.get()
    if store is None:
        return True
    if key in store:
        return False
    store[key] = True
    return True
