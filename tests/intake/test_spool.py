"""The webhook spool (SQLite): deliveries are committed to a file of their own, then moved."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.db import connection

from tests.concurrency import shared_database
from voronka.crm.models import Lead
from voronka.intake import spool
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services import events as events_module
from voronka.intake.services.events import events_pending_process, events_spool_move

from .conftest import call_event

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="the spool exists on SQLite only")


@pytest.fixture
def spooled(settings, tmp_path):
    settings.INTAKE_DEFERRED = True
    settings.INTAKE_SPOOL = tmp_path / "intake-spool.sqlite3"
    return settings.INTAKE_SPOOL


def _spool_rows(path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT provider, idempotency_key FROM delivery ORDER BY id").fetchall()


@sqlite_only
@pytest.mark.django_db
def test_a_webhook_is_committed_to_the_spool_and_the_loop_makes_the_lead(post_mango, spooled):
    response = post_mango("call", call_event("S1", client="79001112201"))
    assert response.status_code == 200
    assert response.json() == {"result": "ok", "event": None, "duplicate": False,
                               "state": EventState.RECEIVED}
    assert _spool_rows(spooled) == [("mango", "call:S1:C1:1")]
    assert not InboundEvent.objects.exists() and not Lead.objects.exists()

    assert events_pending_process(chunk=10) == 1
    event = InboundEvent.objects.get()
    assert event.state == EventState.PROCESSED and event.lead == Lead.objects.get()
    assert event.received_at.tzinfo is not None and event.payload["entry_id"] == "S1"
    assert _spool_rows(spooled) == []


@sqlite_only
@pytest.mark.django_db
def test_a_repeat_is_acknowledged_once_whether_spooled_or_already_stored(post_mango, spooled):
    post_mango("call", call_event("S2", client="79001112202"))
    waiting = post_mango("call", call_event("S2", client="79001112202"))
    assert waiting.json()["duplicate"] is True
    assert len(_spool_rows(spooled)) == 1

    events_pending_process(chunk=10)
    stored = post_mango("call", call_event("S2", client="79001112202"))
    assert stored.json() == {"result": "ok", "event": InboundEvent.objects.get().pk,
                             "duplicate": True, "state": EventState.PROCESSED}
    assert _spool_rows(spooled) == []
    assert InboundEvent.objects.count() == 1 and Lead.objects.count() == 1


@sqlite_only
@pytest.mark.django_db
def test_a_crash_between_the_copy_and_the_removal_moves_nothing_twice(post_mango, spooled,
                                                                      monkeypatch):
    for entry in ("S3", "S4"):
        post_mango("call", call_event(entry, client=f"7900111{entry[1]}203"))

    def crash(_ids):
        raise KeyboardInterrupt("killed after the main database committed")

    monkeypatch.setattr(events_module, "spool_drop", crash)
    with pytest.raises(KeyboardInterrupt):
        events_spool_move()
    assert InboundEvent.objects.count() == 2 and len(_spool_rows(spooled)) == 2

    monkeypatch.undo()
    post_mango("call", call_event("S5", client="79001115203"))
    assert events_spool_move() == 3  # all three read, the two copies skipped by the key
    assert sorted(InboundEvent.objects.values_list("idempotency_key", flat=True)) == [
        "call:S3:C1:1", "call:S4:C1:1", "call:S5:C1:1"]
    assert _spool_rows(spooled) == []


@sqlite_only
@pytest.mark.django_db
def test_deliveries_keep_their_order_and_a_limited_move_takes_the_oldest(post_mango, spooled):
    for number in range(5):
        post_mango("call", call_event(f"O{number}", client=f"790011130{number:02d}"))
    assert events_spool_move(limit=3) == 3
    assert list(InboundEvent.objects.order_by("id").values_list("idempotency_key", flat=True)) \
        == [f"call:O{n}:C1:1" for n in range(3)]
    assert events_spool_move(limit=None) == 2
    received = list(InboundEvent.objects.order_by("id").values_list("received_at", flat=True))
    assert received == sorted(received)


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_webhook_does_not_wait_for_the_main_databases_write_lock(post_mango, spooled, tmp_path):
    """A long write (an import, a bulk action, the worker's chunk) holds SQLite's only write
    lock; the PBX's webhook is answered anyway, and its event is processed afterwards."""
    with shared_database(tmp_path):
        holder = sqlite3.connect(tmp_path / "concurrency.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE crm_source SET name = name")
        try:
            answered: list[tuple[int, float]] = []

            def post() -> None:
                began = time.monotonic()
                status = post_mango("call", call_event("L1", client="79001114401")).status_code
                answered.append((status, time.monotonic() - began))

            thread = threading.Thread(target=post)
            thread.start()
            thread.join(timeout=10)
            assert answered and answered[0][0] == 200, "the webhook waited for the main database"
            assert answered[0][1] < 5
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert events_pending_process(chunk=10) == 1
        assert Lead.objects.filter(title__contains="900 111-44-01").exists()


@pytest.mark.django_db
def test_without_sqlite_or_deferral_there_is_no_spool(settings, tmp_path):
    settings.INTAKE_SPOOL = tmp_path / "intake-spool.sqlite3"
    settings.INTAKE_DEFERRED = False
    assert spool.spool_path() is None
    settings.INTAKE_DEFERRED = True
    expected = str(settings.INTAKE_SPOOL) if connection.vendor == "sqlite" else None
    assert spool.spool_path() == expected
