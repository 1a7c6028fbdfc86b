"""The deals kanban: columns with counts and sums, drag-and-drop moves through deal_move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from voronka.crm.models import Deal, Stage
from voronka.crm.services.deals import deal_close, deal_create
from voronka.web.deals.board import CARDS_PER_COLUMN

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def stages(main_pipeline) -> dict[str, Stage]:
    return {s.code: s for s in main_pipeline.stages.all()}


@pytest.fixture
def make_deal(manager):
    def make(title="Кухня на заказ", amount="1234567", **fields) -> Deal:
        fields.setdefault("responsible", manager)
        return deal_create(title=title, amount=amount, acting_user=manager, **fields)
    return make


def test_the_board_shows_a_column_per_stage_with_count_and_sum(client_for, manager, make_deal,
                                                              stages, other_manager):
    make_deal("Кухня на заказ", "1234567")
    make_deal("Шкаф-купе", "100000")
    make_deal("Чужая сделка", "999", responsible=other_manager)
    page = client_for(manager).get("/deals/")
    html = page.content.decode()
    assert page.status_code == 200
    for stage in stages.values():
        assert stage.name in html
    assert html.index("Новая") < html.index("Подготовка документов") < html.index("Сделка успешна")
    assert "Кухня на заказ" in html and "Шкаф-купе" in html
    assert "Чужая сделка" not in html  # only the deals this manager may see
    head = page.context["columns"][0]
    assert head.stage.code == "NEW" and head.count == 2 and head.total == Decimal("1334567")
    assert f"1{NNBSP}334{NNBSP}567{NBSP}₽" in html and "2 сделки" in html


def test_the_head_sees_everyone_s_deals(client_for, head, make_deal, other_manager):
    make_deal("Моя"), make_deal("Чужая", responsible=other_manager)
    html = client_for(head).get("/deals/").content.decode()
    assert "Моя" in html and "Чужая" in html


def test_closed_columns_hold_this_month_only(client_for, manager, make_deal):
    old = make_deal("Прошлогодняя")
    deal_close(deal=old, won=True, acting_user=manager, closed_on=dt.date(2020, 5, 1))
    fresh = make_deal("Свежая победа", "5000")
    deal_close(deal=fresh, won=True, acting_user=manager)
    page = client_for(manager).get("/deals/")
    won = next(c for c in page.context["columns"] if c.stage.code == "WON")
    assert won.count == 1 and won.total == Decimal("5000")
    assert "Свежая победа" in page.content.decode()
    assert "Прошлогодняя" not in page.content.decode()


def test_an_empty_pipeline_says_where_deals_come_from(client_for, manager):
    html = client_for(manager).get("/deals/").content.decode()
    assert "В этом направлении нет сделок" in html


def test_a_column_shows_20_cards_and_the_rest_on_demand(client_for, manager, make_deal, stages,
                                                       django_assert_max_num_queries):
    for n in range(23):
        make_deal(f"Сделка {n:02d}", "100",
                  created_at=timezone.now() - dt.timedelta(minutes=n))
    client = client_for(manager)
    with django_assert_max_num_queries(8):  # 8th: the menu asks whether leads are on (simple mode)
        page = client.get("/deals/")
    html = page.content.decode()
    assert html.count('class="kanban__card"') == CARDS_PER_COLUMN == 20
    assert "Сделка 00" in html and "Сделка 19" in html and "Сделка 20" not in html
    assert "показать ещё" in html
    column = page.context["columns"][0]
    assert column.count == 23
    more = client.get(f"/deals/stage/{stages['NEW'].pk}/cards/",
                      {"cursor": column.page.next_cursor}).content.decode()
    assert more.count('class="kanban__card"') == 3
    assert "Сделка 20" in more and "Сделка 22" in more and "показать ещё" not in more


def test_the_board_needs_no_more_queries_with_more_deals(client_for, manager, make_deal, stages,
                                                         django_assert_max_num_queries):
    for n in range(30):
        deal = make_deal(f"Сделка {n}")
        if n % 3 == 0:
            Deal.objects.filter(pk=deal.pk).update(stage=stages["EXECUTING"])
    client = client_for(manager)
    # session, user, pipeline, stages, one GROUP BY, one card query per non-empty column,
    # the pipeline switcher, the simple-mode flag of the menu
    with django_assert_max_num_queries(9):
        assert client.get("/deals/").status_code == 200


def test_a_legal_move_persists_and_returns_the_new_heads(client_for, manager, make_deal, stages):
    deal = make_deal(amount="1000")
    response = client_for(manager).post(f"/deals/{deal.pk}/move/",
                                        {"stage": stages["PREPARATION"].pk},
                                        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage == stages["PREPARATION"]
    html = response.content.decode()
    assert f'id="kanban-head-{stages["PREPARATION"].pk}"' in html
    preparation = next(c for c in response.context["columns"] if c.stage.code == "PREPARATION")
    new = next(c for c in response.context["columns"] if c.stage.code == "NEW")
    assert (preparation.count, new.count) == (1, 0)
    assert deal.events.filter(kind="stage_changed").exists()


def test_moving_to_won_closes_the_deal(client_for, manager, make_deal, stages):
    deal = make_deal()
    client_for(manager).post(f"/deals/{deal.pk}/move/", {"stage": stages["WON"].pk},
                             HTTP_HX_REQUEST="true")
    deal.refresh_from_db()
    assert deal.is_won and deal.closed_on == timezone.localdate()


def test_an_illegal_move_is_refused_with_the_service_message(client_for, manager, make_deal,
                                                             stages):
    deal = make_deal()
    deal_close(deal=deal, won=True, acting_user=manager)
    response = client_for(manager).post(f"/deals/{deal.pk}/move/", {"stage": stages["NEW"].pk},
                                        HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Вернуть её в работу может только руководитель" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stages["WON"]


def test_a_move_from_the_deal_card_form_redirects_with_a_message(client_for, manager, make_deal,
                                                                 stages):
    deal = make_deal()
    deal_close(deal=deal, won=False, acting_user=manager)
    client = client_for(manager)
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stages["WON"].pk})
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert "сначала верните её в работу" in client.get(response["Location"]).content.decode()


def test_another_manager_s_deal_cannot_be_moved(client_for, manager, other_manager, make_deal,
                                                stages):
    deal = make_deal(responsible=other_manager)
    response = client_for(manager).post(f"/deals/{deal.pk}/move/",
                                        {"stage": stages["PREPARATION"].pk},
                                        HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage == stages["NEW"]


def test_a_move_needs_post_and_a_login(client, manager, make_deal, client_for):
    deal = make_deal()
    assert client_for(manager).get(f"/deals/{deal.pk}/move/").status_code == 405
    for url in ("/deals/", f"/deals/{deal.pk}/move/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
