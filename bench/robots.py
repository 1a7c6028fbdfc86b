"""Benchmark the robot engine: what robots add to a lead's creation, and runs per second.

    .venv/bin/python bench/robots.py [--leads 2000] [--database-url URL]

On a file SQLite database in a temporary folder (or the database given), with the
production settings and the database task queue:
- creating leads in a status with two robots, against the same without robots (ms/lead);
- the real `db_worker` draining the runs, each making a task and a comment (runs/s);
- the schedule's sweep enqueueing 10 000 delayed runs that fell due (ms).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SWEEP_RUNS = 10_000


def _leads(count: int, manager, prefix: str) -> float:
    from django.db import transaction

    from voronka.crm.services.leads import lead_create

    started = time.perf_counter()
    for number in range(count):
        with transaction.atomic():
            lead_create(title=f"{prefix} {number}", responsible=manager)
    return (time.perf_counter() - started) * 1000 / count


def run(leads: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from voronka.accounts.models import Role, User
    from voronka.automation.engine import runs_due_enqueue
    from voronka.automation.models import Robot, RobotRun, RunState
    from voronka.crm.models import Lead, LeadStatus

    call_command("migrate", verbosity=0)
    manager = User.objects.create_user(username="bench-robots", password="x", role=Role.MANAGER)
    new = LeadStatus.objects.get(code="NEW")

    _leads(min(leads, 100), manager, "Разогрев")  # caches and the first pages of the indexes
    plain_ms = _leads(leads, manager, "Без роботов")
    for name, actions in (("Дело", [{"type": "task_create", "title": "Позвонить {{client}}"}]),
                          ("Комментарий", [{"type": "comment_add", "text": "Принят в работу"}])):
        Robot.objects.create(name=name, entity="lead", status=new, trigger="entered", actions=actions)
    robots_ms = _leads(leads, manager, "С роботами")
    print(f"lead creation: {plain_ms:.2f} ms/lead without robots, {robots_ms:.2f} ms/lead with two "
          f"robots (+{robots_ms - plain_ms:.2f} ms)")

    queued = RobotRun.objects.filter(state=RunState.QUEUED).count()
    started = time.perf_counter()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    seconds = time.perf_counter() - started
    done = RobotRun.objects.filter(state=RunState.DONE).count()
    print(f"worker: {done} of {queued} runs done in {seconds:.1f} s = {done / seconds:.0f} runs/s "
          "(db_worker, one process)")

    robot = Robot.objects.first()
    lead = Lead.objects.first()
    due = timezone.now()
    RobotRun.objects.bulk_create(
        [RobotRun(robot=robot, lead=lead, trigger="stayed", state=RunState.SCHEDULED, due_at=due)
         for _ in range(SWEEP_RUNS)], batch_size=2000)
    started = time.perf_counter()
    enqueued = runs_due_enqueue(due)
    print(f"sweep: {enqueued} due runs enqueued in {(time.perf_counter() - started) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["VORONKA_DATA_DIR"] = folder
        os.environ["DJANGO_SETTINGS_MODULE"] = "voronka.settings"
        os.environ.setdefault("VORONKA_TASKS_BACKEND", "db")
        os.environ.pop("DATABASE_URL", None)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        run(args.leads)


if __name__ == "__main__":
    main()
