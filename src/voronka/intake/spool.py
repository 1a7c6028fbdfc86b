"""The webhook spool: on SQLite, deliveries are committed to a journal file of their own.

SQLite has one write lock per file. Without the spool, a PBX's webhook waits for that lock
behind whatever else is writing: the worker's chunk of events (tens of milliseconds), a
bulk action or an import (seconds). With it, a webhook commits one row to
`settings.INTAKE_SPOOL`, whose lock only other webhooks take, and is answered; the
worker's event loop moves the rows into `intake_inboundevent` (one transaction for many)
and processes them there, as before. See docs/decisions/0011-webhook-spool.md.

A row is removed from the spool only after the main database has committed its copy, and
the copy is `INSERT … ON CONFLICT DO NOTHING` on (provider, idempotency key): a crash
between the two steps moves it again and changes nothing, and a repeated delivery lands
once. PostgreSQL locks rows, not the file, so it needs no spool.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection as main_db
from django.utils import timezone

from voronka.core.sqlite.queue import WriterQueue

_SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    provider TEXT NOT NULL,
    connection TEXT NOT NULL,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (provider, idempotency_key)
)
"""
_COLUMNS = ("channel", "provider", "connection", "kind", "idempotency_key", "thread_key",
            "payload", "received_at")
_INSERT = (f"INSERT INTO delivery ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
           f"ON CONFLICT (provider, idempotency_key) DO NOTHING RETURNING id")


@dataclass(frozen=True)
class SpooledDelivery:
    """A delivery waiting in the spool: its spool id, and the InboundEvent fields it arrived with."""

    id: int
    fields: dict[str, Any]


class _Local(threading.local):
    path: str | None = None
    db: sqlite3.Connection | None = None
    queue: WriterQueue | None = None


_local = _Local()


def spool_path() -> str | None:
    """The spool file, or None where there is none (PostgreSQL, inline processing, tests)."""
    if not settings.INTAKE_DEFERRED or main_db.vendor != "sqlite":
        return None
    path = getattr(settings, "INTAKE_SPOOL", None)
    return str(path) if path else None


def _connect(path: str) -> tuple[sqlite3.Connection, WriterQueue]:
    if _local.path != path:
        if _local.db is not None:
            _local.db.close()
            _local.queue.close()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=True)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # as the main database: durable at checkpoints
        db.execute(_SCHEMA)
        _local.path, _local.db, _local.queue = path, db, WriterQueue(path)
    return _local.db, _local.queue


def _write(path: str, sql: str, rows: list[tuple]) -> list[tuple]:
    """Run `sql` once per row in one IMMEDIATE transaction, in the spool's writer queue."""
    db, queue = _connect(path)
    queue.enter()
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            results = [row for params in rows for row in db.execute(sql, params).fetchall()]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        queue.leave()
    return results


def spool_put(*, channel: str, provider: str, idempotency_key: str, payload: Any,
              connection: str = "", kind: str = "", thread_key: str = "") -> tuple[int, bool]:
    """Commit a delivery to the spool; (spool id or 0, created). Keys are cut as the store cuts
    them; a key already waiting in the spool is not stored twice."""
    path = spool_path()
    if path is None:
        raise RuntimeError("the webhook spool is off (PostgreSQL, or INTAKE_DEFERRED unset)")
    row = (channel, provider, connection, kind, idempotency_key[:255], thread_key[:255],
           json.dumps(payload, ensure_ascii=False), timezone.now().isoformat())
    inserted = _write(path, _INSERT, [row])
    return (inserted[0][0], True) if inserted else (0, False)


def spool_take(limit: int = 2000) -> list[SpooledDelivery]:
    """The oldest deliveries waiting in the spool (read only; spool_drop removes them)."""
    path = spool_path()
    if path is None or not Path(path).exists():
        return []
    db, _queue = _connect(path)
    rows = db.execute(f"SELECT id, {', '.join(_COLUMNS)} FROM delivery ORDER BY id LIMIT ?",
                      (limit,)).fetchall()
    deliveries = []
    for spool_id, *values in rows:
        fields = dict(zip(_COLUMNS, values, strict=True))
        fields["payload"] = json.loads(fields["payload"])
        fields["received_at"] = dt.datetime.fromisoformat(fields["received_at"])
        deliveries.append(SpooledDelivery(id=spool_id, fields=fields))
    return deliveries


def spool_drop(ids: list[int]) -> None:
    """Remove moved deliveries (only after the main database committed their copies)."""
    path = spool_path()
    if path is None or not ids:
        return
    _write(path, "DELETE FROM delivery WHERE id = ?", [(pk,) for pk in ids])
