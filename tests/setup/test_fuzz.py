"""Property tests: junk never crashes the set-up and never writes anything it does not report."""

from __future__ import annotations

import contextlib
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.setup.helpers import db_snapshot
from voronka.setup.errors import SetupValidationError
from voronka.setup.loader import load_document
from voronka.setup.registry import registry
from voronka.setup.services import setup_apply

pytestmark = pytest.mark.django_db

FIELD_NAMES = [
    "username", "full_name", "role", "extension", "password", "email", "time_zone", "is_active",
    "code", "name", "sort", "semantics", "color", "deprecated", "is_default", "stages",
    "amount_required", "minimum_amount", "zero_becomes_one",
]
# Known names make junk reach deep into the schemas instead of failing at the first key.
keys = st.sampled_from(registry.keys() + FIELD_NAMES) | st.text(max_size=8) | st.integers(-3, 3)
leaves = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.decimals() | st.text(max_size=20)
    | st.sampled_from(["admin", "head", "process", "success", "failure", "AVITO", "MAIN", "NEW",
                       "#39a8ef", "Europe/Moscow", "1500.50", "${SET_VAR}", "${UNSET_VAR}", "$${X}",
                       "${bad name}", "${", "x@example.com", "long-enough-password", Decimal("sNaN")])
)
junk = st.recursive(
    leaves, lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=40,
)
# Near-valid documents: known sections holding items with mostly known fields, so that the
# junk reaches the checks and the writes, not just the first unknown key.
field_values = leaves | st.lists(
    st.dictionaries(st.sampled_from(FIELD_NAMES), leaves, max_size=5), max_size=4)
items = st.dictionaries(st.sampled_from(FIELD_NAMES), field_values, min_size=2, max_size=8)
near_valid = st.dictionaries(
    st.sampled_from(registry.keys()), st.lists(items, max_size=4) | items | junk, max_size=5)
documents = near_valid | st.dictionaries(keys, junk, max_size=5) | junk
ENV = {"SET_VAR": "value-of-the-variable"}
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(document=documents)
def test_junk_raises_only_validation_errors_and_a_failure_writes_nothing(document):
    before = db_snapshot()
    try:
        report = setup_apply(document, environ=ENV)
    except SetupValidationError as exc:
        assert exc.issues
        assert all(isinstance(issue.path, str) and issue.message for issue in exc.issues)
        assert db_snapshot() == before
    else:
        # Junk that happens to be valid may write, but only what the report says.
        assert report.has_changes == (db_snapshot() != before)


@SETTINGS
@given(document=documents)
def test_dry_run_of_junk_never_writes(document):
    before = db_snapshot()
    with contextlib.suppress(SetupValidationError):
        setup_apply(document, dry_run=True, environ=ENV)
    assert db_snapshot() == before


@settings(max_examples=300, deadline=None)
@given(content=st.binary(max_size=200) | st.text(
    alphabet=st.sampled_from(list("users:- {}[],'\"&*!<>|#%@`\n\t 0123abc$")), max_size=200
).map(str.encode), suffix=st.sampled_from([".yaml", ".json"]))
def test_junk_files_raise_only_validation_errors(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"company{suffix}"
        path.write_bytes(content)
        try:
            document = load_document(path)
        except SetupValidationError as exc:
            assert exc.issues
        else:
            assert isinstance(document, dict)
