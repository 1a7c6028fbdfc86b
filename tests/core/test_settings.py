"""Settings come from the environment; checked in fresh processes, as a server starts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.db import connection

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
db = settings.DATABASES["default"]
out = {"secret": settings.SECRET_KEY, "tz": settings.TIME_ZONE, "lang": settings.LANGUAGE_CODE,
       "debug": settings.DEBUG, "engine": db["ENGINE"], "name": str(db["NAME"])}
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        out["journal"] = c.execute("PRAGMA journal_mode").fetchone()[0]
        out["busy_timeout"] = c.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps(out))
"""


def _probe(data_dir, **env) -> dict:
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "TIME_ZONE", "LANGUAGE_CODE"}}
    environ.update(VORONKA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="voronka.settings", **env)
    result = subprocess.run([sys.executable, "-c", PROBE], env=environ, capture_output=True,
                            text=True, check=True, timeout=60)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_sqlite_in_data_dir_wal_moscow_russian(tmp_path):
    out = _probe(tmp_path)
    assert out["engine"] == "voronka.core.sqlite"
    assert out["name"] == str(tmp_path / "voronka.sqlite3")
    assert out["journal"] == "wal"
    assert out["busy_timeout"] >= 1000
    assert out["tz"] == "Europe/Moscow"
    assert out["lang"] == "ru"
    assert out["debug"] is False


def test_secret_key_generated_once_and_kept_private(tmp_path):
    first = _probe(tmp_path)["secret"]
    second = _probe(tmp_path)["secret"]
    assert first == second and len(first) >= 50
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_environment_overrides(tmp_path):
    out = _probe(tmp_path, SECRET_KEY="from-env", TIME_ZONE="Asia/Novosibirsk",
                 LANGUAGE_CODE="en", DEBUG="true",
                 DATABASE_URL="postgres://u@127.0.0.1:5432/somedb")
    assert out["secret"] == "from-env"
    assert out["tz"] == "Asia/Novosibirsk"
    assert out["lang"] == "en"
    assert out["debug"] is True
    assert out["engine"] == "django.db.backends.postgresql"
    assert out["name"] == "somedb"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.django_db
def test_sqlite_uses_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific setting; this run uses " + connection.vendor)
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
