"""Example set-up files (a package, so that they are installed with Voronka)."""

from __future__ import annotations

from pathlib import Path


def example_path(name: str = "company.yaml") -> Path:
    """The path of a shipped example file, e.g. to start a company's own file from it."""
    return Path(__file__).resolve().parent / name
