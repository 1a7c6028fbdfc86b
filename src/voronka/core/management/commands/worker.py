"""`voronka worker`: background tasks (the database queue) and the periodic jobs.

Periodic jobs run in a daemon thread beside the task worker: a sweep that processes inbound
events stored but never processed, spend sync, database statistics. The automation's
schedule (delayed robots, SLA breaches, task reminders) runs in a thread of its own every
few seconds (`VORONKA_AUTOMATION_SECONDS`, default 5). The task worker is django-tasks-db's
`db_worker`, or, with `VORONKA_TASKS_BACKEND=rq`, an RQ worker on Redis. The mailboxes are
read by threads of their own (`voronka.mail.idle.mailboxes_watch`: IMAP IDLE where the
server has it, else polling every --interval). Each job catches its own errors, so a
broken mailbox never stops the queue.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger(__name__)


def _periodic_jobs(*, mail: bool = False) -> list:
    from voronka.core.maintenance import database_analyze
    from voronka.intake.imports.service import jobs_stale_requeue
    from voronka.intake.services.events import events_pending_process
    from voronka.mail.imap import mailboxes_poll
    from voronka.spend.sync import spend_sync_due

    jobs = [events_pending_process, spend_sync_due, database_analyze, jobs_stale_requeue]
    return [*jobs, mailboxes_poll] if mail else jobs


def _automation_jobs() -> list:
    from voronka.automation.schedule import automation_tick

    return [automation_tick]


def run_periodic(stop: threading.Event, interval: float, jobs=_periodic_jobs) -> None:
    while not stop.is_set():
        for job in jobs():
            close_old_connections()
            try:
                job()
            except Exception:  # a failing job is logged and tried again next round
                log.exception("periodic job %s failed", job.__name__)
        close_old_connections()
        stop.wait(interval)


def _exit_with_parent(parent_pid: int, stop: threading.Event) -> None:
    """When the server that started us is gone, stop as if Ctrl+C was pressed."""
    while not stop.wait(1.0):
        if os.getppid() != parent_pid:
            log.warning("voronka serve (pid %s) has ended; the worker stops too", parent_pid)
            stop.set()
            os.kill(os.getpid(), signal.SIGTERM)
            return


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail polling, event sweeps)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run the periodic jobs once, drain the task queue, and exit.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrations.")
        parser.add_argument("--parent-pid", type=int, default=None,
                            help="Stop when this process ends (`voronka serve` passes its own).")
        parser.add_argument("--interval", type=float,
                            default=float(os.environ.get("VORONKA_POLL_SECONDS", "60")),
                            help="Seconds between rounds of periodic jobs, and between polls of a "
                                 "mailbox whose server has no IMAP IDLE (default 60).")

    def _task_worker(self, *, batch: bool) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == "django_tasks_rq.RQBackend":
            # SimpleWorker runs jobs in this process; a killed worker's job is re-enqueued by
            # the automation's lease sweep, and every task is idempotent.
            args = ["rqworker", "default", "--job-class", "django_tasks_rq.Job",
                    "--worker-class", "rq.worker.SimpleWorker", "--with-scheduler"]
            call_command(*args, *(["--burst"] if batch else []))
        else:
            call_command("db_worker", *(["--batch"] if batch else []))

    def handle(self, *args, **options):
        from voronka.intake.services.processor import events_follow
        from voronka.mail.idle import mailboxes_watch

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if options["batch"]:
            for job in [*_periodic_jobs(mail=True), *_automation_jobs()]:
                job()
            self._task_worker(batch=True)
            return
        stop = threading.Event()
        threading.Thread(target=events_follow, args=(stop,), name="voronka-events",
                         daemon=True).start()
        if options["parent_pid"]:
            threading.Thread(target=_exit_with_parent, args=(options["parent_pid"], stop),
                             name="voronka-parent-watch", daemon=True).start()
        thread = threading.Thread(target=run_periodic, args=(stop, options["interval"]),
                                  name="voronka-periodic", daemon=True)
        thread.start()
        threading.Thread(target=run_periodic, args=(stop, float(os.environ.get(
            "VORONKA_AUTOMATION_SECONDS", "5")), _automation_jobs),
            name="voronka-automation", daemon=True).start()
        threading.Thread(target=mailboxes_watch, args=(stop,),
                         kwargs={"poll_seconds": options["interval"]},
                         name="voronka-mail", daemon=True).start()
        try:
            self._task_worker(batch=False)
        finally:
            stop.set()
