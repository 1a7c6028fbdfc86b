"""Robots in a real browser: an administrator sets up a robot on the «Новый» status, a new
lead in that status gets the robot's task once the worker has run, and the manager sees the
run on the lead's timeline, the task on the card and in «Мои дела», and the bell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.task_worker import db_worker_batch
from voronka.automation.engine import runs_due_enqueue
from voronka.automation.models import Robot, RobotRun, RunState
from voronka.automation.notify import notify
from voronka.crm.models import LeadStatus, Task

pytestmark = pytest.mark.browser


def _work() -> None:
    """What `voronka worker` does for due runs: enqueue them, then run the queued tasks."""
    runs_due_enqueue()
    db_worker_batch()


def test_set_up_a_robot_and_see_its_task(browser_page, admin_user, manager, make_lead, screenshot):
    new = LeadStatus.objects.get(code="NEW")
    page = browser_page(admin_user)
    page.goto("/settings/")
    page.get_by_role("link", name="Роботы").click()
    column = page.locator("section.kanban__col", has=page.get_by_role("heading", name=new.name, exact=True))
    column.get_by_role("link", name="Добавить робота").click()

    page.locator("#id_name").fill("Перезвонить новому лиду")
    expect(page.locator("#id_place")).to_have_value(str(new.pk))
    page.locator("#id_trigger").select_option("entered")
    expect(page.locator("#id_trigger_field")).to_be_hidden()  # only for «Изменено поле»
    page.locator("#id_delay_value").fill("1")
    page.locator("#id_delay_unit").select_option("hours")
    page.locator("#id_a0_type").select_option(label="Поставить дело ответственному")
    expect(page.locator("#id_a0_webhook_url")).to_be_hidden()
    page.locator("#id_a0_task_create_title").fill("Перезвонить {{client}}")
    page.locator("#id_a0_task_create_deadline_minutes").fill("30")
    screenshot(page, "robots-form")
    page.get_by_role("button", name="Сохранить").click()

    card = page.locator(".robot-card", has_text="Перезвонить новому лиду")
    expect(card).to_contain_text("через 1 ч")
    expect(card).to_contain_text("Поставить дело ответственному: Перезвонить {{client}}")
    expect(card).to_contain_text("включён")
    robot = Robot.objects.get(name="Перезвонить новому лиду")
    assert (robot.status, robot.delay_minutes, robot.actions) == (new, 60, [
        {"type": "task_create", "title": "Перезвонить {{client}}", "deadline_minutes": 30}])
    # A second robot whose webhook nobody answers: its failed run shows red on the timeline.
    broken = Robot(name="Отправить в учёт", entity="lead", status=new,
                   actions=[{"type": "webhook", "url": "http://127.0.0.1:9/hook"}])
    broken.full_clean()
    broken.save()
    page.reload()
    screenshot(page, "robots-board")

    lead = make_lead(title="Заявка с Авито", name="Иван", status=new)
    run = RobotRun.objects.get(robot=robot, lead=lead)
    assert run.state == RunState.SCHEDULED  # an hour's delay
    RobotRun.objects.filter(pk=run.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    _work()
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.outcome
    task = Task.objects.get(lead=lead)
    assert (task.title, task.responsible) == ("Перезвонить Иван", manager)
    # Its database part is done; the webhook waits for its next attempt.
    assert RobotRun.objects.get(robot=broken).effects[0]["state"] == "pending"

    notify(manager, "Лид «Заявка с Авито» ждёт звонка", link=f"/leads/{lead.pk}/")
    desk = browser_page(manager)
    desk.goto(f"/leads/{lead.pk}/")
    robots = desk.locator(".timeline__item--robot")
    expect(robots.filter(has_text="Перезвонить новому лиду")).to_have_count(1)
    expect(desk.locator(".timeline__item--robot-failed")).to_contain_text("вебхук недоступен")
    panel = desk.locator(".card-tasks")
    expect(panel).to_contain_text("Перезвонить Иван")
    expect(desk.locator(".bell__count")).to_have_text("1 непрочитанных")
    screenshot(desk, "lead-card-robot-task")

    desk.goto("/tasks/")
    expect(desk.locator(".task", has_text="Перезвонить Иван")).to_be_visible()
    screenshot(desk, "my-tasks")
    desk.goto(f"/leads/{lead.pk}/")
    desk.locator(".card-tasks").get_by_role("button", name="Выполнено").click()
    expect(desk.locator(".card-tasks")).to_contain_text("Открытых дел нет")
    task.refresh_from_db()
    assert task.done_at is not None

    desk.locator(".bell").click()
    expect(desk.locator(".notification--unread")).to_contain_text("ждёт звонка")
    screenshot(desk, "notifications")
    desk.get_by_role("button", name="Прочитано").click()
    expect(desk.locator(".notification--unread")).to_have_count(0)
    expect(desk.locator(".bell__count")).to_be_hidden()

    runs = browser_page(admin_user)
    runs.goto(f"/settings/robots/{robot.pk}/")
    expect(runs.locator(".robot-run--done")).to_contain_text("Заявка с Авито")
    screenshot(runs, "robot-runs")
