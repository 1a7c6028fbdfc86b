"""PATCH, comments, junk and convert through the API."""

from __future__ import annotations

from voronka.crm.models import Deal, EventKind, Lead, LeadStatus, TimelineEvent


def test_patch_changes_fields_and_writes_the_timeline(api, make_lead, manager):
    lead = make_lead(title="Старое")
    response = api.patch(f"/leads/{lead.pk}", {
        "title": "Окна в офис", "name": "Ольга", "amount": "15000.5", "source": "YANDEX_DIRECT",
        "utm": {"utm_campaign": "autumn"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Окна в офис" and body["name"] == "Ольга"
    assert body["amount"] == "15000.50"
    assert body["source"]["code"] == "YANDEX_DIRECT" and body["utm"]["utm_campaign"] == "autumn"
    event = TimelineEvent.objects.get(lead=lead, kind=EventKind.UPDATED)
    assert event.actor == manager
    assert event.payload["changes"]["title"] == {"old": "Старое", "new": "Окна в офис"}
    assert set(event.payload["changes"]) == {"title", "name", "amount", "source", "utm_campaign"}


def test_patch_status_by_code(api, make_lead):
    lead = make_lead()
    response = api.patch(f"/leads/{lead.pk}", {"status": "IN_PROCESS"})
    assert response.status_code == 200
    assert response.json()["status"]["code"] == "IN_PROCESS"
    assert response.json()["first_handled_at"] is not None
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.STATUS_CHANGED).exists()


def test_deprecated_status_is_refused_in_russian_and_nothing_changes(api, make_lead):
    LeadStatus.objects.create(code="OLD", name="Не использовать: Думает", deprecated=True)
    lead = make_lead(title="Как было")
    response = api.patch(f"/leads/{lead.pk}", {"title": "Новое", "status": "OLD"})
    assert response.status_code == 400, response.content
    body = response.json()
    assert "устарел" in body["errors"]["status"][0]
    assert "устарел" in body["message"]
    lead.refresh_from_db()
    assert lead.title == "Как было" and lead.status.code == "NEW"
    assert not TimelineEvent.objects.filter(lead=lead, kind=EventKind.UPDATED).exists()


def test_patch_refusals_name_the_field(api, make_lead):
    lead = make_lead()
    cases = [
        ({"status": "CONVERTED"}, 400, "status"),
        ({"status": "NOPE"}, 400, "status"),
        ({"source": "NOPE"}, 400, "source"),
        ({"responsible": 987654}, 400, "responsible"),
        ({"name": None}, 400, "name"),
        ({"title": ""}, 422, "title"),
        ({"amount": "-5"}, 422, "amount"),
        ({"amount": "abc"}, 422, "amount"),
        ({"phones": ["+79001112233"]}, 422, "phones"),
        ({"custom_fields": {"UF_NOPE": 1}}, 400, "UF_NOPE"),
    ]
    for payload, status, field in cases:
        response = api.patch(f"/leads/{lead.pk}", payload)
        assert response.status_code == status, (payload, response.content)
        assert field in response.json()["message"], payload
    assert not TimelineEvent.objects.filter(lead=lead, kind=EventKind.UPDATED).exists()


def test_patch_hands_the_lead_over(api, other_api, make_lead, other_manager):
    lead = make_lead()
    response = api.patch(f"/leads/{lead.pk}", {"responsible": other_manager.pk})
    assert response.status_code == 200
    assert response.json()["responsible"]["id"] == other_manager.pk
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.ASSIGNED).exists()
    assert api.get(f"/leads/{lead.pk}").status_code == 404
    assert other_api.get(f"/leads/{lead.pk}").status_code == 200


def test_comment(api, make_lead, manager):
    lead = make_lead()
    response = api.post(f"/leads/{lead.pk}/comments", {"text": "  Перезвонить в пятницу "})
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Перезвонить в пятницу" and body["author"]["id"] == manager.pk
    assert TimelineEvent.objects.get(pk=body["id"]).lead == lead
    assert api.post(f"/leads/{lead.pk}/comments", {"text": "   "}).status_code in (400, 422)


def test_junk(api, make_lead):
    lead = make_lead()
    response = api.post(f"/leads/{lead.pk}/junk", {"reason": "SPAM", "comment": "робот"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"]["code"] == "JUNK" and body["junk_reason"]["code"] == "SPAM"
    assert body["junk_comment"] == "робот" and body["closed_at"]
    again = api.post(f"/leads/{lead.pk}/junk", {"reason": "SPAM"})
    assert again.status_code == 400 and "status" in again.json()["errors"]
    other = make_lead(phones=("+79001112299",))
    bad = api.post(f"/leads/{other.pk}/junk", {"reason": "PRICE_TOO_HIGH"})
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]


def test_convert_person(api, make_lead, manager):
    lead = make_lead(name="Иван", amount="20000")
    response = api.post(f"/leads/{lead.pk}/convert", {})
    assert response.status_code == 201, response.content
    ids = response.json()
    deal = Deal.objects.get(pk=ids["deal_id"])
    assert ids == {"lead_id": lead.pk, "contact_id": deal.contact_id, "company_id": None,
                   "deal_id": deal.pk}
    assert deal.amount == 20000 and deal.source.code == "AVITO"
    body = api.get(f"/leads/{lead.pk}").json()
    assert body["status"]["code"] == "CONVERTED" and body["deal_ids"] == [deal.pk]
    assert api.get(f"/deals/{deal.pk}").json()["amount"] == "20000.00"
    assert api.get(f"/contacts/{ids['contact_id']}").json()["phones"][0]["normalized"] == "+79001234567"
    again = api.post(f"/leads/{lead.pk}/convert", {})
    assert again.status_code == 400 and "сконвертирован" in again.json()["message"]


def test_convert_legal_entity_with_stage_and_targets(api, make_lead):
    lead = make_lead(phones=("+7 495 123-45-67", "+7 900 765-43-21"), company_title="ООО Ромашка")
    work, _mobile = lead.communications.order_by("id")
    response = api.post(f"/leads/{lead.pk}/convert", {
        "legal_entity": True, "amount": 50000, "pipeline": "MAIN", "stage": "PREPARATION",
        "company": {"inn": "7707083893"}, "contact": {"post": "Директор"},
        "communication_targets": {str(work.pk): "both"}, "deal_title": "Окна для Ромашки"})
    assert response.status_code == 201, response.content
    ids = response.json()
    deal = Deal.objects.get(pk=ids["deal_id"])
    assert deal.stage.code == "PREPARATION" and deal.title == "Окна для Ромашки"
    assert deal.company.title == "ООО Ромашка" and deal.company.inn == "7707083893"
    assert deal.contact.post == "Директор"
    assert set(deal.company.communications.values_list("normalized", flat=True)) == {"+74951234567"}
    assert set(deal.contact.communications.values_list("normalized", flat=True)) == {
        "+74951234567", "+79007654321"}
    assert api.get(f"/companies/{ids['company_id']}").json()["inn"] == "7707083893"


def test_convert_refusals_change_nothing(api, make_lead, other_manager, make_contact):
    lead = make_lead()
    foreign = make_contact(responsible=other_manager)
    for payload, field in [
        ({"stage": "NOPE"}, "stage"),
        ({"pipeline": "NOPE"}, "pipeline"),
        ({"stage": "WON", "amount": 100}, "stage"),
        ({"contact_id": foreign.pk}, "contact_id"),
        ({"communication_targets": {"999999": "contact"}}, "communication_targets"),
        ({"amount": -1}, "amount"),
        ({"legal_entity": True, "amount": 100}, "company_title"),
    ]:
        response = api.post(f"/leads/{lead.pk}/convert", payload)
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["errors"], payload
    assert api.post(f"/leads/{lead.pk}/convert", {"stage": 5}).status_code == 422
    assert api.post(f"/leads/{lead.pk}/convert",
                    {"communication_targets": {"1": "somewhere"}}).status_code == 422
    assert not Deal.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status.code == "NEW"
