"""Tasks (дела) and notifications in the workspace: whose they are, grouping, done, the card
form, the bell, and robot runs on the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from voronka.automation.models import Notification
from voronka.crm.models import EventKind, Task
from voronka.crm.timeline import event_record


def _task(user, title, deadline=None, **fields) -> Task:
    return Task.objects.create(title=title, responsible=user, deadline=deadline, **fields)


def test_my_tasks_grouped_by_urgency(client_for, manager, other_manager, make_lead):
    now = timezone.now()
    lead = make_lead(title="Кухня на заказ")
    _task(manager, "Просроченное", now - dt.timedelta(hours=1), lead=lead)
    _task(manager, "Через неделю", now + dt.timedelta(days=7))
    _task(manager, "Без срока")
    _task(manager, "Уже сделано", now, done_at=now)
    _task(other_manager, "Чужое дело", now)
    response = client_for(manager).get("/tasks/")
    groups = response.context["groups"]
    assert [t.title for t in groups.overdue] == ["Просроченное"]
    assert [t.title for t in groups.later] == ["Через неделю"]
    assert [t.title for t in groups.undated] == ["Без срока"]
    page = response.content.decode()
    assert "task--overdue" in page and "Кухня на заказ" in page
    assert "Чужое дело" not in page and "Уже сделано" not in page
    done = client_for(manager).get("/tasks/?done=1").content.decode()
    assert "Уже сделано" in done and "Просроченное" not in done


def test_today_group_is_before_midnight(client_for, manager):
    now = timezone.localtime()
    tonight = now.replace(hour=23, minute=59)
    if tonight <= now + dt.timedelta(minutes=1):
        pytest.skip("too close to midnight")
    _task(manager, "Сегодня вечером", tonight)
    groups = client_for(manager).get("/tasks/").context["groups"]
    assert [t.title for t in groups.today] == ["Сегодня вечером"]


def test_head_sees_everybodys_tasks_and_filters_by_person(client_for, head, manager, other_manager):
    _task(manager, "Дело Анны")
    _task(other_manager, "Дело Бориса")
    client = client_for(head)
    page = client.get("/tasks/").content.decode()
    assert "Дело Анны" in page and "Дело Бориса" in page and "Все сотрудники" in page
    page = client.get(f"/tasks/?person={manager.pk}").content.decode()
    assert "Дело Анны" in page and "Дело Бориса" not in page
    # a manager cannot look at someone else's list by changing the address
    page = client_for(manager).get(f"/tasks/?person={other_manager.pk}").content.decode()
    assert "Дело Бориса" not in page and "Все сотрудники" not in page


def test_mark_done_only_own_task(client_for, manager, other_manager, head):
    mine, theirs = _task(manager, "Моё"), _task(other_manager, "Не моё")
    client = client_for(manager)
    assert client.get(f"/tasks/{mine.pk}/done/").status_code == 405
    response = client.post(f"/tasks/{mine.pk}/done/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post(f"/tasks/{theirs.pk}/done/").status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.done_at is not None and theirs.done_at is None
    assert client.post(f"/tasks/{mine.pk}/done/", {"next": "https://evil.example/"})["Location"] == "/tasks/"
    client_for(head).post(f"/tasks/{theirs.pk}/done/")
    theirs.refresh_from_db()
    assert theirs.done_at is not None


def test_create_task_on_a_lead_card(client_for, manager, make_lead):
    lead = make_lead(title="Ремонт офиса")
    client = client_for(manager)
    card = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'name="task-title"' in card and f'/tasks/card/?lead={lead.pk}' in card
    response = client.post("/tasks/new/", {"lead": lead.pk, "task-title": "Позвонить",
                                           "task-deadline": "2031-05-04T15:30",
                                           "task-remind_at": "2031-05-04T15:00"})
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    task = Task.objects.get()
    assert (task.title, task.lead, task.responsible, task.created_by) == ("Позвонить", lead, manager, manager)
    assert timezone.localtime(task.deadline).strftime("%d.%m.%Y %H:%M") == "04.05.2031 15:30"
    assert task.deadline - task.remind_at == dt.timedelta(minutes=30)
    panel = client.get(f"/tasks/card/?lead={lead.pk}").content.decode()
    assert "Позвонить" in panel and "Выполнено" in panel


def test_create_task_on_a_deal_by_htmx_and_errors(client_for, manager, make_deal):
    deal = make_deal()
    client = client_for(manager)
    assert f"/tasks/card/?deal={deal.pk}" in client.get(f"/deals/{deal.pk}/").content.decode()
    response = client.post("/tasks/new/", {"deal": deal.pk, "task-title": "Выставить счёт"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Выставить счёт" in response.content.decode()
    assert Task.objects.get().deal == deal
    response = client.post("/tasks/new/", {"deal": deal.pk, "task-title": "",
                                           "task-deadline": "2031-05-04T10:00",
                                           "task-remind_at": "2031-05-04T11:00"})
    assert response.status_code == 400 and Task.objects.count() == 1
    page = response.content.decode()
    assert "Обязательное поле" in page and "не позже срока" in page
    done = client.post(f"/tasks/{Task.objects.get().pk}/done/", {"panel": "1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "Открытых дел нет" in done.content.decode()


def test_tasks_on_another_managers_lead_are_404(client_for, manager, other_manager, make_lead):
    lead = make_lead(responsible=other_manager)
    client = client_for(manager)
    assert client.post("/tasks/new/", {"lead": lead.pk, "task-title": "Украсть"}).status_code == 404
    assert client.get(f"/tasks/card/?lead={lead.pk}").status_code == 404
    assert client.get("/tasks/card/").status_code == 404
    assert not Task.objects.exists()


def test_home_links_my_tasks_and_marks_them_done(client_for, manager):
    task = _task(manager, "Отправить КП", timezone.now() - dt.timedelta(minutes=5))
    page = client_for(manager).get("/").content.decode()
    assert 'href="/tasks/"' in page and "просрочено" in page
    assert f'action="/tasks/{task.pk}/done/"' in page


def test_notifications_newest_first_and_read(client_for, manager, other_manager):
    old = Notification.objects.create(user=manager, text="Старое",
                                      created_at=timezone.now() - dt.timedelta(hours=2))
    new = Notification.objects.create(user=manager, text="Новое", link="/leads/1/")
    foreign = Notification.objects.create(user=other_manager, text="Чужое")
    client = client_for(manager)
    page = client.get("/notifications/").content.decode()
    assert page.index("Новое") < page.index("Старое") and "Чужое" not in page
    assert page.count("notification--unread") == 2 and 'href="/leads/1/"' in page
    assert "2" in client.get("/notifications/count/").content.decode()
    client.post("/notifications/read/", {"id": new.pk})
    client.post("/notifications/read/", {"id": foreign.pk})  # not theirs: nothing happens
    new.refresh_from_db()
    foreign.refresh_from_db()
    assert new.read_at is not None and foreign.read_at is None
    client.post("/notifications/read/", {"all": "1"})
    old.refresh_from_db()
    assert old.read_at is not None and foreign.read_at is None
    assert "hidden" in client.get("/notifications/count/").content.decode()


def test_bell_count_is_one_cheap_query_and_capped(client_for, manager):
    Notification.objects.bulk_create([Notification(user=manager, text=f"№{i}") for i in range(120)])
    client = client_for(manager)
    client.get("/notifications/count/")  # the session is read once before counting
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/notifications/count/").content.decode()
    assert "99+" in body
    counts = [q["sql"] for q in queries if "automation_notification" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 100" in counts[0]
    header = client.get("/").content.decode()
    assert 'href="/notifications/"' in header and 'hx-get="/notifications/count/"' in header


def test_robot_runs_on_the_timeline(client_for, manager, make_lead):
    lead = make_lead()
    event_record(EventKind.ROBOT, lead=lead, text="Робот «Дело» выполнен: дело «Позвонить»",
                 payload={"state": "done"})
    event_record(EventKind.ROBOT, lead=lead, text="Робот «Вебхук» — ошибка: вебхук ответил 500",
                 payload={"state": "failed"})
    page = client_for(manager).get(f"/leads/{lead.pk}/").content.decode()
    assert "timeline__item--robot-failed" in page and "timeline__item--robot\"" in page
    assert "вебхук ответил 500" in page and "badge--danger" in page and "Выполнен" in page
