"""A real `voronka serve` process and a MANGO OFFICE event sender, for benchmarks and crash tests.

Traffic goes only to 127.0.0.1, in bounded loops.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

VORONKA = str(Path(sys.executable).with_name("voronka"))
MANGO_KEY = "bench-api-key"
MANGO_SALT = "bench-salt"
SETUP_YAML = f"""
telephony:
  - provider: mango
    slug: bench
    api_key: {MANGO_KEY}
    salt: {MANGO_SALT}
users:
  - {{username: m1, full_name: Менеджер Один, role: manager, extension: "101"}}
  - {{username: m2, full_name: Менеджер Два, role: manager, extension: "102"}}
working_hours: {{days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59"}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["VORONKA_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "voronka.settings"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare(data_dir: Path, database_url: str | None = None) -> None:
    """Migrate and configure the MANGO connection used by the sender."""
    env = server_env(data_dir, database_url)
    subprocess.run([VORONKA, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    setup = data_dir / "setup.yaml"
    setup.write_text(SETUP_YAML)
    subprocess.run([VORONKA, "setup", "apply", str(setup)], env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


def start_server(data_dir: Path, port: int, *, workers: int = 2, threads: int = 4,
                 database_url: str | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log or data_dir / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [VORONKA, "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        env=server_env(data_dir, database_url), stdout=out, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {out.name}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("server did not answer /healthz in time")


def stop_server(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)


@contextlib.contextmanager
def running_server(data_dir: Path, **kwargs) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    proc = start_server(data_dir, port, **kwargs)
    try:
        yield proc, port
    finally:
        stop_server(proc)


def mango_call_event(entry: str, seq: int, state: str, client: str, *, line: str = "74950000001",
                     extension: str | None = None) -> dict:
    to = {"number": line, "line_number": line}
    if extension:
        to["extension"] = extension
    return {"entry_id": entry, "call_id": f"{entry}-c", "timestamp": int(time.time()), "seq": seq,
            "call_state": state, "location": "abonent", "from": {"number": client}, "to": to}


def mango_form(data: dict) -> bytes:
    json_text = json.dumps(data, separators=(",", ":"))
    sign = hashlib.sha256(f"{MANGO_KEY}{json_text}{MANGO_SALT}".encode()).hexdigest()
    return urlencode({"vpbx_api_key": MANGO_KEY, "sign": sign, "json": json_text}).encode()


class MangoSender:
    """One keep-alive HTTP connection posting signed MANGO events."""

    def __init__(self, port: int, slug: str = "bench"):
        self.port, self.slug = port, slug
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def post(self, kind: str, data: dict) -> int:
        body = mango_form(data)
        try:
            self.conn.request("POST", f"/integrations/mango/{self.slug}/events/{kind}", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = self.conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            raise
