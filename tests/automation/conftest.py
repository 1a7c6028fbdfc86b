"""Automation fixtures: the two task backends (database, Redis) and a robot factory.

`task_backend` is parametrised: a test that uses it runs once on django-tasks-db and once on
django-tasks-rq against the local Redis. `drain()` runs the real worker of that backend until
its queue is empty (db_worker --batch; an RQ SimpleWorker in burst mode).
"""

from __future__ import annotations

from dataclasses import dataclass

import django_rq
import pytest
from django.core.management import call_command
from django.test import override_settings

from voronka.automation.models import Robot
from voronka.crm.models import LeadStatus, Stage

BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


@dataclass
class TaskBackend:
    name: str

    def drain(self) -> None:
        if self.name == "db":
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
            return
        from django_tasks_rq import Job
        from rq import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(
            burst=True, with_scheduler=False)


@pytest.fixture(params=sorted(BACKENDS))
def task_backend(request, db):
    name = request.param
    with override_settings(TASKS={"default": {"BACKEND": BACKENDS[name], "QUEUES": ["default"]}}):
        if name == "rq":
            connection = django_rq.get_connection("default")
            connection.flushdb()  # this worker's own database (tests/settings.py)
        yield TaskBackend(name)


@pytest.fixture
def make_robot(db):
    def make(*, actions, status: str | None = "NEW", stage: str | None = None, **fields) -> Robot:
        robot = Robot(name=fields.pop("name", "Робот"), actions=actions, **fields)
        if stage:
            robot.entity, robot.stage = "deal", Stage.objects.get(code=stage)
        else:
            robot.entity, robot.status = "lead", LeadStatus.objects.get(code=status)
        robot.full_clean()
        robot.save()
        return robot
    return make
