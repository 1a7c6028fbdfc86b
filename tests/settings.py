"""Test settings: production settings with a throw-away data dir and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("VORONKA_DATA_DIR", tempfile.mkdtemp(prefix="voronka-test-"))

from voronka.settings import *  # noqa: F403
from voronka.settings import DATABASES, STATIC_ROOT

# Hashing with PBKDF2 would dominate the run time of tests that create users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Most tests check a webhook's effect right after its answer; tests/intake/test_deferred.py
# switches this on to test the deferred path (and the crash test runs a real server with it).
INTAKE_DEFERRED = False
# The webhook spool is tested by tests/intake/test_spool.py, which gives it a file; elsewhere the
# deferred path stores straight into the (in-memory) test database.
INTAKE_SPOOL = None

# pytest-django names per-worker test databases unless the engine is the stock SQLite one;
# ours (a subclass) keeps the stock in-memory test database, one per worker process.
if DATABASES["default"]["ENGINE"] == "voronka.core.sqlite":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Each xdist worker has a Redis database of its own for the RQ task backend tests.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:6379/{1 + int(_worker[2:] or 0) % 14}",
                         "DEFAULT_TIMEOUT": 600}}
