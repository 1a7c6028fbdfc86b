"""kill -9 the server in the middle of a burst: every acknowledged event survives and is processed."""

from __future__ import annotations

import http.client
import signal
import sqlite3
import threading
import time

import pytest
from bench.support import (
    MangoSender,
    free_port,
    mango_call_event,
    prepare,
    start_server,
    stop_server,
)


@pytest.mark.slow
def test_every_acknowledged_event_survives_kill_minus_nine(tmp_path):
    prepare(tmp_path)
    port = free_port()
    server = start_server(tmp_path, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def burst(worker: int) -> None:
        sender = MangoSender(port)
        for i in range(2000):  # bounded; the kill ends it much earlier
            if stop.is_set():
                return
            entry = f"crash-{worker}-{i}"
            try:
                status = sender.post("call", mango_call_event(entry, 1, "Appeared",
                                                              f"+7900{worker:03d}{i:04d}"))
            except (OSError, http.client.HTTPException):
                return  # the server is gone (mid-answer, too)
            if status == 200:
                acknowledged.append(f"call:{entry}:{entry}-c:1")

    threads = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    stop_server(server, signal.SIGKILL)  # no graceful shutdown: mid-request
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 150, "the burst did not get going"

    # restart: serve processes whatever was stored but not yet processed
    server = start_server(tmp_path, free_port())
    try:
        db = sqlite3.connect(tmp_path / "voronka.sqlite3")
        rows = dict(db.execute(
            "SELECT idempotency_key, state FROM intake_inboundevent WHERE provider='mango'"))
        leads = db.execute("SELECT COUNT(*) FROM crm_lead").fetchone()[0]
        db.close()
    finally:
        stop_server(server)
    missing = [key for key in acknowledged if key not in rows]
    assert not missing, f"{len(missing)} acknowledged events were lost"
    unprocessed = [key for key in acknowledged if rows[key] != "processed"]
    assert not unprocessed, f"{len(unprocessed)} acknowledged events were not processed"
    assert leads >= len(acknowledged)  # each call came from a new number
