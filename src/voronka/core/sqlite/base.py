"""SQLite with a fair queue for writers: `ENGINE = "voronka.core.sqlite"`.

Every transaction first enters the database's WriterQueue (see queue.py), so writers queue
in the kernel instead of napping in SQLite's busy handler. Statements run outside a
transaction (autocommit) skip the queue and fall back to the busy handler.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from voronka.core.sqlite.queue import WriterQueue


class DatabaseWrapper(base.DatabaseWrapper):
    _queue: WriterQueue | None = None

    def _writer_queue(self) -> WriterQueue | None:
        if self.is_in_memory_db():
            return None
        if self._queue is None:
            self._queue = WriterQueue(str(self.settings_dict["NAME"]))
        return self._queue

    def _start_transaction_under_autocommit(self):
        queue = self._writer_queue()
        if queue is not None:
            queue.enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            if queue is not None:
                queue.leave()
            raise

    def _queue_leave(self) -> None:
        if self._queue is not None:
            self._queue.leave()

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
            if self._queue is not None:
                self._queue.close()
