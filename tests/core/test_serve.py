"""`voronka serve` really serves: a process on a free port, checked over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

VORONKA = str(Path(sys.executable).with_name("voronka"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["VORONKA_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "voronka.settings"
    return env


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.mark.slow
def test_serve_migrates_and_answers_healthz_and_russian_admin(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([VORONKA, "serve", "--port", str(port), "--workers", "1"],
                            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("server did not start:\n" + proc.stdout.read().decode())
                time.sleep(0.3)
        assert status == 200 and '"ok"' in body
        status, body = _get(f"http://127.0.0.1:{port}/admin/login/")
        assert status == 200
        assert "Имя пользователя" in body  # Russian by default
        assert (tmp_path / "voronka.sqlite3").exists()
        # whitenoise serves the admin's static files without DEBUG
        status, _ = _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        assert status == 200
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def test_voronka_wraps_every_management_command(tmp_path):
    result = subprocess.run([VORONKA, "help", "--commands"], env=_env(tmp_path),
                            capture_output=True, text=True, check=True, timeout=60)
    commands = set(result.stdout.split())
    assert {"serve", "worker", "demo", "token", "setup", "migrate", "createsuperuser"} <= commands
