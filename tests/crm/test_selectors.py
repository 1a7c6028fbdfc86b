"""Read queries: who sees what, and finding a client by a phone or an e-mail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.crm.models import Company, Contact
from voronka.crm.selectors import (
    client_find,
    companies_visible_to,
    contacts_visible_to,
    deals_visible_to,
    leads_visible_to,
    open_deals,
    open_leads,
)
from voronka.crm.services.communications import CommunicationInput, communications_add
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close
from voronka.crm.services.leads import lead_close_as_junk


@pytest.fixture
def world(make_lead, make_deal, manager, other_manager):
    """Each manager has a lead, a deal, a contact and a company of their own."""
    items = {}
    for user in (manager, other_manager):
        contact = Contact.objects.create(name=f"Клиент {user.username}", responsible=user)
        company = Company.objects.create(title=f"Фирма {user.username}", responsible=user)
        items[user.username] = {
            "lead": make_lead(responsible=user, phones=()),
            "deal": make_deal(responsible=user),
            "contact": contact,
            "company": company,
        }
    return items


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_a_manager_sees_only_their_own_items(world, manager):
    own = world["manager"]
    assert ids(leads_visible_to(manager)) == {own["lead"].pk}
    assert ids(deals_visible_to(manager)) == {own["deal"].pk}
    assert ids(contacts_visible_to(manager)) == {own["contact"].pk}
    assert ids(companies_visible_to(manager)) == {own["company"].pk}


@pytest.mark.parametrize("who", ["head", "admin_user", "sees_all_manager"])
def test_the_head_an_admin_and_a_manager_with_sees_all_see_everything(world, request, make_user,
                                                                     who):
    user = (make_user("senior", sees_all=True) if who == "sees_all_manager"
            else request.getfixturevalue(who))
    every = {kind: {world[u][kind].pk for u in world} for kind in ("lead", "deal", "contact",
                                                                   "company")}
    assert ids(leads_visible_to(user)) == every["lead"]
    assert ids(deals_visible_to(user)) == every["deal"]
    assert ids(contacts_visible_to(user)) == every["contact"]
    assert ids(companies_visible_to(user)) == every["company"]


def test_a_manager_sees_clients_linked_to_their_leads_and_deals(make_lead, make_deal, manager,
                                                                other_manager):
    # given clients owned by someone else, but converted from / dealing with this manager
    lead = make_lead(responsible=manager, company_title="Ромашка", amount=Decimal("100"))
    result = lead_convert(lead=lead, legal_entity=True)
    for obj in (result.contact, result.company):
        type(obj).objects.filter(pk=obj.pk).update(responsible=other_manager)
    deal_contact = Contact.objects.create(name="По сделке", responsible=other_manager)
    make_deal(responsible=manager, contact=deal_contact)
    # then
    assert ids(contacts_visible_to(manager)) == {result.contact.pk, deal_contact.pk}
    assert ids(companies_visible_to(manager)) == {result.company.pk}
    assert ids(contacts_visible_to(other_manager)) == {result.contact.pk, deal_contact.pk}


# --- client_find -----------------------------------------------------------------------


@pytest.fixture
def known_client(make_lead, make_deal):
    """A contact and a company with the stored `+7 900 123 45 67`, an open lead and deal."""
    contact = Contact.objects.create(name="Иван")
    communications_add(contact, [CommunicationInput("PHONE", "+7 900 123 45 67"),
                                 CommunicationInput("EMAIL", "Ivan.Petrov@Mail.ru")])
    company = Company.objects.create(title="Ромашка")
    communications_add(company, [CommunicationInput("PHONE", "+7 900 123 45 67")])
    lead = make_lead(phones=["+7 900 123 45 67"])
    deal = make_deal(contact=contact)
    company_deal = make_deal(company=company, title="Сделка фирмы")
    return {"contact": contact, "company": company, "lead": lead, "deal": deal,
            "company_deal": company_deal}


def test_a_phone_written_another_way_finds_everything(known_client):
    match = client_find(phones=["8 (900) 123-45-67"])
    assert match.is_known
    assert match.contacts == [known_client["contact"]]
    assert match.companies == [known_client["company"]]
    assert match.open_leads == [known_client["lead"]]
    assert set(match.open_deals) == {known_client["deal"], known_client["company_deal"]}


def test_an_email_in_another_case_finds_the_contact(known_client):
    match = client_find(emails=["IVAN.PETROV@MAIL.RU"])
    assert match.contacts == [known_client["contact"]]
    assert match.companies == []
    assert match.open_deals == [known_client["deal"]]
    assert client_find(emails=["Иван <ivan.petrov@mail.ru>"]).contacts == [known_client["contact"]]


def test_closed_leads_and_deals_are_not_returned_as_open(known_client, junk_reason):
    lead_close_as_junk(lead=known_client["lead"], reason=junk_reason)
    deal_close(deal=known_client["deal"], won=True)
    deal_close(deal=known_client["company_deal"], won=False)
    match = client_find(phones=["89001234567"])
    assert match.contacts == [known_client["contact"]]  # the client is still known
    assert match.open_leads == []
    assert match.open_deals == []
    assert known_client["lead"].pk not in ids(open_leads())
    assert known_client["deal"].pk not in ids(open_deals())


def test_a_converted_lead_is_not_open(make_lead):
    lead = make_lead(amount=Decimal("100"))
    lead_convert(lead=lead)
    match = client_find(phones=["8 900 123-45-67"])
    assert match.open_leads == []
    assert len(match.open_deals) == 1
    assert len(match.contacts) == 1


def test_a_lead_linked_to_a_found_contact_is_found_even_without_the_phone(known_client,
                                                                          make_lead):
    repeat = make_lead(phones=(), contact=known_client["contact"], is_repeat=True)
    match = client_find(emails=["ivan.petrov@mail.ru"])
    assert repeat in match.open_leads


def test_unknown_or_unparseable_values_find_nothing(known_client):
    for match in (client_find(phones=["8 900 000-00-00"]), client_find(phones=["не номер"]),
                  client_find(emails=["nobody@example.com"]), client_find()):
        assert not match.is_known
        assert (match.contacts, match.companies, match.open_leads, match.open_deals) == (
            [], [], [], [])


def test_a_phone_only_matches_phone_communications(known_client):
    # kinds are kept apart: a site or messenger value that looks like a number does not match
    contact = Contact.objects.create(name="Странный")
    communications_add(contact, [CommunicationInput("WEB", "+79001234567")])
    assert contact not in client_find(phones=["+79001234567"]).contacts
