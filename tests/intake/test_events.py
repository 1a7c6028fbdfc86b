"""The event store: idempotency, failure visibility and retry."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from voronka.crm.models import Lead
from voronka.intake.models import EventState, InboundEvent, TelephonyConnection
from voronka.intake.services.events import (
    events_pending_process,
    inbound_event_store,
    process_event,
)

from .conftest import call_event

pytestmark = pytest.mark.django_db


def _store(key="call:E1:C1:1", connection="office"):
    return inbound_event_store(channel="call", provider="mango", connection=connection,
                               kind="call", idempotency_key=key, payload=call_event())


def test_failure_is_visible_and_retry_processes_it_once_fixed():
    # given an event whose connection does not exist (yet)
    event, created = _store()
    assert created
    failed = process_event(event)
    assert failed.state == EventState.FAILED and "DoesNotExist" in failed.error
    assert failed.attempts == 1 and Lead.objects.count() == 0
    # when the connection is configured and the failed events are retried
    TelephonyConnection.objects.create(provider="mango", slug="office", api_key="k", salt="s")
    call_command("intake", "retry", "--failed")
    # then the event is processed and made its lead, nothing twice
    event.refresh_from_db()
    assert event.state == EventState.PROCESSED and event.attempts == 2 and event.error == ""
    assert Lead.objects.count() == 1
    call_command("intake", "retry", "--id", str(event.pk))
    assert Lead.objects.count() == 1


def test_retry_that_fails_again_says_so():
    event, _ = _store()
    process_event(event)
    with pytest.raises(CommandError):
        call_command("intake", "retry", "--id", str(event.pk))
    assert InboundEvent.objects.get().attempts == 2


def test_retry_of_unknown_id_is_an_error():
    with pytest.raises(CommandError):
        call_command("intake", "retry", "--id", "999")


def test_stored_but_unprocessed_events_are_processed_at_start(mango):
    _store()
    assert events_pending_process() == 1
    assert InboundEvent.objects.get().state == EventState.PROCESSED
    assert events_pending_process() == 0
