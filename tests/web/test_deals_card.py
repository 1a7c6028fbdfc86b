"""The deal card: fields, client, UTM, timeline, comments, closing as won or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.crm.models import CloseReason, EventKind
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_create


@pytest.fixture
def converted(make_lead, manager):
    lead = make_lead(title="Заявка с сайта", name="Иван", last_name="Петров",
                     amount=Decimal("250000"), utm_source="yandex", utm_campaign="kitchens",
                     emails=("ivan@example.ru",))
    return lead_convert(lead=lead, acting_user=manager)


@pytest.fixture
def lost_reason(db) -> CloseReason:
    return CloseReason.objects.get(entity="deal", code="PRICE")


def test_the_card_shows_fields_client_utm_and_timeline(client_for, manager, converted):
    deal = converted.deal
    response = client_for(manager).get(f"/deals/{deal.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Заявка с сайта" in html and "250\u202f000\u00a0₽" in html
    assert f'href="/contacts/{converted.contact.pk}/"' in html
    assert 'href="tel:+79001234567"' in html and 'href="mailto:ivan@example.ru"' in html
    assert "yandex" in html and "kitchens" in html
    assert "timeline__item" in html  # the conversion and creation events


def test_a_comment_lands_on_the_timeline(client_for, manager, converted):
    deal = converted.deal
    client = client_for(manager)
    response = client.post(f"/deals/{deal.pk}/comment/", {"text": "Клиент просил перезвонить"})
    assert response.status_code == 302
    assert deal.events.filter(kind=EventKind.COMMENT, text="Клиент просил перезвонить").exists()
    assert "Клиент просил перезвонить" in client.get(f"/deals/{deal.pk}/").content.decode()


def test_an_empty_comment_is_refused_next_to_the_field(client_for, manager, converted):
    response = client_for(manager).post(f"/deals/{converted.deal.pk}/comment/", {"text": "  "})
    assert response.status_code == 400
    assert 'id="comment-error"' in response.content.decode()
    assert "Комментарий пуст" in response.content.decode()


def test_closing_as_won(client_for, manager, converted):
    deal = converted.deal
    response = client_for(manager).post(f"/deals/{deal.pk}/close/", {"outcome": "won"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.is_won and deal.close_reason is None


def test_closing_as_lost_needs_a_reason(client_for, manager, converted, lost_reason):
    deal = converted.deal
    client = client_for(manager)
    response = client.post(f"/deals/{deal.pk}/close/", {"outcome": "lost"})
    assert response.status_code == 400
    assert "Выберите причину" in response.content.decode()
    deal.refresh_from_db()
    assert not deal.is_closed
    response = client.post(f"/deals/{deal.pk}/close/", {"outcome": "lost", "reason": lost_reason.pk,
                                                        "comment": "Нашли дешевле"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage.code == "LOSE" and deal.close_reason == lost_reason
    assert deal.events.filter(kind=EventKind.CLOSED, text="Нашли дешевле").exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(client_for, manager, converted,
                                                      lost_reason):
    deal = converted.deal
    client = client_for(manager)
    client.post(f"/deals/{deal.pk}/close/", {"outcome": "won"})
    # the form is hidden for a closed deal, but a hand-made POST gets the service's answer
    response = client.post(f"/deals/{deal.pk}/close/", {"outcome": "lost",
                                                        "reason": lost_reason.pk})
    assert response.status_code == 400
    assert "Сделка уже закрыта" in response.content.decode()
    deal.refresh_from_db()
    assert deal.is_won


def test_the_stage_changer_moves_the_deal(client_for, manager, converted, main_pipeline):
    deal = converted.deal
    stage = main_pipeline.stages.get(code="EXECUTING")
    client = client_for(manager)
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stage.pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == stage
    assert "В работе" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("suffix", ["", "comment/", "close/", "move/"])
def test_another_manager_s_deal_is_404_for_get_and_post(client_for, other_manager, converted,
                                                        suffix):
    client = client_for(other_manager)
    url = f"/deals/{converted.deal.pk}/{suffix}"
    if not suffix:
        assert client.get(url).status_code == 404
    response = client.post(url, {"text": "x", "outcome": "won", "stage": converted.deal.stage_id})
    assert response.status_code == (405 if not suffix else 404)
    converted.deal.refresh_from_db()
    assert not converted.deal.is_closed


def test_the_head_opens_any_deal(client_for, head, converted):
    assert client_for(head).get(f"/deals/{converted.deal.pk}/").status_code == 200


def test_a_deal_without_a_client_says_so(client_for, manager):
    deal = deal_create(title="Без клиента", amount="100", acting_user=manager, responsible=manager)
    assert "Клиент не указан" in client_for(manager).get(f"/deals/{deal.pk}/").content.decode()


def test_the_card_needs_a_login(client, converted):
    response = client.get(f"/deals/{converted.deal.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
