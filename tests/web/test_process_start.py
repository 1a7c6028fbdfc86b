"""«Создать копию ЛИД + Сделка» from the deal card (issue #7 §3): the form, starting, refusals."""

from __future__ import annotations

import pytest

from voronka.crm.models import Deal, EventKind, Lead, TimelineEvent
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close

NAME = "repeat-lead-deal"


@pytest.fixture
def mother(make_lead, manager):
    lead = make_lead(title="Пропуск на МКАД", name="Иван", company_title="ООО Грузовоз",
                     utm_source="yandex", utm_campaign="propusk-mkad")
    deal = lead_convert(lead=lead, acting_user=manager, legal_entity=True, amount="45000").deal
    return deal_close(deal=deal, won=True, acting_user=manager)


def url(deal: Deal) -> str:
    return f"/deals/{deal.pk}/processes/{NAME}/"


def counts() -> tuple[int, int, int]:
    return Lead.objects.count(), Deal.objects.count(), TimelineEvent.objects.count()


def test_the_card_of_a_won_deal_offers_the_process_and_an_open_one_does_not(
        client_for, manager, mother, make_deal):
    client = client_for(manager)
    assert url(mother) in client.get(f"/deals/{mother.pk}/").content.decode()
    open_deal = make_deal(title="Ещё в работе")
    assert url(open_deal) not in client.get(f"/deals/{open_deal.pk}/").content.decode()


def test_the_form_is_prefilled_and_previews_what_is_copied(client_for, manager, mother):
    response = client_for(manager).get(url(mother))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"повторный лид из сделки №{mother.pk}" in page  # the titles' default
    for copied in ("ООО Грузовоз", mother.source.name, "yandex", "propusk-mkad",
                   "Анна Менеджерова"):
        assert copied in page, copied


def test_start_makes_the_copies_and_returns_to_the_card_with_links(client_for, manager, mother):
    client = client_for(manager)
    response = client.post(url(mother), {"count": "3", "titles": f"повторный лид из сделки №{mother.pk}"})
    assert response.status_code == 302 and response["Location"] == f"/deals/{mother.pk}/"
    copies = list(Deal.objects.filter(parent_deal=mother).order_by("pk"))
    assert len(copies) == 3
    assert {(d.upsell_manager, d.responsible, d.title, d.is_repeat) for d in copies} == {
        (manager, manager, f"повторный лид из сделки №{mother.pk}", True)}
    comment = TimelineEvent.objects.get(deal=mother, kind=EventKind.COMMENT)
    assert all(f"Сделка №{d.pk}" in comment.text for d in copies)
    assert comment.payload["deals"] == [d.pk for d in copies]
    card = client.get(response["Location"]).content.decode()
    assert f"Создано копий ЛИД + Сделка: 3 из сделки №{mother.pk}. Новые сделки:" in card
    for deal in copies:  # the success message links every copy
        assert f'<a href="/deals/{deal.pk}/">№{deal.pk}</a>' in card


def test_titles_one_per_line_name_each_copy_and_set_the_count(client_for, manager, mother):
    response = client_for(manager).post(url(mother), {
        "count": "", "titles": "Пропуск на ТТК\n\n  Пропуск на СК  \nПропуск на МКАД\n"})
    assert response.status_code == 302
    assert list(Deal.objects.filter(parent_deal=mother).order_by("pk").values_list(
        "title", flat=True)) == ["Пропуск на ТТК", "Пропуск на СК", "Пропуск на МКАД"]
    assert sorted(Lead.objects.filter(deals__parent_deal=mother).values_list("title", flat=True)) == [
        "Пропуск на МКАД", "Пропуск на СК", "Пропуск на ТТК"]


@pytest.mark.parametrize(("data", "words"), [
    ({"count": "0"}, "от 1 до 100"),
    ({"count": "101"}, "от 1 до 100"),
    ({"count": "много"}, "целое число"),
    ({"count": ""}, "Укажите, сколько копий"),
    ({"count": "2", "titles": "один\nдва\nтри"}, "Названий 3, а копий 2"),
    ({"count": "1", "titles": "я" * 256}, "длиннее 255"),
])
def test_bad_input_shows_the_form_with_the_reason_and_creates_nothing(
        client_for, manager, mother, data, words):
    before = counts()
    response = client_for(manager).post(url(mother), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page and 'class="errorlist' in page
    assert counts() == before


def test_another_managers_deal_is_not_found(client_for, other_manager, mother):
    client = client_for(other_manager)
    before = counts()
    assert client.get(url(mother)).status_code == 404
    assert client.post(url(mother), {"count": "2"}).status_code == 404
    assert counts() == before


def test_the_head_of_sales_starts_it_on_a_managers_deal_and_is_the_upsell_manager(
        client_for, head, manager, mother):
    assert client_for(head).post(url(mother), {"count": "1"}).status_code == 302
    copy = Deal.objects.get(parent_deal=mother)
    assert (copy.upsell_manager, copy.responsible) == (head, manager)


def test_a_deal_that_is_not_won_is_refused_with_a_clear_message(client_for, manager, make_deal):
    deal = make_deal(title="Ещё в работе")
    client = client_for(manager)
    before = counts()
    for response in (client.get(url(deal)), client.post(url(deal), {"count": "2"})):
        assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    card = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Копии делаются только из успешной сделки" in card
    assert counts() == before


def test_an_unknown_process_is_not_found(client_for, manager, mother):
    assert client_for(manager).get(f"/deals/{mother.pk}/processes/no-such/").status_code == 404
