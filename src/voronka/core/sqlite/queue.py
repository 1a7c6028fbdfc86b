"""A fair queue for the writers of one SQLite file: an exclusive `flock` beside it.

SQLite's busy handler sleeps in growing steps (1, 2, 5, 10 … 100 ms) and re-tries, so
under steady load a writer can sleep 50–100 ms for a lock that was free after 3 ms. A
writer that first takes this flock is woken by the kernel the moment it is released.
"""

from __future__ import annotations

import fcntl
import os


class WriterQueue:
    """Enter before BEGIN IMMEDIATE, leave after COMMIT or ROLLBACK (one per connection)."""

    def __init__(self, database_path: str):
        self.path = f"{database_path}-writers.lock"
        self._fd: int | None = None
        self.held = False

    def enter(self) -> None:
        if self.held:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self.held = True

    def leave(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.leave()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
