"""The generic call webhook (Asterisk or any PBX), through HTTP as a PBX script posts it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from voronka.crm.models import Call, Lead, Task
from voronka.intake.models import EventState, InboundEvent, TelephonyConnection
from voronka.intake.telephony.signatures import generic_sign
from voronka.intake.views import MAX_BODY

pytestmark = pytest.mark.django_db

SECRET = "generic-secret-0123456789"
AT = "2024-01-15T10:00:00+03:00"
AT_UTC = dt.datetime(2024, 1, 15, 7, 0, tzinfo=dt.UTC)


def signature_header(body: bytes, secret: str = SECRET) -> str:
    return f"sha256={generic_sign(secret, body)}"


def call_event(event: str = "start", **fields) -> dict:
    data = {"call_id": "1705302000.42", "event": event, "from": "+7 900 123-45-67",
            "to": "74950000001", "at": AT}
    if event == "end":
        data.update(duration=0, answered=False)
    if event == "recording":
        data["recording_url"] = "https://pbx.example.com/rec/1705302000.42.mp3"
    data.update(fields)
    return data


@pytest.fixture
def generic_connection(db) -> TelephonyConnection:
    return TelephonyConnection.objects.create(provider="generic", slug="asterisk", secret=SECRET)


@pytest.fixture
def post_generic(client, generic_connection):
    """POST a JSON body signed as docs/telephony.md tells a PBX administrator to sign it."""
    def post(data, *, raw: bytes | None = None, signature: str | None = None,
             slug: str = "asterisk"):
        body = raw if raw is not None else json.dumps(data).encode()
        headers = {"X-Voronka-Signature": signature_header(body) if signature is None else signature}
        return client.post(f"/integrations/generic/{slug}/calls", data=body,
                           content_type="application/json", headers=headers)
    return post


def test_signature_is_hex_hmac_sha256_of_the_raw_body():
    assert generic_sign("key", b"The quick brown fox jumps over the lazy dog") == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")


def test_incoming_answered_call_end_to_end(post_generic, avito_line, manager, make_user):
    answerer = make_user("petrov", extension="102")
    assert post_generic(call_event("start")).status_code == 200
    lead = Lead.objects.get()
    assert lead.source.code == "AVITO" and lead.communications.get().normalized == "+79001234567"
    assert post_generic(call_event("answer", extension="102",
                                   at="2024-01-15T10:00:05+03:00")).status_code == 200
    assert post_generic(call_event("end", duration=60, answered=True, extension="102",
                                   at="2024-01-15T07:01:05Z")).status_code == 200
    assert post_generic(call_event("recording")).status_code == 200

    call = Call.objects.get()
    assert call.provider == "generic" and call.external_id == "asterisk:1705302000.42"
    assert call.started_at == AT_UTC
    assert call.answered_at == AT_UTC + dt.timedelta(seconds=5)
    assert call.ended_at == AT_UTC + dt.timedelta(seconds=65)
    assert call.talk_seconds == 60 and not call.is_missed and call.result == "answered"
    assert call.answered_by == answerer
    assert call.recording_url == "https://pbx.example.com/rec/1705302000.42.mp3"
    lead.refresh_from_db()
    assert call.lead == lead and lead.responsible == answerer
    assert Task.objects.count() == 0
    assert sorted(InboundEvent.objects.values_list("idempotency_key", flat=True)) == [
        "asterisk:1705302000.42:answer", "asterisk:1705302000.42:end",
        "asterisk:1705302000.42:recording", "asterisk:1705302000.42:start"]
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {EventState.PROCESSED}


def test_missed_call_is_missed_and_gets_a_call_back_task(post_generic, manager):
    post_generic(call_event("start"))
    assert post_generic(call_event("end", at="2024-01-15T10:00:30+03:00")).status_code == 200
    call = Call.objects.get()
    assert call.is_missed and call.result == "missed" and call.talk_seconds == 0
    task = Task.objects.get()
    assert task.kind == "call_back" and task.lead == call.lead and task.responsible == manager


def test_numbers_may_be_integers_and_direction_defaults_to_in(post_generic):
    assert post_generic(call_event(**{"from": 79001234567, "to": 74950000001})).status_code == 200
    call = Call.objects.get()
    assert call.direction == "in" and call.client_number == "+79001234567"


def test_outgoing_call_is_recorded_without_a_lead(post_generic, make_user):
    make_user("petrov", extension="102")
    data = call_event("start", direction="out", extension="102", **{"from": "74950000001",
                                                                   "to": "79001234567"})
    assert post_generic(data).status_code == 200
    call = Call.objects.get()
    assert call.direction == "out" and call.client_number == "+79001234567"
    assert Lead.objects.count() == 0


def test_same_call_id_on_two_connections_is_two_calls(post_generic, client):
    TelephonyConnection.objects.create(provider="generic", slug="branch", secret=SECRET)
    assert post_generic(call_event()).status_code == 200
    second = post_generic(call_event(), slug="branch")
    assert second.status_code == 200 and second.json()["duplicate"] is False
    assert Call.objects.count() == 2


def test_repeated_delivery_changes_nothing_and_is_acknowledged(post_generic):
    assert post_generic(call_event()).status_code == 200
    second = post_generic(call_event())
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1
    assert Lead.objects.count() == 1 and Call.objects.count() == 1


@pytest.mark.parametrize("signature", [
    "", "sha256=", "sha256=" + "0" * 64, "sha1=" + "0" * 40,
    signature_header(json.dumps(call_event()).encode(), secret="wrong"),
    generic_sign(SECRET, json.dumps(call_event()).encode()),  # no "sha256=" prefix
])
def test_forged_or_missing_signature_is_403_and_stores_nothing(post_generic, signature):
    response = post_generic(call_event(), signature=signature)
    assert response.status_code == 403
    assert "signature" in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0


def test_signature_is_over_the_exact_bytes(post_generic):
    body = json.dumps(call_event()).encode()
    signed_other = signature_header(json.dumps(call_event(), indent=1).encode())
    assert post_generic(None, raw=body, signature=signed_other).status_code == 403


def test_connection_without_secret_accepts_nothing(post_generic, generic_connection):
    generic_connection.secret = ""
    generic_connection.save()
    body = json.dumps(call_event()).encode()
    assert post_generic(None, raw=body, signature=signature_header(body, secret="")).status_code == 403
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize("data, field", [
    ({**call_event(), "caller_name": "Ivan"}, "caller_name"),  # unknown field
    ({k: v for k, v in call_event().items() if k != "call_id"}, "call_id"),
    (call_event(call_id=42), "call_id"),
    (call_event(call_id=""), "call_id"),
    (call_event(event="ringing"), "event"),
    (call_event(direction="inbound"), "direction"),
    (call_event(**{"from": ["79001234567"]}), "from"),
    (call_event(to=None), "to"),
    (call_event(at="2024-01-15T10:00:00"), "at"),  # no offset
    (call_event(at=1705302000), "at"),
    (call_event(at="yesterday"), "at"),
    (call_event(at="1900-01-01T00:00:00Z"), "at"),
    (call_event(extension=102), "extension"),
    (call_event("end", duration="60"), "duration"),
    (call_event("end", duration=-1), "duration"),
    (call_event("end", duration=1.5), "duration"),
    (call_event("end", answered="yes"), "answered"),
    ({k: v for k, v in call_event("end").items() if k != "answered"}, "answered"),
    (call_event("recording", recording_url="ftp://pbx/rec.mp3"), "recording_url"),
    (call_event("recording", recording_url=None), "recording_url"),
    (call_event(call_id="a\x00b"), "call_id"),
])
def test_malformed_body_is_400_naming_the_field(post_generic, data, field):
    response = post_generic(data)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]
    assert InboundEvent.objects.count() == 0 and Lead.objects.count() == 0 and Call.objects.count() == 0


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"[1, 2]", b"\xff\xfe", b"null",
                                 b'{"call_id": "a\\u0000"}'])
def test_invalid_json_is_400(post_generic, raw):
    response = post_generic(None, raw=raw)
    assert response.status_code == 400, response.content
    assert response.json()["error"].startswith("invalid call webhook event:")
    assert InboundEvent.objects.count() == 0


def test_unknown_connection_is_404(post_generic):
    assert post_generic(call_event(), slug="nope").status_code == 404
    assert InboundEvent.objects.count() == 0


def test_inactive_connection_is_404(post_generic, generic_connection):
    generic_connection.is_active = False
    generic_connection.save()
    assert post_generic(call_event()).status_code == 404


def test_body_over_the_size_limit_is_413(post_generic):
    body = json.dumps({**call_event(), "pad": "x" * MAX_BODY}).encode()
    assert post_generic(None, raw=body).status_code == 413
    assert InboundEvent.objects.count() == 0


def test_get_is_405(client, generic_connection):
    assert client.get("/integrations/generic/asterisk/calls").status_code == 405
