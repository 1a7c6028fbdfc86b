"""The deals list: filters, keyset pages, visibility, a pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from voronka.crm.models import Source
from voronka.crm.services.deals import deal_close, deal_create


@pytest.fixture
def make_deal(manager):
    def make(title, amount="1000", **fields):
        fields.setdefault("responsible", manager)
        return deal_create(title=title, amount=amount, acting_user=manager, **fields)
    return make


def titles(response) -> list[str]:
    return [deal.title for deal in response.context["page"].rows]


def test_the_list_shows_visible_deals_newest_first(client_for, manager, other_manager, make_deal):
    make_deal("Старая", created_at=timezone.now() - dt.timedelta(days=2))
    make_deal("Новая")
    make_deal("Чужая", responsible=other_manager)
    response = client_for(manager).get("/deals/list/")
    assert response.status_code == 200
    assert titles(response) == ["Новая", "Старая"]


def test_filters_by_state_source_and_period(client_for, manager, make_deal, source):
    won = make_deal("Выиграна")
    deal_close(deal=won, won=True, acting_user=manager)
    lost = make_deal("Проиграна")
    deal_close(deal=lost, won=False, acting_user=manager)
    make_deal("В работе", source=Source.objects.get(code="WEB"))
    make_deal("Давняя", source=source, created_at=timezone.now() - dt.timedelta(days=40))
    client = client_for(manager)
    assert titles(client.get("/deals/list/", {"state": "won"})) == ["Выиграна"]
    assert titles(client.get("/deals/list/", {"state": "lost"})) == ["Проиграна"]
    assert set(titles(client.get("/deals/list/", {"state": "open"}))) == {"В работе", "Давняя"}
    assert titles(client.get("/deals/list/", {"source": source.pk})) == ["Давняя"]
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    recent = titles(client.get("/deals/list/", {"created_from": week_ago}))
    assert "Давняя" not in recent and len(recent) == 3
    old = titles(client.get("/deals/list/", {"created_to": week_ago}))
    assert old == ["Давняя"]


def test_filters_by_stage_and_pipeline(client_for, manager, make_deal, main_pipeline):
    make_deal("Первая")
    preparation = main_pipeline.stages.get(code="PREPARATION")
    make_deal("Вторая", stage=preparation)
    client = client_for(manager)
    assert titles(client.get("/deals/list/", {"stage": preparation.pk})) == ["Вторая"]
    assert len(titles(client.get("/deals/list/", {"pipeline": main_pipeline.pk}))) == 2


def test_only_the_head_filters_by_responsible(client_for, manager, other_manager, head, make_deal):
    make_deal("Анны"), make_deal("Бориса", responsible=other_manager)
    response = client_for(head).get("/deals/list/", {"responsible": other_manager.pk})
    assert titles(response) == ["Бориса"]
    # a manager has no such filter: the parameter cannot show them someone else's deals
    response = client_for(manager).get("/deals/list/", {"responsible": other_manager.pk})
    assert "responsible" not in response.context["form"].fields
    assert titles(response) == ["Анны"]


def test_a_bad_filter_value_is_shown_not_a_crash(client_for, manager, make_deal):
    make_deal("Есть")
    response = client_for(manager).get("/deals/list/", {"created_from": "вчера", "stage": "x"})
    assert response.status_code == 200
    assert titles(response) == ["Есть"]
    assert response.context["form"].errors["created_from"]


def test_keyset_pages_cover_every_deal_once(client_for, manager, make_deal,
                                            django_assert_max_num_queries):
    now = timezone.now()
    for n in range(120):
        make_deal(f"Сделка {n:03d}", created_at=now - dt.timedelta(minutes=n // 2))
    client = client_for(manager)
    seen, cursor = [], ""
    while True:
        with django_assert_max_num_queries(8):
            response = client.get("/deals/list/", {"state": "open", "cursor": cursor})
        seen += titles(response)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        assert "Дальше" in response.content.decode()
    assert len(seen) == 120 and len(set(seen)) == 120


def test_an_empty_list_says_what_to_do(client_for, manager):
    html = client_for(manager).get("/deals/list/").content.decode()
    assert "Сделок не найдено" in html


def test_the_list_needs_a_login(client):
    response = client.get("/deals/list/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
