"""The home page: a manager's day, the head of sales' figures and who is overloaded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from voronka.crm.models import Call, Contact, Stage, Task, TaskKind
from voronka.crm.services.deals import deal_create, deal_move
from voronka.crm.services.leads import comment_add, lead_close_as_junk

pytestmark = pytest.mark.django_db


def overdue_lead(make_lead, **fields):
    return make_lead(sla_deadline=timezone.now() - dt.timedelta(hours=2), **fields)


def test_manager_sees_own_open_leads_overdue_first(client_for, make_lead, manager,
                                                   other_manager, django_assert_max_num_queries):
    make_lead(title="Свежий лид", sla_deadline=timezone.now() + dt.timedelta(hours=1))
    overdue_lead(make_lead, title="Горящий лид")
    handled = make_lead(title="Отработанный лид")
    comment_add(text="позвонил", lead=handled, acting_user=manager)
    make_lead(title="Чужой лид", responsible=other_manager)
    client = client_for(manager)
    with django_assert_max_num_queries(10):
        html = client.get("/").content.decode()
    assert "Чужой лид" not in html
    assert html.index("Горящий лид") < html.index("Свежий лид") < html.index("Отработанный лид")
    assert "sla--overdue" in html and "3 лида" in html
    assert "Сегодня" not in html  # the head's figures are not for a manager


def test_manager_sees_tasks_due_today_and_missed_calls(client_for, make_lead, manager):
    lead = make_lead(title="Лид со звонком")
    now = timezone.now()
    Task.objects.create(title="Отправить КП", responsible=manager, lead=lead,
                        deadline=now - dt.timedelta(minutes=5))
    Task.objects.create(title="Дело через неделю", responsible=manager,
                        deadline=now + dt.timedelta(days=7))
    Task.objects.create(title="Уже сделано", responsible=manager, deadline=now,
                        done_at=now)
    call = Call.objects.create(provider="mango", external_id="x1", client_number="+79001112233",
                               is_missed=True, is_finished=True, lead=lead)
    Task.objects.create(kind=TaskKind.CALL_BACK, title="Перезвонить", call=call, lead=lead,
                        responsible=manager, deadline=now + dt.timedelta(minutes=15))
    html = client_for(manager).get("/").content.decode()
    assert "Отправить КП" in html and "просрочено" in html
    assert "Дело через неделю" not in html and "Уже сделано" not in html
    assert 'href="tel:+79001112233"' in html


def test_empty_states_for_a_new_manager(client_for, manager):
    html = client_for(manager).get("/").content.decode()
    assert "Открытых лидов нет" in html and "На сегодня дел нет" in html
    assert "Все перезвонили" in html


def test_head_sees_todays_figures_and_load(client_for, make_lead, head, manager,
                                           other_manager, junk_reason, main_pipeline,
                                           django_assert_max_num_queries):
    overdue_lead(make_lead)
    overdue_lead(make_lead)
    make_lead(responsible=other_manager)
    lead_close_as_junk(lead=make_lead(), reason=junk_reason, acting_user=manager)
    contact = Contact.objects.create(name="Иван")
    deal = deal_create(title="Окна", amount=Decimal("150000"), pipeline=main_pipeline,
                       contact=contact, responsible=manager)
    deal_move(deal=deal, stage=Stage.objects.get(pipeline=main_pipeline, semantics="success"),
              acting_user=manager)
    client = client_for(head)
    with django_assert_max_num_queries(8):
        response = client.get("/")
    html = response.content.decode()
    sales = response.context["sales"]
    assert sales.new_leads == 4 and sales.overdue == 2 and sales.junk_share == 25
    assert sales.won_count == 1 and sales.won_sum == Decimal("150000")
    assert "150" in html and "25&nbsp;%" in html
    assert [(m.user, m.open_leads, m.overdue) for m in sales.load][:2] == [
        (manager, 2, 2), (other_manager, 1, 0)]
    assert "Кто перегружен" in html and "Мои открытые лиды" not in html


def test_admin_sees_the_figures_too(client_for, admin_user):
    response = client_for(admin_user).get("/")
    assert response.status_code == 200 and response.context["sales"].junk_share is None


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
