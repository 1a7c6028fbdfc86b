"""Contacts and companies: searchable lists, and cards with the client's life."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from voronka.crm.models import Contact, Source
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close, deal_create

VALID_INN = "7707083893"


@pytest.fixture
def romashka(make_lead, manager, source):
    """A company client: first came from Avito, ordered twice, once more in the works."""
    lead = make_lead(title="Кухня в офис", name="Иван", last_name="Петров",
                     company_title="ООО Ромашка", amount=Decimal("300000"),
                     emails=("ivan@romashka.ru",),
                     created_at=timezone.now() - dt.timedelta(days=90))
    result = lead_convert(lead=lead, acting_user=manager, legal_entity=True,
                          company_data={"inn": VALID_INN, "legal_address": "Москва"})
    deal_close(deal=result.deal, won=True, acting_user=manager)
    second = deal_create(title="Шкаф в переговорную", amount="120000", acting_user=manager,
                         responsible=manager, contact=result.contact, company=result.company,
                         source=Source.objects.get(code="WEB"))
    deal_close(deal=second, won=True, acting_user=manager)
    deal_create(title="Стеллажи на склад", amount="80000", acting_user=manager,
                responsible=manager, contact=result.contact, company=result.company)
    return result


def test_the_contact_card_shows_the_client_s_life(client_for, manager, romashka, source):
    response = client_for(manager).get(f"/contacts/{romashka.contact.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    life = response.context["life"]
    assert life.first_source == source
    assert life.revenue == Decimal("420000") and "420\u202f000\u00a0₽" in html
    assert [d.title for d in life.services] == ["Кухня в офис", "Шкаф в переговорную"]
    assert life.open_deals == 1
    repeat = {d.title for d in response.context["deals"] if d.pk in life.repeat_ids}
    assert repeat == {"Шкаф в переговорную", "Стеллажи на склад"}
    assert "повторная" in html and "Стеллажи на склад" in html
    assert 'href="tel:+79001234567"' in html
    assert f'href="/companies/{romashka.company.pk}/"' in html
    assert f'href="/leads/{romashka.lead.pk}/"' in html
    assert "timeline__item" in html


def test_the_company_card_shows_requisites_contacts_and_deals(client_for, manager, romashka):
    response = client_for(manager).get(f"/companies/{romashka.company.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert VALID_INN in html and "Москва" in html
    assert f'href="/contacts/{romashka.contact.pk}/"' in html
    assert 'href="mailto:ivan@romashka.ru"' in html
    assert len(response.context["deals"]) == 3
    assert response.context["life"].revenue == Decimal("420000")


def test_a_manager_sees_only_their_deals_on_a_shared_client(client_for, other_manager, romashka,
                                                            manager):
    deal_create(title="Сделка Бориса", amount="500", acting_user=other_manager,
                responsible=other_manager, contact=romashka.contact)
    response = client_for(other_manager).get(f"/contacts/{romashka.contact.pk}/")
    assert [d.title for d in response.context["deals"]] == ["Сделка Бориса"]
    assert response.context["life"].revenue == 0


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_another_manager_s_client_is_404(client_for, other_manager, romashka, kind):
    pk = romashka.contact.pk if kind == "contacts" else romashka.company.pk
    client = client_for(other_manager)
    assert client.get(f"/{kind}/{pk}/").status_code == 404
    assert client.post(f"/{kind}/{pk}/").status_code == 404
    assert f"/{kind}/{pk}/" not in client.get(f"/{kind}/").content.decode()


def test_the_head_sees_every_client(client_for, head, romashka):
    client = client_for(head)
    assert client.get(f"/contacts/{romashka.contact.pk}/").status_code == 200
    assert client.get(f"/companies/{romashka.company.pk}/").status_code == 200


@pytest.mark.parametrize("q", ["петров", "8 900 123-45-67", "Иван Петров"])
def test_the_contact_list_searches(client_for, manager, romashka, q):
    response = client_for(manager).get("/contacts/", {"q": q})
    assert [str(c) for c in response.context["page"].rows] == ["Петров Иван"]


# the work e-mail went to the company at conversion
@pytest.mark.parametrize("q", ["ромашка", VALID_INN, "IVAN@romashka.ru"])
def test_the_company_list_searches(client_for, manager, romashka, q):
    response = client_for(manager).get("/companies/", {"q": q})
    assert [c.title for c in response.context["page"].rows] == ["ООО Ромашка"]
    assert client_for(manager).get("/companies/", {"q": "Лютик"}).context["page"].rows == []


def test_lists_page_by_keyset_with_a_pinned_query_count(client_for, head, make_lead,
                                                        django_assert_max_num_queries):
    now = timezone.now()
    Contact.objects.bulk_create(
        [Contact(name=f"Клиент {n:03d}", created_at=now - dt.timedelta(minutes=n))
         for n in range(75)])
    client = client_for(head)
    with django_assert_max_num_queries(5):
        first = client.get("/contacts/")
    assert len(first.context["page"].rows) == 50
    cursor = first.context["page"].next_cursor
    second = client.get("/contacts/", {"cursor": cursor})
    names = [c.name for c in first.context["page"].rows + second.context["page"].rows]
    assert len(set(names)) == 75 and not second.context["page"].has_next


def test_empty_lists_explain_themselves(client_for, manager):
    client = client_for(manager)
    assert "Контактов пока нет" in client.get("/contacts/").content.decode()
    assert "Компаний пока нет" in client.get("/companies/").content.decode()
    assert "Никого не нашли" in client.get("/contacts/", {"q": "Зюзюкин"}).content.decode()


@pytest.mark.parametrize("url", ["/contacts/", "/companies/", "/contacts/1/", "/companies/1/"])
def test_client_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
