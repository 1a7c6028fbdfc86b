"""The event loop of `voronka worker`: process stored events moments after they arrive.

Webhooks answer as soon as an event is committed (INTAKE_DEFERRED); this loop picks the
events up in arrival order. One indexed query finds them, so an idle loop costs nothing
worth measuring, and a burst is drained in small chunks (see events_pending_process).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services.events import events_pending_process

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.2
ROUND_LIMIT = 500
# A chunk of events shares one commit (cheaper) but holds the write lock longer, which a
# webhook waiting to store its event feels. A short queue is worked one event at a time for
# the senders' latency; a long one in chunks, to catch up.
BACKLOG_FOR_CHUNKS = 100
CHUNK = 10


def events_follow(stop: threading.Event, *, idle_seconds: float = IDLE_SECONDS) -> None:
    """Process arriving events until `stop` is set; a failing round is logged and retried."""
    while not stop.is_set():
        close_old_connections()
        try:
            backlog = InboundEvent.objects.filter(state=EventState.RECEIVED).count()
            chunk = CHUNK if backlog >= BACKLOG_FOR_CHUNKS else 1
            done = events_pending_process(limit=ROUND_LIMIT, chunk=chunk) if backlog else 0
        except Exception:  # the database went away for a moment: try again shortly
            log.exception("inbound event loop failed")
            done = 0
        if not done:
            stop.wait(idle_seconds)
    connection.close()
