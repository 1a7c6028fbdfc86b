"""/api/v1/processes: the business processes in code, and starting «Создать копию ЛИД + Сделка»."""

from __future__ import annotations

import pytest

from voronka.crm.models import Deal, EventKind, Lead, TimelineEvent
from voronka.crm.services.deals import deal_close

START = "/processes/repeat-lead-deal/start"


@pytest.fixture
def mother(make_deal, manager):
    deal = make_deal(responsible=manager, title="Пропуск на МКАД", company_title="ООО Грузовоз",
                     utm_source="yandex", utm_campaign="propusk-mkad")
    return deal_close(deal=deal, won=True, acting_user=manager)


def counts() -> tuple[int, int, int]:
    return Lead.objects.count(), Deal.objects.count(), TimelineEvent.objects.count()


def test_a_token_is_needed(anonymous, mother):
    assert anonymous.get("/processes").status_code == 401
    assert anonymous.post(START, {"deal_id": mother.pk, "count": 1}).status_code == 401
    assert not Deal.objects.filter(parent_deal=mother).exists()


def test_the_list_describes_each_process_and_its_parameters(api):
    response = api.get("/processes")
    assert response.status_code == 200
    process = next(p for p in response.json() if p["name"] == "repeat-lead-deal")
    assert process["label"] == "Создать копию ЛИД + Сделка"
    params = {p["name"]: p for p in process["params"]}
    assert params["count"]["type"] == "integer" and params["count"]["maximum"] == 100
    assert params["deal_id"]["required"] and not params["titles"]["required"]


def test_start_with_n_makes_n_copies_of_the_mother(api, manager, mother):
    response = api.post(START, {"deal_id": mother.pk, "count": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    copies = list(Deal.objects.filter(parent_deal=mother).order_by("pk"))
    assert body["process"] == "repeat-lead-deal" and "3" in body["summary"]
    assert body["created"] == {"deals": [d.pk for d in copies], "leads": [d.lead_id for d in copies]}
    for deal in copies:
        assert deal.title == f"повторный лид из сделки №{mother.pk}"
        assert (deal.upsell_manager, deal.responsible, deal.company_id, deal.utm_campaign) == (
            manager, manager, mother.company_id, "propusk-mkad")
        assert deal.lead.utm_source == "yandex" and deal.lead.is_repeat
    comment = TimelineEvent.objects.get(deal=mother, kind=EventKind.COMMENT)
    assert comment.company_id == mother.company_id
    assert comment.payload["deals"] == body["created"]["deals"]


def test_titles_name_each_copy(api, mother):
    response = api.post(START, {"deal_id": mother.pk, "count": 2,
                                "titles": ["Пропуск на ТТК", "Пропуск на СК"]})
    assert response.status_code == 201
    assert [Deal.objects.get(pk=pk).title for pk in response.json()["created"]["deals"]] == [
        "Пропуск на ТТК", "Пропуск на СК"]


def test_an_unknown_process_is_404(api, mother):
    response = api.post("/processes/no-such-process/start", {"deal_id": mother.pk, "count": 1})
    assert response.status_code == 404
    assert "no-such-process" in response.json()["message"]


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"count": 0}, "count", "от 1 до 100"),
    ({"count": 101}, "count", "от 1 до 100"),
    ({"count": "три"}, "count", "от 1 до 100"),
    ({"count": 2.5}, "count", "от 1 до 100"),
    ({"count": None}, "count", "от 1 до 100"),
    ({"count": 2, "titles": "Пропуск"}, "titles", "список строк"),
    ({"count": 2, "titles": ["Пропуск", 7]}, "titles", "список строк"),
    ({"count": 2, "titles": ["один"]}, "titles", "Названий 1, а копий 2"),
    ({"count": 1, "cuont": 5}, "cuont", "Нет такого параметра"),
    ({"count": 1, "deal_id": "сорок два"}, "deal_id", "Укажите сделку"),
    ({"count": 1, "deal_id": 2**70}, "deal_id", "Укажите сделку"),
])
def test_bad_parameters_are_400_with_the_field_and_nothing_is_created(api, mother, body, field, words):
    before = counts()
    response = api.post(START, {"deal_id": mother.pk, **body})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert words in " ".join(errors[field]), errors
    assert field in response.json()["message"]
    assert counts() == before


@pytest.mark.parametrize("raw", ['[{"deal_id": 1, "count": 1}]', '"count"', "{count: 1}"])
def test_a_body_that_is_not_a_json_object_is_refused(api, mother, raw):
    before = counts()
    response = api.post(START, raw=raw)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]
    assert counts() == before


def test_another_managers_deal_is_404_and_nothing_is_created(other_api, mother):
    before = counts()
    response = other_api.post(START, {"deal_id": mother.pk, "count": 2})
    assert response.status_code == 404
    assert other_api.post(START, {"deal_id": 10**9, "count": 2}).status_code == 404
    assert counts() == before


def test_the_head_of_sales_starts_it_on_a_managers_deal(head_api, head, manager, mother):
    response = head_api.post(START, {"deal_id": mother.pk, "count": 1})
    assert response.status_code == 201
    copy = Deal.objects.get(pk=response.json()["created"]["deals"][0])
    assert (copy.upsell_manager, copy.responsible) == (head, manager)


def test_a_deal_that_is_not_won_is_400(api, make_deal, manager):
    deal = make_deal(responsible=manager)
    before = counts()
    response = api.post(START, {"deal_id": deal.pk, "count": 2})
    assert response.status_code == 400
    assert "только из успешной сделки" in response.json()["errors"]["deal_id"][0]
    assert counts() == before


def test_text_a_database_cannot_keep_is_refused(api, mother):
    before = counts()
    response = api.post(START, {"deal_id": mother.pk, "count": 1, "titles": ["Пропуск\u0000"]})
    assert response.status_code == 422 and "NUL" in response.json()["message"]
    assert counts() == before


def test_the_openapi_schema_shows_the_start_body(api):
    schema = api.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/processes/{name}/start"]["post"]
    assert operation["responses"].keys() >= {"201", "400", "404"}
