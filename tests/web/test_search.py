"""Global search: phones in any format, e-mail, names in any case, ИНН; only what one may see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.crm.services.conversion import lead_convert
from voronka.web.search.matching import phone_prefix, terms_parse

VALID_INN = "7707083893"


@pytest.fixture
def client_company(make_lead, manager):
    lead = make_lead(title="Заявка на офис", name="Иван", last_name="Петров",
                     company_title="ООО Ромашка", amount=Decimal("50000"),
                     emails=("Ivan.Petrov@Romashka.ru",))
    return lead_convert(lead=lead, acting_user=manager, legal_entity=True,
                        company_data={"inn": VALID_INN})


def found(client, q: str, kind: str, suggest: bool = False) -> list[str]:
    params = {"q": q, **({"suggest": "1"} if suggest else {})}
    results = client.get("/search/", params).context["results"]
    return [str(item) for item in getattr(results, kind)]


@pytest.mark.parametrize("text", ["8 (900) 123-45-67", "+7 900 123 45 67", "89001234567",
                                  "9001234567", "+79001234567", "8-900-123", "8 900 12"])
def test_a_phone_in_any_format_finds_the_lead(client_for, manager, make_lead, text):
    make_lead(title="Звонок с Авито")  # phone 8 900 123-45-67
    assert found(client_for(manager), text, "leads") == ["Звонок с Авито"]


def test_a_different_phone_finds_nothing(client_for, manager, make_lead):
    make_lead(title="Звонок")
    assert found(client_for(manager), "8 900 765-43-21", "leads") == []


def test_a_phone_finds_the_contact_company_and_their_deal(client_for, manager, client_company):
    client = client_for(manager)
    assert found(client, "8 900 123-45-67", "contacts") == ["Петров Иван"]
    assert found(client, "8 900 123-45-67", "deals") == ["Заявка на офис"]


def test_an_e_mail_in_any_case(client_for, manager, client_company):
    client = client_for(manager)
    assert found(client, "IVAN.PETROV@romashka.RU", "leads") == ["Заявка на офис"]
    assert found(client, "ivan.petrov@", "leads") == ["Заявка на офис"]


@pytest.mark.parametrize("text", ["петров", "Петров", "ПЕТРОВ", "иван петров", "Петр"])
def test_a_name_in_any_case(client_for, manager, client_company, text):
    assert found(client_for(manager), text, "contacts") == ["Петров Иван"]


@pytest.mark.parametrize("text", ["ромашка", "ООО Ромашка", VALID_INN, VALID_INN[:6]])
def test_a_company_by_name_or_inn(client_for, manager, client_company, text):
    client = client_for(manager)
    assert found(client, text, "companies") == ["ООО Ромашка"]
    assert found(client, text, "deals") == ["Заявка на офис"]


def test_only_what_the_user_may_see(client_for, manager, other_manager, head, make_lead):
    make_lead(title="Чужой звонок", responsible=other_manager)
    assert found(client_for(manager), "8 900 123-45-67", "leads") == []
    assert found(client_for(head), "8 900 123-45-67", "leads") == ["Чужой звонок"]


def test_results_are_bounded_per_kind(client_for, manager, make_lead,
                                      django_assert_max_num_queries):
    for n in range(12):
        make_lead(title=f"Звонок {n}")
    client = client_for(manager)
    with django_assert_max_num_queries(7):  # 7th: the menu asks whether leads are on (simple mode)
        page = client.get("/search/", {"q": "8 900 123-45-67"})
    assert len(page.context["results"].leads) == 10
    assert len(found(client, "8 900 123-45-67", "leads", suggest=True)) == 5


def test_suggest_is_a_partial_and_links_to_all_results(client_for, manager, client_company):
    response = client_for(manager).get("/search/", {"q": "ромашка", "suggest": "1"})
    html = response.content.decode()
    assert "<html" not in html
    assert f'href="/companies/{client_company.company.pk}/"' in html
    assert "/search/?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0" in html


def test_suggest_for_a_short_query_is_empty(client_for, manager):
    response = client_for(manager).get("/search/", {"q": "a", "suggest": "1"})
    assert response.status_code == 200 and response.content == b""


def test_the_results_page_explains_empty_and_short_queries(client_for, manager):
    client = client_for(manager)
    assert "хотя бы два символа" in client.get("/search/", {"q": "я"}).content.decode()
    assert "Ничего не найдено" in client.get("/search/", {"q": "Зюзюкин"}).content.decode()


def test_search_needs_a_login(client):
    response = client.get("/search/", {"q": "test"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(("text", "prefix"), [
    ("8 (900) 123-45-67", "+79001234567"), ("+375 29 123", "+37529123"),
    ("7900123", "+7900123"), ("495 12", "+749512"), ("2024", ""), ("12345", ""),
    ("Иван", ""),
])
def test_phone_prefix(text, prefix):
    assert phone_prefix(text) == prefix


def test_query_meaning():
    assert terms_parse(" ") is None
    assert terms_parse("ivan@Mail.ru").email_prefix == "ivan@mail.ru"
    assert terms_parse(VALID_INN).inn_prefix == VALID_INN
    assert terms_parse("Иван  Петров").words == ("Иван", "Петров")
