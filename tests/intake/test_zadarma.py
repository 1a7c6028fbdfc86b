"""Zadarma notifications end to end, through HTTP as Zadarma posts them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from voronka.crm.models import Call, Lead, Task, TimelineEvent
from voronka.intake.models import EventState, InboundEvent, IntakeSettings, TelephonyConnection
from voronka.intake.telephony import zadarma
from voronka.intake.telephony.signatures import zadarma_sign
from voronka.intake.views import MAX_BODY

pytestmark = pytest.mark.django_db

SECRET = "testsecret"
URL = "/integrations/zadarma/{slug}/"
CALL = "in_0d5a6f1e4cd8a57e2a31a9c5eb1e5f5a"
START = "2024-01-15 10:00:00"
START_UTC = dt.datetime(2024, 1, 15, 7, 0, tzinfo=dt.UTC)  # Europe/Moscow is UTC+3


def zadarma_signature(data: dict[str, str], secret: str = SECRET) -> str:
    """Sign a notification the way Zadarma does (the fields of SIGNED_FIELDS, concatenated)."""
    fields = zadarma.SIGNED_FIELDS[data["event"]]
    return zadarma_sign(secret, "".join(str(data.get(name, "")) for name in fields))


def notification(event: str, **fields) -> dict[str, str]:
    data = {"event": event, "call_start": START, "pbx_call_id": CALL, "caller_id": "79001234567",
            "called_did": "74950000001"}
    if event == "NOTIFY_ANSWER":
        data.pop("called_did")
        data["destination"] = "102"
    if event == "NOTIFY_RECORD":
        data = {"event": event, "pbx_call_id": CALL, "call_id_with_rec": "1705302000.123"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def zadarma_connection(db) -> TelephonyConnection:
    return TelephonyConnection.objects.create(provider="zadarma", slug="zd", secret=SECRET)


@pytest.fixture
def post_zadarma(client, zadarma_connection):
    """POST a notification exactly as Zadarma sends it: a form, signed in a header."""
    def post(data: dict[str, str], *, signature: str | None = None, slug: str = "zd"):
        headers = {"Signature": zadarma_signature(data) if signature is None else signature}
        return client.post(URL.format(slug=slug), data=urlencode(data),
                           content_type="application/x-www-form-urlencoded", headers=headers)
    return post


def test_signature_matches_documented_test_vector():
    assert zadarma_sign("testsecret", "79000000000" + "74950000000" + "2024-01-15 10:00:00") == (
        "ZGVlYzQ3OWZjMDA1NjQyYjJlNmQ5ZDU0ZTRjZWNlZjI5OWY4NGFlMw==")


def test_test_vector_is_accepted_through_http(client, zadarma_connection):
    data = {"event": "NOTIFY_START", "call_start": "2024-01-15 10:00:00", "pbx_call_id": "in_1",
            "caller_id": "79000000000", "called_did": "74950000000"}
    response = client.post("/integrations/zadarma/zd/", data=urlencode(data),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Signature": "ZGVlYzQ3OWZjMDA1NjQyYjJlNmQ5ZDU0ZTRjZWNlZjI5OWY4NGFlMw=="})
    assert response.status_code == 200, response.content
    assert InboundEvent.objects.get().idempotency_key == "NOTIFY_START:in_1"


def test_url_check_echoes_zd_echo_as_plain_text(client, zadarma_connection):
    response = client.get("/integrations/zadarma/zd/", {"zd_echo": "a1B2c3-D4"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"a1B2c3-D4"
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize("query", [{"zd_echo": "x" * 65}, {"zd_echo": "<b>\n</b>"}, {},
                                   {"zd_echo": "ёлка"}])
def test_url_check_refuses_long_or_unprintable_echo(client, zadarma_connection, query):
    response = client.get("/integrations/zadarma/zd/", query)
    assert response.status_code == 400
    assert "zd_echo" in response.json()["error"]


def test_url_check_of_unknown_connection_is_404(client, zadarma_connection):
    assert client.get("/integrations/zadarma/other/", {"zd_echo": "x"}).status_code == 404


def test_incoming_answered_call_end_to_end(post_zadarma, avito_line, manager, make_user):
    answerer = make_user("petrov", extension="102")
    assert post_zadarma(notification("NOTIFY_START")).status_code == 200
    lead = Lead.objects.get()
    assert lead.source.code == "AVITO" and lead.communications.get().normalized == "+79001234567"
    assert post_zadarma(notification("NOTIFY_INTERNAL", internal="102")).status_code == 200
    assert post_zadarma(notification("NOTIFY_ANSWER")).status_code == 200
    end = notification("NOTIFY_END", duration="60", disposition="answered", status_code="16",
                       is_recorded="1", call_id_with_rec="1705302000.123", internal="102")
    assert post_zadarma(end).status_code == 200
    assert post_zadarma(notification("NOTIFY_RECORD")).status_code == 200

    call = Call.objects.get()
    assert call.provider == "zadarma" and call.external_id == CALL
    assert call.client_number == "+79001234567" and call.line_number == "+74950000001"
    assert call.started_at == START_UTC
    assert call.answered_by == answerer and call.extension == "102"
    assert call.is_finished and not call.is_missed and call.result == "answered"
    assert call.talk_seconds == 60
    assert call.ended_at == START_UTC + dt.timedelta(seconds=60)
    assert call.recording_ref == "1705302000.123"
    assert call.disconnect_reason == "answered"
    lead.refresh_from_db()
    assert call.lead == lead and lead.responsible == answerer
    assert TimelineEvent.objects.filter(lead=lead, kind="call", call=call).count() == 1
    assert Task.objects.count() == 0
    assert InboundEvent.objects.count() == 5
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {EventState.PROCESSED}
    assert set(InboundEvent.objects.values_list("thread_key", flat=True)) == {CALL}


def test_missed_call_is_missed_and_gets_a_call_back_task(post_zadarma, manager):
    post_zadarma(notification("NOTIFY_START"))
    response = post_zadarma(notification("NOTIFY_END", duration="0", disposition="no answer"))
    assert response.status_code == 200
    call = Call.objects.get()
    assert call.is_missed and call.result == "missed" and call.talk_seconds == 0
    task = Task.objects.get()
    assert task.kind == "call_back" and task.lead == call.lead and task.responsible == manager


def test_end_before_start_gives_the_same_call(post_zadarma, manager):
    post_zadarma(notification("NOTIFY_END", duration="0", disposition="busy"))
    post_zadarma(notification("NOTIFY_START"))
    assert Lead.objects.count() == 1 and Call.objects.count() == 1
    assert Call.objects.get().is_missed and Task.objects.count() == 1


def test_call_start_is_read_in_the_intake_time_zone(post_zadarma):
    intake = IntakeSettings.load()
    intake.time_zone = "Asia/Novosibirsk"  # UTC+7
    intake.save()
    post_zadarma(notification("NOTIFY_START"))
    assert Call.objects.get().started_at == dt.datetime(2024, 1, 15, 3, 0, tzinfo=dt.UTC)


def test_repeated_delivery_changes_nothing_and_is_acknowledged(post_zadarma):
    assert post_zadarma(notification("NOTIFY_START")).status_code == 200
    second = post_zadarma(notification("NOTIFY_START"))
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1
    assert Lead.objects.count() == 1 and Call.objects.count() == 1


@pytest.mark.parametrize("event", ["NOTIFY_START", "NOTIFY_ANSWER", "NOTIFY_END", "NOTIFY_RECORD"])
@pytest.mark.parametrize("signature", ["", "ZGVlYzQ3OWZjMDA1NjQyYjJlNmQ5ZDU0ZTRjZWNlZjI5OWY4NGFlMw==",
                                       "forged"])
def test_forged_or_missing_signature_is_403_and_stores_nothing(post_zadarma, event, signature):
    data = notification(event, duration="0", disposition="busy")
    response = post_zadarma(data, signature=signature)
    assert response.status_code == 403
    assert "signature" in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0


def test_signature_must_cover_the_signed_fields(post_zadarma):
    data = notification("NOTIFY_START")
    signature = zadarma_signature(data)
    data["caller_id"] = "79990000000"  # tampered after signing
    assert post_zadarma(data, signature=signature).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_connection_without_secret_accepts_nothing(post_zadarma, zadarma_connection):
    zadarma_connection.secret = ""
    zadarma_connection.save()
    data = notification("NOTIFY_START")
    assert post_zadarma(data, signature=zadarma_signature(data, secret="")).status_code == 403
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize("data, field", [
    (notification("NOTIFY_START", pbx_call_id=None), "pbx_call_id"),
    (notification("NOTIFY_START", call_start="15.01.2024 10:00"), "call_start"),
    (notification("NOTIFY_START", call_start=None), "call_start"),
    (notification("NOTIFY_START", caller_id="7" * 200), "caller_id"),
    (notification("NOTIFY_END", duration="a minute", disposition="answered"), "duration"),
    (notification("NOTIFY_END", duration="60"), "disposition"),
    (notification("NOTIFY_END", duration="60", disposition="answered", is_recorded="yes"),
     "is_recorded"),
    (notification("NOTIFY_RECORD", call_id_with_rec=None), "call_id_with_rec"),
    (notification("NOTIFY_EXPLODE"), "event"),
    ({k: v for k, v in notification("NOTIFY_START").items() if k != "event"}, "event"),
])
def test_malformed_notification_is_400_naming_the_field(post_zadarma, data, field):
    signature = zadarma_signature(data) if data.get("event") in zadarma.SIGNED_FIELDS else "x"
    response = post_zadarma(data, signature=signature)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0


def test_nul_character_is_400_not_a_database_error(post_zadarma):
    response = post_zadarma(notification("NOTIFY_START", extra="a\x00b"))
    assert response.status_code == 400
    assert "extra" in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_unknown_connection_is_404(post_zadarma):
    assert post_zadarma(notification("NOTIFY_START"), slug="nope").status_code == 404
    assert InboundEvent.objects.count() == 0


def test_connection_of_another_provider_is_404(post_zadarma, mango):
    assert post_zadarma(notification("NOTIFY_START"), slug="office").status_code == 404


def test_body_over_the_size_limit_is_413(post_zadarma):
    response = post_zadarma(notification("NOTIFY_START", padding="x" * (MAX_BODY + 1)))
    assert response.status_code == 413
    assert InboundEvent.objects.count() == 0


def test_other_methods_are_405(client, zadarma_connection):
    assert client.put("/integrations/zadarma/zd/").status_code == 405
