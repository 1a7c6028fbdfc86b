"""Automation fixtures: the two task backends (database, Redis) and a robot factory.

`task_backend` is parametrised: a test that uses it runs once on django-tasks-db and once on
django-tasks-rq against the local Redis. `drain()` runs the real worker of that backend until
its queue is empty (db_worker --batch; an RQ SimpleWorker in burst mode).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import django_rq
import pytest
from bench.support import free_port
from django.test import TestCase, override_settings

from tests.task_worker import db_worker_batch
from voronka.automation.models import Robot
from voronka.crm.models import LeadStatus, Stage

BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


def fire():
    """Run the on-commit callbacks (the enqueueing of runs) of what happens inside, as a
    real commit would; the test's own transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@dataclass
class TaskBackend:
    name: str

    def _work(self) -> None:
        if self.name == "db":
            db_worker_batch()
            return
        from django_tasks_rq import Job
        from rq import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(
            burst=True, with_scheduler=False)

    def drain(self, rounds: int = 20) -> int:
        """Work until no task is left, including those that runs enqueue for robots they set
        off; return how many rounds it took."""
        for round_number in range(1, rounds + 1):
            with fire() as callbacks:
                self._work()
            if not callbacks:
                return round_number
        raise AssertionError("the queue did not drain")


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


@dataclass
class Mailbox:
    """What a real SMTP server (aiosmtpd on a free port) received."""

    messages: list

    def wait(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's SMTP backend is pointed at it for the test."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.original_content or envelope.content,
                                                 policy=policy.default))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        yield Mailbox(received)
    finally:
        controller.stop()


@dataclass
class HookServer:
    url: str
    requests: list  # (headers, body)
    status: list  # the status to answer, changeable by the test


@pytest.fixture
def hook_server():
    """A local HTTP server that records what robots post to it."""
    requests: list = []
    status = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append((dict(self.headers), body))
            self.send_response(status[0])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HookServer(f"http://127.0.0.1:{server.server_port}/hook", requests, status)
    finally:
        server.shutdown()
        server.server_close()
