"""Deals (read, list, move), contacts and companies through the API."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from voronka.crm.models import Deal, EventKind, Pipeline, Stage, TimelineEvent


def test_deal_detail_and_visibility(api, other_api, head_api, make_deal, manager):
    deal = make_deal(responsible=manager, amount="1500")
    body = api.get(f"/deals/{deal.pk}").json()
    assert body["amount"] == "1500.00"
    assert body["pipeline"] == {"code": "MAIN", "name": "Главное"}
    assert body["stage"]["code"] == "NEW" and body["stage"]["semantics"] == "process"
    assert body["lead_id"] == deal.lead_id and body["source"]["code"] == "AVITO"
    assert body["created_at"].endswith("+03:00")
    assert other_api.get(f"/deals/{deal.pk}").status_code == 404
    assert other_api.post(f"/deals/{deal.pk}/move", {"stage": "WON"}).status_code == 404
    assert head_api.get(f"/deals/{deal.pk}").status_code == 200
    assert Deal.objects.get(pk=deal.pk).stage.code == "NEW"


def test_move_win_and_illegal_reopen_by_a_manager(api, head_api, make_deal, manager):
    deal = make_deal(responsible=manager)
    won = api.post(f"/deals/{deal.pk}/move", {"stage": "WON", "closed_on": str(timezone.localdate())})
    assert won.status_code == 200, won.content
    assert won.json()["stage"]["code"] == "WON" and won.json()["closed_on"] == str(timezone.localdate())
    assert TimelineEvent.objects.filter(deal=deal, kind=EventKind.CLOSED).exists()
    reopen = api.post(f"/deals/{deal.pk}/move", {"stage": "EXECUTING"})
    assert reopen.status_code == 400
    assert "руководитель" in reopen.json()["errors"]["stage"][0]
    assert Deal.objects.get(pk=deal.pk).stage.code == "WON"
    by_head = head_api.post(f"/deals/{deal.pk}/move", {"stage": "EXECUTING"})
    assert by_head.status_code == 200 and by_head.json()["closed_on"] is None


def test_move_lost_with_reason_and_refusals(api, make_deal, manager):
    deal = make_deal(responsible=manager)
    for payload, field in [
        ({"stage": "NOPE"}, "stage"),
        ({"stage": "LOSE", "reason": "NOPE"}, "reason"),
        ({"stage": "LOSE", "reason": "SPAM"}, "reason"),  # a lead reason, not a deal one
        ({"stage": "NEW", "pipeline": "NOPE"}, "pipeline"),
        ({"stage": "WON", "closed_on": str(timezone.localdate() + dt.timedelta(days=30))}, "closed_on"),
    ]:
        response = api.post(f"/deals/{deal.pk}/move", payload)
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["errors"], payload
    assert api.post(f"/deals/{deal.pk}/move", {"stage": "WON", "closed_on": "вчера"}).status_code == 422
    assert api.post(f"/deals/{deal.pk}/move", {"stge": "WON"}).status_code == 422
    lost = api.post(f"/deals/{deal.pk}/move", {"stage": "LOSE", "reason": "PRICE", "comment": "дорого"})
    assert lost.status_code == 200
    assert lost.json()["close_reason"] == {"code": "PRICE", "name": "Дорого"}


def test_move_into_another_pipeline(api, make_deal, manager):
    other = Pipeline.objects.create(code="SERVICE", name="Сервис", sort=20)
    Stage.objects.create(pipeline=other, code="NEW", name="Новая", sort=10)
    deal = make_deal(responsible=manager)
    response = api.post(f"/deals/{deal.pk}/move", {"stage": "NEW", "pipeline": "SERVICE"})
    assert response.status_code == 200
    assert response.json()["pipeline"]["code"] == "SERVICE"


def test_deal_list_filters_and_cursor(api, head_api, make_deal, manager, other_manager):
    mine = [make_deal(responsible=manager, phones=(f"+7900200000{i}",)) for i in range(5)]
    theirs = make_deal(responsible=other_manager, phones=("+79002009999",))
    Deal.objects.filter(pk=mine[0].pk).update(created_at=mine[1].created_at)  # a tie
    api.post(f"/deals/{mine[2].pk}/move", {"stage": "WON"})
    ids, cursor = [], None
    while True:
        body = api.get("/deals", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        ids += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    expected = list(Deal.objects.filter(responsible=manager).order_by("-created_at", "-id")
                    .values_list("id", flat=True))
    assert ids == expected and theirs.pk not in ids

    def found(**params):
        response = head_api.get("/deals", params)
        assert response.status_code == 200, response.content
        return {d["id"] for d in response.json()["items"]}

    assert found(stage="WON") == {mine[2].pk}
    assert found(semantics="success") == {mine[2].pk}
    assert found(responsible=other_manager.pk) == {theirs.pk}
    assert found(pipeline="MAIN", source="AVITO") == {d.pk for d in [*mine, theirs]}
    assert found(closed_from=str(timezone.localdate())) == {mine[2].pk}
    assert found(contact_id=mine[1].contact_id) == {mine[1].pk}
    assert head_api.get("/deals", {"semantics": "maybe"}).status_code == 422


def test_contacts_and_companies_follow_visibility(api, other_api, head_api, make_lead, manager):
    lead = make_lead(company_title="ООО Ромашка")
    ids = api.post(f"/leads/{lead.pk}/convert", {"legal_entity": True, "amount": 100}).json()
    contact = api.get(f"/contacts/{ids['contact_id']}")
    assert contact.status_code == 200
    assert contact.json()["company_id"] == ids["company_id"]
    assert contact.json()["first_touch_source"]["code"] == "AVITO"
    assert api.get(f"/companies/{ids['company_id']}").json()["title"] == "ООО Ромашка"
    assert other_api.get(f"/contacts/{ids['contact_id']}").status_code == 404
    assert other_api.get(f"/companies/{ids['company_id']}").status_code == 404
    assert head_api.get(f"/companies/{ids['company_id']}").status_code == 200
