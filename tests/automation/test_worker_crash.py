"""`voronka worker` killed with SIGKILL in the middle of a batch of robot runs loses nothing.

A real worker process works through robot runs whose webhook answers slowly; it is killed
mid-batch, then `voronka worker --batch` runs once the lease has passed. Every run ends
done; every database effect (the comment, the timeline line) happened exactly once; every
run's webhook arrived at least once, and only a run cut off mid-flight may arrive twice.
Both task backends: the database queue and Redis (RQ).
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from bench.support import VORONKA, prepare, server_env, stop_server

pytestmark = pytest.mark.slow

RUNS = 16
LEASE_SECONDS = 2
HOOK_SECONDS = 0.25  # long enough for the kill to land while a run is in flight
REDIS_URL = "redis://127.0.0.1:6379/15"  # the unit tests use 1…14

SETUP = """
from django.db import transaction
from voronka.accounts.models import User
from voronka.automation.models import Robot
from voronka.crm.models import LeadStatus
from voronka.crm.services.leads import lead_create

robot = Robot(name="Сообщить", entity="lead", status=LeadStatus.objects.get(code="NEW"),
              trigger="entered", actions=[{{"type": "comment_add", "text": "робот сработал"}},
                                          {{"type": "webhook", "url": "{url}"}}])
robot.full_clean()
robot.save()
manager = User.objects.get(username="m1")
for number in range({runs}):
    with transaction.atomic():
        lead_create(title=f"Лид {{number}}", responsible=manager)
"""


class SlowHook:
    """A receiver that answers each webhook after a pause and keeps the delivery ids."""

    def __init__(self) -> None:
        self.deliveries: list[str] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.deliveries.append(self.headers["X-Voronka-Delivery"])
                time.sleep(HOOK_SECONDS)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _query(data_dir, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "voronka.sqlite3", timeout=30) as db:
        return db.execute(sql).fetchall()


@pytest.mark.parametrize("backend", ["db", "rq"])
def test_killed_worker_loses_no_run_and_repeats_no_database_effect(tmp_path, backend):
    env = server_env(tmp_path)
    env.update(VORONKA_TASKS_BACKEND=backend, VORONKA_REDIS_URL=REDIS_URL,
               VORONKA_ROBOT_LEASE_SECONDS=str(LEASE_SECONDS), VORONKA_AUTOMATION_SECONDS="1")
    if backend == "rq":
        redis.Redis.from_url(REDIS_URL).flushdb()
    prepare(tmp_path)
    hook = SlowHook()
    try:
        subprocess.run([VORONKA, "shell", "-c", SETUP.format(url=hook.url, runs=RUNS)], env=env,
                       check=True, timeout=120, capture_output=True)
        assert _query(tmp_path, "SELECT count(*) FROM automation_robotrun WHERE state='queued'") \
            == [(RUNS,)]

        worker = subprocess.Popen([VORONKA, "worker", "--no-migrate", "--interval", "3600"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        deadline = time.monotonic() + 60
        while len(hook.deliveries) < RUNS // 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop_server(worker, signal.SIGKILL)
        done_before = _query(tmp_path, "SELECT count(*) FROM automation_robotrun WHERE state='done'")[0][0]
        assert RUNS // 4 <= done_before < RUNS, "the kill must land in the middle of the batch"

        time.sleep(LEASE_SECONDS + 0.5)  # the lost tasks' lease passes
        subprocess.run([VORONKA, "worker", "--batch", "--no-migrate"], env=env, check=True,
                       timeout=180, capture_output=True)
    finally:
        hook.close()

    runs = _query(tmp_path, "SELECT id, state FROM automation_robotrun ORDER BY id")
    assert [state for _id, state in runs] == ["done"] * RUNS
    assert _query(tmp_path, "SELECT count(*) FROM automation_robotrun "
                            "WHERE effects_due_at IS NOT NULL") == [(0,)]
    comments = _query(tmp_path, "SELECT lead_id, count(*) FROM crm_timelineevent "
                                "WHERE kind='comment' AND text='робот сработал' GROUP BY lead_id")
    assert len(comments) == RUNS and {count for _lead, count in comments} == {1}
    logged = _query(tmp_path, "SELECT payload FROM crm_timelineevent WHERE kind='robot'")
    assert sorted(json.loads(payload)["run"] for (payload,) in logged) == [run for run, _s in runs]
    # Webhooks leave the database: at least once each, twice at most for the run in flight.
    assert {f"robot-run-{run}" for run, _s in runs} == set(hook.deliveries)
    assert len(hook.deliveries) - RUNS <= 1
