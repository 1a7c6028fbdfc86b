"""SQLite with a fair queue for writers: `ENGINE = "voronka.core.sqlite"`.

SQLite has one write lock. A transaction that finds it taken waits in SQLite's busy handler,
which sleeps in growing steps (1, 2, 5, 10 … 100 ms) and re-tries: under steady load a
webhook can sleep 50–100 ms for a lock that was free after 3 ms. Here every transaction
first takes an exclusive `flock` on a file beside the database; the kernel wakes the next
waiter the moment the lock is released, so writers queue instead of napping. Statements run
outside a transaction (autocommit) skip the queue and fall back to the busy handler.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd: int | None = None
    _queued = False

    def _queue_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-writers.lock"

    def _queue_enter(self) -> None:
        if self._queued:
            return
        path = self._queue_path()
        if path is None:
            return
        if self._queue_fd is None:
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._queued = True

    def _queue_leave(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._queue_enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._queue_leave()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._queue_leave()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._queue_leave()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._queue_leave()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
