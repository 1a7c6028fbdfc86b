"""A burst's waiting events of one call are processed together, with the same result as alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voronka.crm.models import Call, Lead, Task
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services import events as events_module
from voronka.intake.services.events import events_pending_process, inbound_event_store
from voronka.intake.telephony import mango as mango_module

from .conftest import call_event, summary_event

CLIENT = "79001234567"


def answered_call(entry: str = "E1", *, client: str = CLIENT) -> list[tuple[str, dict]]:
    """The four events MANGO sends for an answered incoming call, in the order it sends them."""
    return [
        ("call", call_event(entry, seq=1, client=client, call_id=entry)),
        ("call", call_event(entry, seq=2, state="Connected", ts=1_700_000_005, extension="102",
                            client=client, call_id=entry)),
        ("call", call_event(entry, seq=3, state="Disconnected", ts=1_700_000_065, client=client,
                            call_id=entry)),
        ("summary", summary_event(entry, answered=True, talk=1_700_000_005, end=1_700_000_065,
                                  extension="102", client=client)),
    ]


def store(events: list[tuple[str, dict]]) -> list[InboundEvent]:
    stored = []
    for kind, data in events:
        key, thread = mango_module.idempotency_key(kind, data)
        stored.append(inbound_event_store(channel="call", provider="mango", connection="office",
                                          kind=kind, idempotency_key=key, thread_key=thread,
                                          payload=data)[0])
    return stored


def call_state() -> dict:
    call = Call.objects.select_related("lead").get()
    return {"answered_by": call.answered_by_id, "missed": call.is_missed,
            "finished": call.is_finished, "talk": call.talk_seconds,
            "started": call.started_at, "ended": call.ended_at,
            "responsible": call.lead.responsible_id, "leads": Lead.objects.count(),
            "tasks": Task.objects.count()}


@pytest.mark.django_db
def test_four_events_of_a_call_are_processed_in_one_pass(mango, make_user):
    answerer = make_user("petrov", extension="102")
    stored = store(answered_call())
    with CaptureQueriesContext(connection) as together:
        assert events_pending_process(chunk=10) == 4
    events = list(InboundEvent.objects.order_by("id"))
    assert [event.state for event in events] == [EventState.PROCESSED] * 4
    assert [event.outcome for event in events] == ["new_lead"] + ["call_updated"] * 3
    lead = Lead.objects.get()
    assert {event.lead_id for event in events} == {lead.pk}
    assert [event.attempts for event in events] == [1] * 4
    call = Call.objects.get()
    assert call.answered_by == answerer and call.talk_seconds == 60 and not call.is_missed
    # The answerer was known when the lead was made: one assignment, straight to them.
    reasons = [event.payload["reason"] for event in lead.events.filter(kind="assigned")]
    assert reasons == ["answered"] and lead.responsible == answerer
    assert stored[0].pk == events[0].pk

    # The same call processed as its events arrive, one at a time, takes far more queries.
    alone = 0
    for event in answered_call("E2", client="79001234568"):
        store([event])
        with CaptureQueriesContext(connection) as queries:
            events_pending_process(chunk=1)
        alone += len(queries)
    assert len(together) * 1.4 < alone


@pytest.mark.django_db
def test_a_group_that_fails_is_processed_event_by_event(mango, make_user, monkeypatch):
    """One bad summary must not take its call's good events down with it."""
    make_user("petrov", extension="102")
    events = answered_call()
    real = mango_module.fact_from_payload

    def summary_breaks(kind, data):
        if kind == "summary":
            raise RuntimeError("the summary cannot be read")
        return real(kind, data)

    monkeypatch.setattr(mango_module, "fact_from_payload", summary_breaks)
    store(events)
    events_pending_process(chunk=10)
    states = list(InboundEvent.objects.order_by("id").values_list("state", flat=True))
    assert states == [EventState.PROCESSED] * 3 + [EventState.FAILED]
    failed = InboundEvent.objects.get(state=EventState.FAILED)
    assert "the summary cannot be read" in failed.error and failed.attempts == 1
    call = Call.objects.get()
    assert call.answered_by is not None and call.is_finished and Lead.objects.count() == 1


@pytest.mark.django_db
def test_groups_stay_whole_across_chunks_and_other_channels_stand_alone(mango, make_user,
                                                                        monkeypatch):
    make_user("petrov", extension="102")
    seen: list[int] = []
    real = events_module._GROUP_HANDLERS["mango"]

    def spy(events):
        seen.append(len(events))
        return real(events)

    monkeypatch.setitem(events_module._GROUP_HANDLERS, "mango", spy)
    first, second = answered_call("A", client="79001110001"), answered_call("B", client="79001110002")
    store([first[0], second[0], first[1], second[1], first[2], second[2], first[3], second[3]])
    events_pending_process(chunk=3)  # smaller than a call: a call is never split
    assert seen == [4, 4]
    assert Lead.objects.count() == 2
    assert not InboundEvent.objects.exclude(state=EventState.PROCESSED).exists()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(4)), cuts=st.lists(st.integers(1, 3), max_size=3))
def test_any_order_and_grouping_gives_the_same_call(mango, make_user, order, cuts):
    """Arrival order and how the events happen to be grouped never change the result."""
    from voronka.accounts.models import User

    InboundEvent.objects.all().delete()
    Task.objects.all().delete()
    Call.objects.all().delete()
    Lead.objects.all().delete()
    User.objects.filter(username="petrov").delete()
    make_user("petrov", extension="102")
    events = answered_call()
    for event in events:  # one at a time, as they arrive in a quiet moment
        store([event])
        events_pending_process(chunk=1)
    expected = call_state()

    InboundEvent.objects.all().delete()
    Task.objects.all().delete()
    Call.objects.all().delete()
    Lead.objects.all().delete()
    shuffled = [events[index] for index in order]
    # Deliver in `order`, processing whatever has arrived at each cut.
    position = 0
    for cut in [*sorted(set(cuts)), 4]:
        store(shuffled[position:cut])
        events_pending_process(chunk=10)
        position = max(position, cut)
    got = call_state()
    assert got == expected
    assert got["started"] == dt.datetime.fromtimestamp(1_700_000_000, tz=dt.UTC)
    assert not InboundEvent.objects.exclude(state=EventState.PROCESSED).exists()
