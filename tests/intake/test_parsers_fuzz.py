"""Random payloads with VALID signatures never give a 500, and a refusal (4xx) stores nothing.

The signature is always right, so the payload goes all the way through the parsers, the
storage checks and (when accepted) the processing, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import string
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from voronka.crm.models import Call, Lead
from voronka.intake.models import InboundEvent, TelephonyConnection
from voronka.intake.telephony import zadarma
from voronka.intake.telephony.signatures import generic_sign, mango_sign, zadarma_sign

from .conftest import MANGO_KEY, MANGO_SALT, call_event, summary_event

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SECRET = "fuzz-secret"

scalars = (st.none() | st.booleans() | st.integers() | st.integers(0, 2**41)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=24))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=16)
deep = st.integers(1, 60).map(lambda depth: json.loads("[" * depth + "1" + "]" * depth))
phones = st.sampled_from(["79001234567", "+7 (495) 000-00-01", "", "anonymous", "0"]) | st.text(
    string.digits, max_size=20)


def few_changes(values: dict) -> st.SearchStrategy[dict]:
    """Up to two fields replaced by their random (often wrong) values."""
    pairs = st.sampled_from(sorted(values)).flatmap(lambda key: st.tuples(st.just(key), values[key]))
    return st.lists(pairs, max_size=2).map(dict)


def rows() -> tuple[int, int, int]:
    return InboundEvent.objects.count(), Lead.objects.count(), Call.objects.count()


def check(response, before: tuple[int, int, int]) -> None:
    assert response.status_code < 500, response.content
    event(f"HTTP {response.status_code}")
    if 400 <= response.status_code < 500:
        assert rows() == before, response.content


# ─── MANGO: the `json` form field ─────────────────────────────────────────────────────

party = st.fixed_dictionaries({}, optional={"number": phones | junk, "extension": junk,
                                            "line_number": phones | junk})
mango_values = {
    "entry_id": st.text(max_size=12) | junk, "call_id": st.text(max_size=12) | junk,
    "seq": st.integers(-2, 5) | junk, "timestamp": st.integers(-1, 2**41) | junk,
    "call_state": st.sampled_from(["Appeared", "Connected", "OnHold", "Disconnected"]) | junk,
    "location": st.sampled_from(["abonent", "ivr", "queue"]) | junk,
    "from": party | junk, "to": party | junk, "line_number": phones | junk,
    "call_direction": st.integers(-1, 3) | junk, "create_time": st.integers(0, 2**41) | junk,
    "talk_time": st.integers(0, 2**41) | junk, "end_time": st.integers(0, 2**41) | junk,
    "entry_result": st.integers(0, 1) | junk, "disconnect_reason": st.integers() | junk,
    "recording_id": st.text(max_size=12) | junk, "recording_state": st.text(max_size=8) | junk,
}
mango_valid = st.builds(
    lambda seq, state, ts, client, answered: (
        ("call", call_event(seq=seq, state=state, ts=ts, client=client, extension="102")) if seq
        else ("summary", summary_event(answered=answered, client=client, created=ts, end=ts + 60))),
    st.integers(0, 3), st.sampled_from(["Appeared", "Connected", "Disconnected"]),
    st.integers(1_600_000_000, 1_800_000_000), phones, st.booleans())
mango_changed = st.builds(lambda base, changes: (base[0], json.dumps({**base[1], **changes})),
                          mango_valid, few_changes(mango_values))
mango_kinds = st.sampled_from(["call", "summary", "recording"])
mango_deliveries = (mango_changed | mango_changed
                    | st.tuples(mango_kinds, st.fixed_dictionaries({}, optional=mango_values).map(
                        json.dumps))
                    | st.tuples(mango_kinds, junk.map(json.dumps) | deep.map(json.dumps)
                                | st.text(max_size=40)))


@pytest.fixture
def mango_fuzz(db):
    return TelephonyConnection.objects.create(provider="mango", slug="office", api_key=MANGO_KEY,
                                              salt=MANGO_SALT)


@FUZZ
@given(delivery=mango_deliveries)
def test_mango_random_json_never_500(client, mango_fuzz, delivery):
    kind, json_text = delivery
    before = rows()
    form = {"vpbx_api_key": MANGO_KEY, "sign": mango_sign(MANGO_KEY, json_text, MANGO_SALT),
            "json": json_text}
    response = client.post(f"/integrations/mango/office/events/{kind}", data=urlencode(form),
                           content_type="application/x-www-form-urlencoded")
    check(response, before)


# ─── Zadarma: random form fields ──────────────────────────────────────────────────────

form_text = st.text(max_size=30)
zadarma_values = {
    "call_start": st.sampled_from(["2024-01-15 10:00:00", "2024-02-30 10:00:00", "0001-01-01 00:00:00",
                                   "9999-12-31 23:59:59", ""]) | form_text,
    "pbx_call_id": st.sampled_from(["in_1", "in_2"]) | form_text,
    "caller_id": phones | form_text, "called_did": phones | form_text,
    "destination": st.sampled_from(["102", "79001234567"]) | form_text,
    "internal": st.sampled_from(["102", ""]) | form_text,
    "duration": st.integers(0, 10**12).map(str) | form_text,
    "disposition": st.sampled_from(zadarma.DISPOSITIONS) | form_text,
    "status_code": st.integers(0, 10**6).map(str) | form_text,
    "is_recorded": st.sampled_from(["0", "1"]) | form_text,
    "call_id_with_rec": form_text,
}
zadarma_valid = st.fixed_dictionaries({
    "call_start": st.sampled_from(["2024-01-15 10:00:00", "2024-03-31 02:30:00"]),
    "pbx_call_id": st.sampled_from(["in_1", "in_2"]), "caller_id": phones, "called_did": phones,
    "destination": st.sampled_from(["102", "79001234567"]), "internal": st.just("102"),
    "duration": st.integers(0, 3600).map(str), "disposition": st.sampled_from(zadarma.DISPOSITIONS),
    "status_code": st.just("16"), "is_recorded": st.sampled_from(["0", "1"]),
    "call_id_with_rec": st.sampled_from(["rec1", "rec2"]),
})
zadarma_forms = st.builds(
    lambda event, known, extra: {**extra, **known, "event": event},
    st.sampled_from([*zadarma.SIGNED_FIELDS, "NOTIFY_OUT_START"]) | st.sampled_from(
        list(zadarma.SIGNED_FIELDS)) | form_text,
    st.builds(lambda base, changes: {**base, **changes}, zadarma_valid,
              few_changes(zadarma_values))
    | st.fixed_dictionaries({}, optional=zadarma_values),
    st.dictionaries(form_text, form_text, max_size=3),
)


@pytest.fixture
def zadarma_fuzz(db):
    return TelephonyConnection.objects.create(provider="zadarma", slug="zd", secret=SECRET)


@FUZZ
@given(data=zadarma_forms)
def test_zadarma_random_form_never_500(client, zadarma_fuzz, data):
    before = rows()
    fields = zadarma.SIGNED_FIELDS.get(data["event"], ())
    signature = zadarma_sign(SECRET, "".join(data.get(name, "") for name in fields))
    response = client.post("/integrations/zadarma/zd/", data=urlencode(data),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Signature": signature})
    check(response, before)


@FUZZ
@given(echo=st.text(max_size=80))
def test_zadarma_random_echo_never_500(client, zadarma_fuzz, echo):
    response = client.get("/integrations/zadarma/zd/", {"zd_echo": echo})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.content.decode() == echo
    assert InboundEvent.objects.count() == 0


# ─── Generic webhook: random JSON bodies ──────────────────────────────────────────────

generic_values = {
    "call_id": st.sampled_from(["c1", "c2"]) | junk,
    "event": st.sampled_from(["start", "answer", "end", "recording"]) | junk,
    "direction": st.sampled_from(["in", "out"]) | junk,
    "from": phones | st.integers() | junk, "to": phones | st.integers() | junk,
    "extension": st.sampled_from(["102", None]) | junk,
    "at": st.sampled_from(["2024-01-15T10:00:00+03:00", "2024-01-15T10:00:00Z",
                           "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
                           "2024-01-15T10:00:00"]) | junk,
    "duration": st.integers(-5, 10**12) | junk, "answered": st.booleans() | junk,
    "recording_url": st.sampled_from(["https://pbx/r.mp3", "http://x", "ftp://x/y"]) | junk,
}
generic_valid = st.fixed_dictionaries({
    "call_id": st.sampled_from(["c1", "c2", "c3"]),
    "event": st.sampled_from(["start", "answer", "end", "recording"]),
    "direction": st.sampled_from(["in", "out"]), "from": phones | st.integers(0, 10**12),
    "to": phones, "at": st.sampled_from(["2024-01-15T10:00:00+03:00", "2024-01-15T10:00:00Z"]),
}, optional={"extension": st.sampled_from(["102", None]), "duration": st.integers(0, 3600),
             "answered": st.booleans(), "recording_url": st.just("https://pbx/r.mp3")})
generic_bodies = (st.builds(lambda base, changes: json.dumps({**base, **changes}).encode(),
                            generic_valid, few_changes(generic_values))
                  | st.builds(lambda known, extra: json.dumps({**known, **extra}).encode(),
                            st.fixed_dictionaries({}, optional=generic_values),
                            st.dictionaries(st.text(max_size=8), junk, max_size=2))
                  | junk.map(lambda value: json.dumps(value).encode())
                  | deep.map(lambda value: json.dumps(value).encode())
                  | st.binary(max_size=60))


@pytest.fixture
def generic_fuzz(db):
    return TelephonyConnection.objects.create(provider="generic", slug="asterisk", secret=SECRET)


@FUZZ
@given(body=generic_bodies)
def test_generic_random_body_never_500(client, generic_fuzz, body):
    before = rows()
    response = client.post("/integrations/generic/asterisk/calls", data=body,
                           content_type="application/json",
                           headers={"X-Voronka-Signature": f"sha256={generic_sign(SECRET, body)}"})
    check(response, before)
