"""`voronka worker`: background tasks (the database queue) and the periodic jobs.

Periodic jobs run in a daemon thread beside the task worker: mail polling, and a sweep that
processes inbound events stored but never processed. Each job catches its own errors, so a
broken mailbox never stops the queue.
"""

from __future__ import annotations

import logging
import os
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger(__name__)


def _periodic_jobs() -> list:
    from voronka.intake.services.events import events_pending_process
    from voronka.mail.imap import mailboxes_poll

    return [events_pending_process, mailboxes_poll]


def run_periodic(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        for job in _periodic_jobs():
            close_old_connections()
            try:
                job()
            except Exception:  # a failing job is logged and tried again next round
                log.exception("periodic job %s failed", job.__name__)
        close_old_connections()
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail polling, event sweeps)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run the periodic jobs once, drain the task queue, and exit.")
        parser.add_argument("--interval", type=float,
                            default=float(os.environ.get("VORONKA_POLL_SECONDS", "60")),
                            help="Seconds between rounds of periodic jobs (default 60).")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if options["batch"]:
            for job in _periodic_jobs():
                job()
            call_command("db_worker", "--batch")
            return
        stop = threading.Event()
        thread = threading.Thread(target=run_periodic, args=(stop, options["interval"]),
                                  name="voronka-periodic", daemon=True)
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()
