"""English is real: the main pages, rendered with the language cookie `en`, carry no Russian.

Every UI string is written in Russian in the code and translated in locale/en. A page in
English may still show Russian *data*: what the test itself created (the fixture users have
Russian names) and the dictionaries the migrations seed in Russian (sources, statuses,
stages, close reasons…). Those are removed from the text before looking for Cyrillic; what
remains must be English. The same pages without the cookie must still be Russian.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from voronka.accounts.models import User
from voronka.crm.models import CloseReason, LeadStatus, Pipeline, Source
from voronka.crm.models.custom_fields import CustomFieldDefinition
from voronka.crm.models.dictionaries import Stage
from voronka.crm.services.conversion import lead_convert

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
HIDDEN_BLOCKS = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
COMMENTS = re.compile(r"<!--.*?-->", re.S)
# Text a person sees or hears that sits in attributes rather than between tags.
VISIBLE_ATTRIBUTES = re.compile(
    r"""\s(?:placeholder|title|aria-label|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
TAGS = re.compile(r"<[^>]+>")

VALID_INN = "7707083893"


def visible_text(page: str) -> str:
    """The page's text and its human-readable attributes, without scripts, styles and tags."""
    page = COMMENTS.sub(" ", HIDDEN_BLOCKS.sub(" ", page))
    attributes = [a or b for a, b in VISIBLE_ATTRIBUTES.findall(page)]
    text = TAGS.sub(" ", page) + "\n" + "\n".join(attributes)
    return html.unescape(text)


def seeded_and_created_data() -> list[str]:
    """Names that are data, not UI: dictionaries seeded in Russian, people's names."""
    names: set[str] = set()
    for model, fields in [(Source, ["name"]), (LeadStatus, ["name"]), (Pipeline, ["name"]),
                          (Stage, ["name"]), (CloseReason, ["name"]),
                          (CustomFieldDefinition, ["label"]),
                          (User, ["full_name", "username"])]:
        for row in model.objects.values_list(*fields):
            names.update(value for value in row if value)
    for user in User.objects.all():
        names.add(user.display_name)
    # Longest first, so "Анна Менеджерова" goes before a shorter name inside it.
    return sorted(names, key=len, reverse=True)


# Russian that no msgstr can fix: unmarked strings and the Russian language button.
NOT_UI = [
    # not marked for translation yet: web/templates/web/base.html:7,17 and
    # web/templates/web/login.html:7 (the product name, shown as is in both languages)
    "Воронка",
    # The switch back to Russian names the language in Russian (a lang="ru" button).
    "Русский",
]


def without_data(text: str) -> str:
    for name in [*seeded_and_created_data(), *NOT_UI]:
        text = text.replace(name, " ")
    return text


def russian_fragments(text: str) -> list[str]:
    """Each line of the text that still has a Cyrillic letter, for a readable failure."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return sorted({line for line in lines if CYRILLIC.search(line)})


@pytest.fixture
def crm_data(make_lead, manager):
    """An open lead (card, conversion) and a converted one: a deal, a contact, a company."""
    open_lead = make_lead(title="Kitchen order", name="John", last_name="Smith",
                          emails=("john@example.com",), amount=Decimal("150000"))
    converted = make_lead(title="Office wardrobe", name="Mary", last_name="Jones",
                          company_title="Acme LLC", phones=("8 900 765-43-21",),
                          amount=Decimal("90000"))
    result = lead_convert(lead=converted, acting_user=manager, legal_entity=True,
                          company_data={"inn": VALID_INN, "legal_address": "Moscow"},
                          deal_title="Office wardrobe deal")
    # Same phone as the converted client: its conversion page offers that client.
    repeat = make_lead(title="Second wardrobe", name="Mary", phones=("8 900 765-43-21",))
    return {"lead": open_lead, "deal": result.deal, "contact": result.contact,
            "company": result.company, "repeat": repeat}


# (who, url, a Russian UI word the page must show without the cookie, its English)
PAGES = [
    ("manager", "/", "Сделки", "Deals"),
    ("head", "/", "Кто перегружен", "Who is overloaded"),
    ("manager", "/leads/", "Лиды", "Leads"),
    ("manager", "/leads/{lead}/", "Конвертировать в сделку", "Convert to deal"),
    ("manager", "/leads/{lead}/convert/", "Конвертация лида", "Lead conversion"),
    ("manager", "/leads/{repeat}/convert/", "Нашли клиентов", "Clients with the same phones"),
    ("manager", "/deals/", "Списком", "As a list"),
    ("manager", "/deals/list/", "Сделки списком", "Deals as a list"),
    ("manager", "/deals/{deal}/", "Поля сделки", "Deal fields"),
    ("manager", "/contacts/", "Контакты", "Contacts"),
    ("manager", "/contacts/{contact}/", "Жизнь клиента", "Client lifetime"),
    ("manager", "/companies/", "Компании", "Companies"),
    ("manager", "/companies/{company}/", "Реквизиты", "Company details"),
    ("manager", "/search/?q=test", "Поиск", "Search"),
    ("manager", "/search/?q=Kitchen", "Показаны не больше 10", "At most the 10 newest"),
    ("admin", "/settings/", "Настройки", "Settings"),
    ("admin", "/settings/sources/", "Источники", "Sources"),
    ("head", "/imports/", "Импорт лидов", "Lead import"),
    ("admin", "/imports/", "Импорт лидов", "Lead import"),
    (None, "/login/", "Имя пользователя", "Username"),
]


def open_page(url, who, *, english: bool, users: dict, crm_data: dict):
    client = Client()
    if who is not None:
        client.force_login(users[who])
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = url.format(**{key: obj.pk for key, obj in crm_data.items()})
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def users(manager, head, admin_user):
    return {"manager": manager, "head": head, "admin": admin_user}


@pytest.mark.parametrize(("who", "url", "russian", "english"), PAGES,
                         ids=[f"{who or 'anonymous'}:{url}" for who, url, _r, _e in PAGES])
def test_the_page_in_english_has_no_russian_ui(who, url, russian, english, users, crm_data):
    page = open_page(url, who, english=True, users=users, crm_data=crm_data)
    assert '<html lang="en"' in page or "lang=\"en\"" in page
    text = visible_text(page)
    assert english in text
    leftover = russian_fragments(without_data(text))
    assert not leftover, "Russian left in the English page:\n" + "\n".join(leftover)


@pytest.mark.parametrize(("who", "url", "russian", "english"), PAGES,
                         ids=[f"{who or 'anonymous'}:{url}" for who, url, _r, _e in PAGES])
def test_the_same_page_without_the_cookie_stays_russian(who, url, russian, english, users,
                                                         crm_data):
    text = visible_text(open_page(url, who, english=False, users=users, crm_data=crm_data))
    assert russian in text
    assert russian_fragments(without_data(text)), "the Russian UI lost its Russian text"


def test_the_language_switch_sets_the_cookie_and_the_page_follows(client_for, manager):
    client = client_for(manager)
    response = client.post("/language/", {"language": "en"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign out" in visible_text(client.get("/").content.decode())
    client.post("/language/", {"language": "ru"})
    assert "Выйти" in visible_text(client.get("/").content.decode())


def test_plurals_follow_the_language(client_for, manager):
    from django.utils import translation

    from voronka.web.templatetags.voronka_web import count

    with translation.override("en"):
        assert count(1, "lead") == "1 lead" and count(5, "lead") == "5 leads"
        assert count(21, "day") == "21 days"
    with translation.override("ru"):
        assert [count(n, "lead") for n in (1, 3, 5, 21)] == [
            "1 лид", "3 лида", "5 лидов", "21 лид"]
