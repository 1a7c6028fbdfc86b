"""Deferred processing: webhooks answer once the event is stored; the worker's loop does the rest."""

from __future__ import annotations

import threading
import time

import pytest

from tests.concurrency import shared_database
from voronka.core.batch_cache import batch_cache, batch_cache_forget, cached
from voronka.crm.models import Lead, Source
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services import events as events_module
from voronka.intake.services.events import events_pending_process, inbound_event_store
from voronka.intake.services.processor import events_follow

from .conftest import call_event


def _store(entry: str, *, client: str = "79001234567", line: str = "74950000009",
           connection: str = "office"):
    return inbound_event_store(channel="call", provider="mango", connection=connection, kind="call",
                               idempotency_key=f"call:{entry}:1",
                               payload=call_event(entry, client=client, line=line, call_id=entry))[0]


@pytest.mark.django_db
def test_webhook_answers_after_storing_and_the_loop_makes_the_lead(post_mango, settings):
    settings.INTAKE_DEFERRED = True
    response = post_mango("call", call_event())
    assert response.status_code == 200
    assert response.json()["state"] == EventState.RECEIVED
    assert Lead.objects.count() == 0  # nothing but the event yet
    assert events_pending_process(chunk=10) == 1
    event = InboundEvent.objects.get()
    assert event.state == EventState.PROCESSED and event.lead_id == Lead.objects.get().pk
    # a repeated delivery is still acknowledged and changes nothing
    again = post_mango("call", call_event())
    assert again.json()["duplicate"] is True
    assert events_pending_process(chunk=10) == 0 and Lead.objects.count() == 1


@pytest.mark.django_db
def test_one_failing_event_in_a_batch_fails_alone(mango):
    first = _store("A", client="79001110001")
    broken = _store("B", client="79001110002", connection="no-such-connection")
    third = _store("C", client="79001110003")
    assert events_pending_process(chunk=10) == 3
    states = dict(InboundEvent.objects.values_list("pk", "state"))
    assert states == {first.pk: EventState.PROCESSED, broken.pk: EventState.FAILED,
                      third.pk: EventState.PROCESSED}
    assert "DoesNotExist" in InboundEvent.objects.get(pk=broken.pk).error
    assert Lead.objects.count() == 2


@pytest.mark.django_db
def test_rows_made_by_a_failed_event_are_not_reused_from_the_batch_cache(mango, monkeypatch):
    """The first call to an unmapped line makes its «Звонок на номер» source, then fails:
    its savepoint rolls the source back, so the next call must not reuse the cached one."""
    real = events_module._HANDLERS["mango"]

    def fail_after_the_work(event):
        result = real(event)
        if event.payload["entry_id"] == "A":
            raise RuntimeError("the disk is full")
        return result

    monkeypatch.setitem(events_module._HANDLERS, "mango", fail_after_the_work)
    _store("A", client="79001110001")
    _store("B", client="79001110002")
    events_pending_process(chunk=10)
    states = list(InboundEvent.objects.order_by("id").values_list("state", flat=True))
    assert states == [EventState.FAILED, EventState.PROCESSED]
    lead = Lead.objects.select_related("source").get()
    assert Source.objects.filter(pk=lead.source_id).exists()
    assert "74950000009" in lead.source.name


def test_batch_cache_loads_once_inside_a_batch_and_always_outside():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    assert cached(("k",), load) == 1 and cached(("k",), load) == 2  # no batch: no memory
    with batch_cache():
        assert cached(("k",), load) == 3 and cached(("k",), load) == 3
        batch_cache_forget()
        assert cached(("k",), load) == 4
    assert cached(("k",), load) == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_loop_processes_events_as_they_arrive(mango, tmp_path):
    stop = threading.Event()
    loop = threading.Thread(target=events_follow, args=(stop,), kwargs={"idle_seconds": 0.05})
    with shared_database(tmp_path):
        loop.start()
        _store_and_wait(stop, loop)
        assert set(InboundEvent.objects.values_list("state", flat=True)) == {EventState.PROCESSED}
        assert Lead.objects.count() == 5


def _store_and_wait(stop: threading.Event, loop: threading.Thread) -> None:
    try:
        for i in range(5):
            _store(f"E{i}", client=f"7900222000{i}")
        deadline = time.monotonic() + 15
        while (InboundEvent.objects.filter(state=EventState.RECEIVED).exists()
               and time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive()


def test_batch_cache_forgets_one_kind_of_key_and_keeps_the_rest():
    from voronka.core.batch_cache import batch_first_time

    loads = []
    with batch_cache():
        cached(("connection", "x"), lambda: loads.append(1))
        assert batch_first_time(("mark", 1)) and not batch_first_time(("mark", 1))
        batch_cache_forget("mark")
        assert batch_first_time(("mark", 1))  # forgotten: marked again
        cached(("connection", "x"), lambda: loads.append(2))
    assert loads == [1]  # the lookup stayed remembered
