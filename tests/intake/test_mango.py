"""MANGO OFFICE webhooks end to end, through HTTP as MANGO posts them."""

from __future__ import annotations

import pytest

from voronka.crm.models import Call, Lead, Source, Task, TimelineEvent
from voronka.crm.services.communications import CommunicationInput
from voronka.crm.services.leads import lead_create
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.telephony.signatures import mango_sign

from .conftest import MANGO_KEY, MANGO_SALT, call_event, summary_event

pytestmark = pytest.mark.django_db


def test_signature_matches_documented_test_vector():
    json_text = ('{"entry_id":"232wc3e3w3s222","call_id":"100:500:256","timestamp":1399906976,'
                 '"seq":1,"call_state":"Appeared","location":"abonent","from":{"number":"79000000000"},'
                 '"to":{"number":"74950000000","line_number":"74950000000"}}')
    assert mango_sign(MANGO_KEY, json_text, MANGO_SALT) == (
        "3e5eeca2fa590cf12f19f608f10143a61180e8399e610d155446a0c9afe72002")


def test_incoming_call_on_tracked_line_creates_lead_with_its_source(post_mango, avito_line, manager):
    response = post_mango("call", call_event())
    assert response.status_code == 200, response.content
    lead = Lead.objects.get()
    assert lead.source.code == "AVITO"
    assert lead.utm_campaign == "avito-main"
    assert lead.tracked_number == "+74950000001"
    assert lead.communications.get().normalized == "+79001234567"
    assert lead.responsible == manager  # the only manager on duty, or the default rule
    assert lead.sla_deadline is not None
    call = Call.objects.get()
    assert call.lead == lead and call.created_lead
    assert TimelineEvent.objects.filter(lead=lead, kind="call", call=call).exists()
    assert InboundEvent.objects.get().state == EventState.PROCESSED


def test_call_to_unmapped_line_gets_source_named_after_the_number(post_mango):
    post_mango("call", call_event(line="74950000000"))
    lead = Lead.objects.get()
    assert lead.source.name == "Звонок на номер: 74950000000"
    assert Source.objects.filter(code="CALL_TO_74950000000").count() == 1


def test_numbers_may_come_as_integers(post_mango):
    event = call_event()
    event["from"]["number"] = 79001234567
    event["to"] = {"number": 74950000001, "line_number": 74950000001}
    assert post_mango("call", event).status_code == 200
    assert Lead.objects.get().communications.get().normalized == "+79001234567"


def test_repeated_delivery_changes_nothing_and_is_acknowledged(post_mango):
    assert post_mango("call", call_event()).status_code == 200
    second = post_mango("call", call_event())
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1
    assert Lead.objects.count() == 1 and Call.objects.count() == 1


@pytest.mark.parametrize("kwargs", [{"sign": "0" * 64}, {"sign": ""}, {"key": "wrong"}])
def test_forged_or_missing_signature_is_403_and_stores_nothing(post_mango, kwargs):
    response = post_mango("call", call_event(), **kwargs)
    assert response.status_code == 403
    assert "signature" in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0


def test_a_sender_over_the_rate_limit_gets_429_and_nothing_is_stored(post_mango, settings):
    from django.core.cache import cache

    cache.clear()
    settings.WEBHOOK_RATE_PER_MINUTE = 3
    answers = [post_mango("call", call_event(seq=seq)).status_code for seq in range(1, 6)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
    assert InboundEvent.objects.count() == 3
    assert "slow down" in post_mango("call", call_event(seq=9)).json()["error"]


def test_unknown_connection_is_404(post_mango):
    assert post_mango("call", call_event(), slug="nope").status_code == 404
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize("mutate, field", [
    (lambda e: e.pop("entry_id"), "entry_id"),
    (lambda e: e.update(seq="first"), "seq"),
    (lambda e: e.update(timestamp=None), "timestamp"),
    (lambda e: e.update(call_state="Exploded"), "call_state"),
    (lambda e: e.update({"from": "79001234567"}), "from"),
])
def test_malformed_payload_is_400_naming_the_field(post_mango, mutate, field):
    event = call_event()
    mutate(event)
    response = post_mango("call", event)
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0


def test_missed_call_marks_call_missed_and_creates_call_back_task(post_mango, manager):
    post_mango("call", call_event(seq=1))
    post_mango("call", call_event(seq=2, state="Disconnected", ts=1_700_000_030))
    post_mango("summary", summary_event(answered=False, end=1_700_000_030))
    call = Call.objects.get()
    assert call.is_missed and call.result == "missed" and call.talk_seconds == 0
    task = Task.objects.get()
    assert task.kind == "call_back" and task.lead == call.lead and task.responsible == manager


def test_answered_call_goes_to_the_answerer_and_records_talk_time(post_mango, manager, make_user):
    answerer = make_user("petrov", extension="102")
    post_mango("call", call_event(seq=1))
    post_mango("call", call_event(seq=2, state="Connected", ts=1_700_000_005, extension="102"))
    post_mango("call", call_event(seq=3, state="Disconnected", ts=1_700_000_065))
    post_mango("summary", summary_event(answered=True, talk=1_700_000_005, end=1_700_000_065,
                                        extension="102"))
    call = Call.objects.get()
    assert call.answered_by == answerer and not call.is_missed
    assert call.talk_seconds == 60
    assert call.lead.responsible == answerer
    assert Task.objects.count() == 0
    reasons = [e.payload.get("reason") for e in call.lead.events.filter(kind="assigned")]
    assert "answered" in reasons
    assert reasons.count("answered") == 1 and len(reasons) == 2  # routing, then the handover


def test_events_out_of_order_give_the_same_call(post_mango, make_user):
    answerer = make_user("petrov", extension="102")
    # Disconnected and the summary arrive before Appeared and Connected.
    post_mango("summary", summary_event(answered=True, talk=1_700_000_005, end=1_700_000_065,
                                        extension="102"))
    post_mango("call", call_event(seq=3, state="Disconnected", ts=1_700_000_065))
    post_mango("call", call_event(seq=2, state="Connected", ts=1_700_000_005, extension="102"))
    post_mango("call", call_event(seq=1))
    call = Call.objects.get()
    assert call.answered_by == answerer and not call.is_missed and call.is_finished
    assert call.talk_seconds == 60
    assert call.started_at.timestamp() == 1_700_000_000
    assert Lead.objects.count() == 1 and Task.objects.count() == 0


def test_late_connected_withdraws_a_premature_call_back_task(post_mango, make_user):
    make_user("petrov", extension="102")
    post_mango("call", call_event(seq=1))
    post_mango("call", call_event(seq=3, state="Disconnected", ts=1_700_000_065))
    assert Task.objects.count() == 1  # looked missed so far
    post_mango("call", call_event(seq=2, state="Connected", ts=1_700_000_005, extension="102"))
    assert not Call.objects.get().is_missed
    assert Task.objects.count() == 0


def test_known_client_with_open_lead_gets_activity_not_a_new_lead(post_mango, manager, source):
    lead = lead_create(acting_user=manager, responsible=manager, source=source,
                       communications=[CommunicationInput("PHONE", "8 900 123-45-67")])
    post_mango("call", call_event())
    assert Lead.objects.count() == 1
    call = Call.objects.get()
    assert call.lead == lead and not call.created_lead
    assert lead.events.filter(kind="call").count() == 1


def test_create_leads_flag_off_records_call_without_lead(post_mango, mango):
    mango.create_leads = False
    mango.save()
    post_mango("call", call_event())
    assert Lead.objects.count() == 0
    assert Call.objects.get().lead is None
    assert InboundEvent.objects.get().outcome == "recorded"
