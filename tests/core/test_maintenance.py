"""SQLite gets planner statistics (ANALYZE) when it has none, then once a day."""

from __future__ import annotations

import pytest
from django.db import connection

from voronka.core import maintenance

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only")]


def _has_statistics() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return cursor.fetchone() is not None


def test_statistics_are_made_once_then_daily(make_lead, monkeypatch):
    make_lead(title="Для статистики")
    monkeypatch.setattr(maintenance, "_last_run", None)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert maintenance.database_analyze() is True
    assert _has_statistics()
    assert maintenance.database_analyze() is False  # not again within a day
    monkeypatch.setattr(maintenance, "_last_run",
                        maintenance._last_run - maintenance.ANALYZE_EVERY_SECONDS - 1)
    assert maintenance.database_analyze() is True
