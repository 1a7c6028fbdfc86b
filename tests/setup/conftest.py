"""Fixtures for the set-up file tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.setup.helpers import EXAMPLE, EXAMPLE_ENV


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # PBKDF2 takes a good part of a second per password; these tests set and check many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def example_env(monkeypatch) -> dict[str, str]:
    for name, value in EXAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    return EXAMPLE_ENV


@pytest.fixture
def example_document() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def write_file(tmp_path):
    def write(content: str | dict, name: str = "company.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path
    return write

