"""Dictionaries, and the inbound event store (admins and the head of sales)."""

from __future__ import annotations

from voronka.crm.models import Lead, LeadStatus
from voronka.crm.services.dictionaries import lead_status_deprecate
from voronka.intake.models import EventState, InboundEvent
from voronka.intake.services.events import inbound_event_store


def test_dictionaries(api):
    sources = api.get("/dictionaries/sources").json()
    assert {"code": "AVITO", "name": "Авито"}.items() <= next(
        s for s in sources if s["code"] == "AVITO").items()
    lead_status_deprecate(status=LeadStatus.objects.get(code="IN_PROCESS"))
    statuses = {s["code"]: s for s in api.get("/dictionaries/lead-statuses").json()}
    assert list(statuses)[:2] == ["NEW", "IN_PROCESS"]
    assert statuses["IN_PROCESS"]["deprecated"] is True
    assert statuses["JUNK"]["semantics"] == "failure"
    pipelines = api.get("/dictionaries/pipelines").json()
    main = next(p for p in pipelines if p["code"] == "MAIN")
    assert main["is_default"] is True
    assert main["stages"][0]["code"] == "NEW"
    assert {"WON", "LOSE"} <= {s["code"] for s in main["stages"]}
    reasons = api.get("/dictionaries/close-reasons").json()
    assert {("lead", "SPAM"), ("deal", "PRICE")} <= {(r["entity"], r["code"]) for r in reasons}


def failed_event(key: str = "e1") -> InboundEvent:
    event, _ = inbound_event_store(channel="api", provider="api", idempotency_key=key,
                                   payload={"data": {"phones": ["+79001112233"]}, "user_id": None})
    InboundEvent.objects.filter(pk=event.pk).update(state=EventState.FAILED, error="boom", attempts=1)
    return event


def test_events_list_is_for_admins_and_the_head(api, head_api, admin_api):
    event = failed_event()
    inbound_event_store(channel="api", provider="api", idempotency_key="ok", payload={})
    assert api.get("/events", {"state": "failed"}).status_code == 403
    for client in (head_api, admin_api):
        response = client.get("/events", {"state": "failed"})
        assert response.status_code == 200, response.content
        items = response.json()["items"]
        assert [item["id"] for item in items] == [event.pk]
        assert items[0]["error"] == "boom" and items[0]["state"] == "failed"
    assert len(head_api.get("/events").json()["items"]) == 2
    assert head_api.get("/events", {"state": "broken"}).status_code == 422


def test_events_list_pages(head_api):
    for i in range(5):
        failed_event(f"k{i}")
    seen, cursor = [], None
    while True:
        body = head_api.get("/events", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


def test_retry_is_for_admins_only(api, head_api, admin_api):
    event = failed_event()
    assert api.post(f"/events/{event.pk}/retry").status_code == 403
    assert head_api.post(f"/events/{event.pk}/retry").status_code == 403
    assert InboundEvent.objects.get(pk=event.pk).state == EventState.FAILED
    response = admin_api.post(f"/events/{event.pk}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "processed" and response.json()["attempts"] == 2
    assert response.json()["lead_id"] == Lead.objects.get().pk
    assert admin_api.post("/events/999999/retry").status_code == 404
