"""Keeping SQLite's query planner informed.

SQLite chooses indexes from the statistics that ANALYZE writes; without them it guesses,
and at a million leads a wrong guess costs seconds (the inbox read all open leads through
the status index and sorted them, instead of walking the partial index of open leads).
PostgreSQL's autovacuum keeps its own statistics, so this does nothing there.
"""

from __future__ import annotations

import time

from django.db import connection

ANALYZE_EVERY_SECONDS = 24 * 3600
_last_run: float | None = None


def database_analyze(*, force: bool = False) -> bool:
    """Run ANALYZE on SQLite when it never ran, or a day ago; return whether it ran.

    A full ANALYZE of a database with a million leads takes about 12 s; it reads, and holds
    the write lock only to store the statistics.
    """
    global _last_run
    if connection.vendor != "sqlite":
        return False
    now = time.monotonic()
    if not force and _last_run is not None and now - _last_run < ANALYZE_EVERY_SECONDS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        has_statistics = cursor.fetchone() is not None
        if force or _last_run is not None or not has_statistics:
            cursor.execute("ANALYZE")
    _last_run = now
    return True
