"""The analytics app reads the CRM only through its selectors and never writes to it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import voronka.analytics as analytics
from voronka.analytics.builder import builder_run
from voronka.analytics.dashboard import dashboard
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import REPORTS, report_run

ROOT = Path(analytics.__file__).parent
# Reads of other apps' tables live in selectors.py; rollups.py and signals.py keep the
# analytics tables up to date and may read what they count.
READERS = {"selectors.py", "rollups.py", "signals.py"}


def _modules() -> list[Path]:
    return [path for path in ROOT.rglob("*.py")
            if "migrations" not in path.parts and path.name not in READERS]


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_only_the_selectors_query_models(path):
    tree = ast.parse(path.read_text())
    uses = [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "objects"
            and not (isinstance(node.value, ast.Name) and node.value.id == "SavedReport")]
    assert not uses, f"{path.name}: .objects on lines {uses}: read through analytics/selectors.py"


def test_reports_write_nothing_but_their_own_tables(march_world, head, manager):
    period = period_parse("2026-03-01", "2026-03-31")
    with CaptureQueriesContext(connection) as queries:
        for name in REPORTS:
            report_run(name, period=period, user=head)
            report_run(name, period=period, user=manager)
        builder_run(dimensions=["source", "month"], measures=["leads", "revenue"], period=period,
                    user=head)
        for preset in ("today", "week", "month"):
            dashboard(preset, user=head, today=period.date_to)
    written = set()
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            table = re.search(r'(?:INTO|UPDATE|FROM)\s+"?(\w+)"?', sql, re.IGNORECASE).group(1)
            written.add(table)
    assert written and all(table.startswith("analytics_") for table in written), written
