"""The event loop of `voronka worker`: process stored events moments after they arrive.

Webhooks answer as soon as an event is committed (INTAKE_DEFERRED); this loop picks the
events up in arrival order. One indexed query finds them, so an idle loop costs nothing
worth measuring, and a burst is drained in small chunks (see events_pending_process).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from voronka.intake.services.events import events_pending_process

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.2
ROUND_LIMIT = 500
# A chunk of events shares one commit and one read of the lookups (connection, statuses,
# robots…), and the events of one call in it are applied together; it holds the write lock
# longer, which a webhook waiting to store its event feels. Measured on 2 cores: 40 gave the
# most events per second (about 1.7x of one event per transaction) with a p99 of the
# webhooks under 35 ms at 100 events/s. Whatever has arrived is worked this way, so a busy
# intake batches more and a quiet one still processes each event at once.
CHUNK = 40


def events_follow(stop: threading.Event, *, idle_seconds: float = IDLE_SECONDS) -> None:
    """Process arriving events until `stop` is set; a failing round is logged and retried."""
    while not stop.is_set():
        close_old_connections()
        try:
            done = events_pending_process(limit=ROUND_LIMIT, chunk=CHUNK)
        except Exception:  # the database went away for a moment: try again shortly
            log.exception("inbound event loop failed")
            done = 0
        if not done:
            stop.wait(idle_seconds)
    connection.close()
