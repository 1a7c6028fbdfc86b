"""POST /leads: an inbound request stored first, routed like every channel, idempotent."""

from __future__ import annotations

import json

import pytest

from voronka.crm.models import CustomFieldDefinition, EventKind, Lead, TimelineEvent
from voronka.intake.models import InboundEvent

REQUEST = {
    "phones": ["8 (900) 555-11-22"], "emails": ["Ivan@Example.ru"], "name": "Иван",
    "last_name": "Петров", "company_title": "ООО Ромашка", "comments": "Нужен расчёт",
    "source": "AVITO", "utm": {"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "spring"},
    "landing_page": "https://example.ru/okna?utm_source=yandex", "referrer": "https://ya.ru/",
    "visit_id": "v-123",
}


def nothing_written() -> bool:
    return not Lead.objects.exists() and not InboundEvent.objects.exists()


def test_create_routes_assigns_and_attributes(api, manager):
    response = api.post("/leads", REQUEST)
    assert response.status_code == 201, response.content
    body = response.json()
    lead = Lead.objects.get()
    assert body["id"] == lead.pk
    assert body["status"] == {"code": "NEW", "name": "Новый", "semantics": "process"}
    assert body["source"] == {"code": "AVITO", "name": "Авито"}
    assert body["responsible"] == {"id": manager.pk, "name": "Анна Менеджерова"}
    assert body["phones"][0]["normalized"] == "+79005551122"
    assert body["phones"][0]["value"] == "8 (900) 555-11-22"
    assert body["emails"][0]["normalized"] == "ivan@example.ru"
    assert body["utm"]["utm_source"] == "yandex" and body["utm"]["utm_campaign"] == "spring"
    assert body["tracking"]["visit_id"] == "v-123"
    assert body["tracking"]["landing_page"] == REQUEST["landing_page"]
    assert (body["name"], body["last_name"], body["company_title"]) == ("Иван", "Петров", "ООО Ромашка")
    assert body["comments"] == "Нужен расчёт"
    assert body["is_repeat"] is False and body["deal_ids"] == []
    assert body["created_at"].endswith("+03:00") and body["sla_deadline"]
    event = InboundEvent.objects.get()
    assert (event.channel, event.provider, event.state, event.outcome) == (
        "api", "api", "processed", "new_lead")
    assert event.lead_id == lead.pk
    assert response["Idempotency-Key"] == event.idempotency_key
    assert response["X-Inbound-Event"] == str(event.pk)
    kinds = set(TimelineEvent.objects.filter(lead=lead).values_list("kind", flat=True))
    assert {EventKind.CREATED, EventKind.ASSIGNED, EventKind.SYSTEM} <= kinds


def test_without_a_source_the_api_channel_fallback_is_used(api):
    response = api.post("/leads", {"phones": ["+7 900 555-11-22"]})
    assert response.status_code == 201
    assert response.json()["source"]["code"] == "OTHER"


def test_same_idempotency_key_twice_creates_one_lead(api):
    first = api.post("/leads", REQUEST, headers={"Idempotency-Key": "order-42"})
    second = api.post("/leads", REQUEST, headers={"Idempotency-Key": "order-42"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Lead.objects.count() == 1
    assert InboundEvent.objects.get().idempotency_key == "order-42"
    assert TimelineEvent.objects.filter(kind=EventKind.SYSTEM).count() == 1


def test_same_key_with_another_body_or_user_is_a_conflict(api, other_api):
    assert api.post("/leads", REQUEST, headers={"Idempotency-Key": "k1"}).status_code == 201
    changed = dict(REQUEST, name="Пётр")
    response = api.post("/leads", changed, headers={"Idempotency-Key": "k1"})
    assert response.status_code == 409 and response.json()["message"]
    assert other_api.post("/leads", REQUEST, headers={"Idempotency-Key": "k1"}).status_code == 409
    assert Lead.objects.count() == 1 and InboundEvent.objects.count() == 1


def test_idempotency_key_longer_than_255_is_refused(api):
    response = api.post("/leads", REQUEST, headers={"Idempotency-Key": "x" * 256})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert nothing_written()


def test_request_from_an_open_leads_phone_lands_on_it(api, make_lead):
    existing = make_lead(phones=("+79005551122",))
    response = api.post("/leads", {"phones": ["8 900 555 11 22"], "comments": "Ещё вопрос"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "on_open_lead"
    assert body["lead"]["id"] == existing.pk
    assert Lead.objects.count() == 1
    activity = TimelineEvent.objects.get(lead=existing, kind=EventKind.SYSTEM)
    assert activity.text == "Ещё вопрос"
    again = api.post("/leads", {"phones": ["8 900 555 11 22"], "comments": "Ещё вопрос"},
                     headers={"Idempotency-Key": "same"})
    assert again.json()["outcome"] == "on_open_lead"


def test_open_lead_of_another_manager_is_not_shown(other_api, make_lead):
    existing = make_lead(phones=("+79005551122",))  # the first manager's lead
    response = other_api.post("/leads", {"phones": ["+79005551122"]})
    assert response.status_code == 200
    assert response.json()["outcome"] == "on_open_lead"
    assert response.json()["lead"] is None
    assert Lead.objects.get().pk == existing.pk


def test_known_client_gets_a_repeat_lead_for_their_owner(api, other_manager, make_contact):
    contact = make_contact(responsible=other_manager, phone="+7 916 555-44-33")
    response = api.post("/leads", {"phones": ["89165554433"], "name": "Клиент"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_repeat"] is True
    assert body["contact_id"] == contact.pk
    assert body["responsible"]["id"] == other_manager.pk


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"phones": ["+79001112233"], "colour": "red"}, 422, "colour"),
    ({"phones": "+79001112233"}, 422, "phones"),
    ({"phones": [79001112233]}, 422, "phones[0]"),
    ({"phones": ["+79001112233"], "utm": {"utm_foo": "x"}}, 422, "utm.utm_foo"),
    ({"phones": ["+79001112233"], "name": "x" * 101}, 422, "name"),
    ({"phones": ["+79001112233"], "source": "NO_SUCH"}, 400, "source"),
    ({"phones": ["123"]}, 400, "phones"),
    ({"phones": ["+79001112233"], "emails": ["not-an-email"]}, 400, "emails"),
    ({"phones": ["+79001112233"], "landing_page": "javascript:alert(1)"}, 400, "landing_page"),
    ({"phones": ["+79001112233"], "custom_fields": {"UF_NOPE": "1"}}, 400, "custom_fields.UF_NOPE"),
    ({}, 400, "__all__"),
])
def test_invalid_payloads_are_refused_and_nothing_is_written(api, payload, status, field):
    response = api.post("/leads", payload)
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body["message"] or field in body.get("errors", {})
    if status == 422:
        assert body["detail"]
    else:
        assert field in body["errors"]
    assert nothing_written()


def test_custom_field_value_is_checked_before_storing(api):
    CustomFieldDefinition.objects.create(entity="lead", code="UF_CAR", label="Машина",
                                         field_type="list", options=["BMW", "Lada"])
    bad = api.post("/leads", {"phones": ["+79001112233"], "custom_fields": {"UF_CAR": "Volvo"}})
    assert bad.status_code == 400 and "custom_fields.UF_CAR" in bad.json()["errors"]
    assert nothing_written()
    good = api.post("/leads", {"phones": ["+79001112233"], "custom_fields": {"UF_CAR": "Lada"}})
    assert good.status_code == 201 and good.json()["custom_fields"] == {"UF_CAR": "Lada"}


@pytest.mark.parametrize("raw", ["{not json", "[]", "\"text\"", "null", "\xff"])
def test_body_that_is_not_a_json_object_is_a_client_error(api, raw):
    response = api.post("/leads", raw=raw.encode("latin-1"))
    assert response.status_code in (400, 422)
    assert response.json()["message"]
    assert nothing_written()


def test_body_over_one_megabyte_is_413(api):
    payload = {"phones": ["+79001112233"], "comments": "я" * 600_000}
    response = api.post("/leads", raw=json.dumps(payload, ensure_ascii=False).encode())
    assert response.status_code == 413
    assert response.json()["detail"]
    assert nothing_written()


def test_processing_failure_answers_202_and_keeps_the_event(api, admin_api, monkeypatch):
    import voronka.api.intake as api_intake

    def broken(request):
        raise RuntimeError("routing is down")

    monkeypatch.setattr(api_intake, "inbound_request_accept", broken)
    response = api.post("/leads", REQUEST, headers={"Idempotency-Key": "will-fail"})
    assert response.status_code == 202, response.content
    body = response.json()
    event = InboundEvent.objects.get()
    assert body["event_id"] == event.pk and body["state"] == "failed"
    assert "routing is down" in body["error"]
    assert not Lead.objects.exists()
    # The same key again does not duplicate anything: still the failed event.
    again = api.post("/leads", REQUEST, headers={"Idempotency-Key": "will-fail"})
    assert again.status_code == 202 and InboundEvent.objects.count() == 1

    monkeypatch.undo()
    retried = admin_api.post(f"/events/{event.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert retried.json()["state"] == "processed"
    assert Lead.objects.count() == 1
    replay = api.post("/leads", REQUEST, headers={"Idempotency-Key": "will-fail"})
    assert replay.status_code == 200 and replay.json()["id"] == Lead.objects.get().pk


@pytest.mark.parametrize("payload", [
    {"phones": ["+79001112233"], "name": "Ива\u0000н"},
    {"phones": ["+79001112233"], "custom_fields": {"UF_X\u0000": "1"}},
    {"phones": ["+79001112233"], "comments": "\ud800"},
])
def test_text_a_database_cannot_keep_is_422_not_500(api, payload):
    response = api.post("/leads", raw=json.dumps(payload))  # json.dumps escapes them as \\u0000
    assert response.status_code == 422, response.content
    assert "NUL" in response.json()["message"] or "Unicode" in response.json()["message"]
    assert nothing_written()


@pytest.mark.parametrize("query", ["q=%00", "status=a%00", "cursor=%00"])
def test_nul_in_query_string_is_422(api, make_lead, query):
    make_lead()
    response = api.client.get(f"/api/v1/leads?{query}", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 422


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e400"])
def test_non_finite_amounts_are_refused(api, make_lead, amount):
    lead = make_lead()
    assert api.patch(f"/leads/{lead.pk}", {"amount": amount}).status_code == 422
    assert api.post(f"/leads/{lead.pk}/convert", {"amount": amount}).status_code in (400, 422)


def test_ids_beyond_bigint_are_422_not_500(api):
    assert api.get("/leads/99999999999999999999999").status_code == 422
    assert api.get(f"/leads/{2**63 - 1}").status_code == 404
    response = api.get("/leads", {"responsible": 10**25})
    assert response.status_code == 422 and "responsible" in response.json()["message"]
