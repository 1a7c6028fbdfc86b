"""Two requests from one new number at the same moment make one lead (real threads)."""

from __future__ import annotations

import pytest

from tests.concurrency import race, shared_database, split
from voronka.crm.models import Call, Lead
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services.events import inbound_event_store, process_event

from .conftest import call_event

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _deliver(entry: str):
    data = call_event(entry=entry, call_id=f"{entry}-1")
    event, _created = inbound_event_store(channel="call", provider="mango", connection="office",
                                          kind="call", idempotency_key=f"call:{entry}:1",
                                          thread_key=entry, payload=data)
    return process_event(event)


@pytest.mark.parametrize("attempt", range(3))
def test_two_calls_from_one_new_number_at_once_make_one_lead(mango, tmp_path, attempt):
    with shared_database(tmp_path):
        results = race(lambda: _deliver("A"), lambda: _deliver("B"))
        done, errors = split(results)
        assert not errors, errors
        assert all(event.state == EventState.PROCESSED for event in done)
        assert Lead.objects.count() == 1
        lead = Lead.objects.get()
        assert Call.objects.filter(lead=lead).count() == 2
        outcomes = sorted(InboundEvent.objects.values_list("outcome", flat=True))
        assert outcomes == ["new_lead", "on_open_lead"]


def test_the_same_delivery_twice_at_once_is_stored_once(mango, tmp_path):
    with shared_database(tmp_path):
        results = race(lambda: _deliver("A"), lambda: _deliver("A"))
        _done, errors = split(results)
        assert not errors, errors
        assert InboundEvent.objects.count() == 1
        assert Lead.objects.count() == 1 and Call.objects.count() == 1
