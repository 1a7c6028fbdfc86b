"""Helpers for tests that race real threads against a real database.

pytest-django's SQLite test database is a shared-cache in-memory one, which reports a lock
conflict at once instead of waiting, so it cannot show how the product behaves on its real
SQLite file. On SQLite `shared_database` copies the test database into a WAL file (as in
production) and points the connections at it while the block runs.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections


@contextmanager
def shared_database(directory: Path):
    """On SQLite, run the block on a file copy of the test database that threads can share."""
    if connection.vendor != "sqlite":
        yield
        return
    memory = connections[DEFAULT_DB_ALIAS]
    memory.ensure_connection()
    path = directory / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    original = connections.settings[DEFAULT_DB_ALIAS]
    # Threads build their connections from these settings; this thread gets a new one too.
    connections.settings[DEFAULT_DB_ALIAS] = {**original, "NAME": str(path)}
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        assert connections[DEFAULT_DB_ALIAS].settings_dict["NAME"] == str(path)
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = original
        connections[DEFAULT_DB_ALIAS] = memory


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads started together; return each one's result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except BaseException as exc:  # reported to the test, whatever it is
            results[index] = exc
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def split(results: list[object]) -> tuple[list[object], list[Exception]]:
    errors = [r for r in results if isinstance(r, BaseException)]
    return [r for r in results if not isinstance(r, BaseException)], errors
