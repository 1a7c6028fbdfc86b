"""Loading the demo as one operation: check, optionally reset, create users, generate."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

from django.db import transaction

from voronka.analytics.rollups import rollups_refresh
from voronka.analytics.signals import rollups_signals_paused
from voronka.core.maintenance import database_analyze
from voronka.demo.generator import BATCH_SIZE, Progress, generate
from voronka.demo.reset import demo_reset
from voronka.demo.spend import demo_spend_load
from voronka.demo.state import Stats
from voronka.demo.users import demo_users_create, demo_users_existing

# Up to this size the whole load is one transaction: all or nothing. Larger loads commit
# per batch, so the database's journal stays small and progress survives a long run.
SINGLE_TRANSACTION_MAX = 50_000


@dataclass
class LoadResult:
    loaded: bool
    existing_users: list[str] = field(default_factory=list)
    stats: Stats | None = None
    deleted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_load(
    *,
    leads: int,
    password: str,
    seed: int,
    reset: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> LoadResult:
    """Load the demo unless its users exist already (then do nothing, unless `reset`)."""
    started = time.monotonic()
    existing = demo_users_existing()
    if existing and not reset:
        return LoadResult(loaded=False, existing_users=existing)
    whole = transaction.atomic() if leads <= SINGLE_TRANSACTION_MAX else contextlib.nullcontext()
    # Rows are written in bulk here: the rollups are recounted once at the end instead.
    with whole, rollups_signals_paused():
        deleted = demo_reset() if reset else {}
        with transaction.atomic(savepoint=False):
            users = demo_users_create(password)
        stats = generate(leads=leads, seed=seed, users=users, batch_size=batch_size,
                         progress=progress)
        demo_spend_load(seed=seed)
    rollups_refresh()
    database_analyze(force=True)  # a million new rows: the planner needs fresh statistics
    return LoadResult(loaded=True, existing_users=existing, stats=stats, deleted=deleted,
                      seconds=time.monotonic() - started)
