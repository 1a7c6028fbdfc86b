"""Test settings: production settings with a throw-away data dir and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("VORONKA_DATA_DIR", tempfile.mkdtemp(prefix="voronka-test-"))

from voronka.settings import *  # noqa: F403
from voronka.settings import STATIC_ROOT

# Hashing with PBKDF2 would dominate the run time of tests that create users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
