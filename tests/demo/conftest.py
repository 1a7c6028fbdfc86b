"""Fixtures for the demo generator: a pinned "now" and a loader that runs the command."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command

from voronka.crm.models import Call, Deal, Lead, Task
from voronka.intake.models import InboundEvent

# A fixed anchor, so that two runs see the same year (the real command uses the clock).
NOW = dt.datetime(2026, 5, 20, 11, 17, 5, tzinfo=dt.UTC)
LEADS = 500
SEED = 11


@pytest.fixture
def pinned_now(monkeypatch) -> dt.datetime:
    monkeypatch.setattr("voronka.demo.generator.current_time", lambda: NOW)
    return NOW


@pytest.fixture
def run_demo(db, pinned_now):
    """Run `voronka demo` with arguments; return its stdout."""

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command("demo", *args, stdout=out, stderr=err)
        return out.getvalue()

    return run


@pytest.fixture
def demo(run_demo) -> str:
    """The demo loaded with LEADS leads and SEED."""
    return run_demo("--leads", str(LEADS), "--seed", str(SEED))


def data_digest() -> str:
    """What must not change between two runs with the same seed (ids and clock aside)."""
    h = hashlib.sha256()
    for row in Lead.objects.order_by("created_at", "title").values_list(
            "title", "source__code", "status__code", "is_repeat", "name", "last_name",
            "company_title", "utm_campaign", "responsible__username"):
        h.update(repr(row).encode())
    for row in Deal.objects.order_by("created_at", "title").values_list(
            "title", "amount", "stage__code", "source__code", "is_repeat", "parent_deal__title",
            "company__inn"):
        h.update(repr(row).encode())
    for row in Call.objects.order_by("external_id").values_list(
            "external_id", "client_number", "line_number", "result", "talk_seconds",
            "answered_by__username", "lead__title", "deal__title", "recording_url"):
        h.update(repr(row).encode())
    for row in Task.objects.order_by("call__external_id").values_list(
            "title", "call__external_id", "responsible__username", "done_at"):
        h.update(repr(row).encode())
    for row in InboundEvent.objects.order_by("provider", "idempotency_key").values_list(
            "provider", "idempotency_key", "state", "outcome", "error", "payload", "lead__title"):
        h.update(repr(row).encode())
    for row in Lead.objects.order_by("created_at", "title").values_list(
            "sla_deadline", "first_handled_at", "tracked_number"):
        h.update(repr(row).encode())
    return h.hexdigest()
