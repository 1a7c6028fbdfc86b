"""`voronka worker --batch` runs the periodic jobs once: stored events get processed."""

import pytest
from django.core.management import call_command

from tests.intake.conftest import call_event
from voronka.intake.models import EventState, InboundEvent, TelephonyConnection
from voronka.intake.services.events import inbound_event_store


# The worker closes its database connections when done, as a long-lived process should;
# a transactional test lets the next query reconnect (PostgreSQL cannot inside a test transaction).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_batch_worker_processes_stored_events():
    TelephonyConnection.objects.create(provider="mango", slug="office", api_key="k", salt="s")
    inbound_event_store(channel="call", provider="mango", connection="office", kind="call",
                        idempotency_key="call:E1:C1:1", payload=call_event())
    call_command("worker", "--batch")
    assert InboundEvent.objects.get().state == EventState.PROCESSED
