"""Robots in the settings: the board, the form (its inputs → the robot's JSON, the engine's
validation messages shown next to the inputs), on/off, delete, system robots, runs."""

from __future__ import annotations

import pytest

from voronka.automation.models import Robot, RobotRun, RunState
from voronka.crm.models import LeadStatus, Stage


def _robot(**fields) -> Robot:
    fields.setdefault("entity", "lead")
    if fields["entity"] == "lead":
        fields.setdefault("status", LeadStatus.objects.get(code="NEW"))
    robot = Robot(**{"name": "Перезвонить новому", "actions": [
        {"type": "task_create", "title": "Перезвонить"}], **fields})
    robot.full_clean()
    robot.save()
    return robot


def _post(status: LeadStatus, **extra) -> dict:
    data = {"name": "Дело на новый лид", "place": status.pk, "trigger": "entered",
            "delay_value": "2", "delay_unit": "hours", "at_time": "", "join": "and",
            "condition_rows": "3", "action_rows": "2", "is_active": "on",
            "c0_field": "amount", "c0_cmp": "gte", "c0_value": "100000",
            "a0_type": "task_create", "a0_task_create_title": "Позвонить {{client}}",
            "a0_task_create_deadline_minutes": "30"}
    data.update(extra)
    return data


@pytest.mark.parametrize("url", ["/settings/robots/", "/settings/robots/new/?status=1"])
def test_robots_are_admin_only(client_for, manager, head, url):
    for user in (manager, head):
        assert client_for(user).get(url).status_code == 403


def test_board_lists_robots_by_status_and_pipeline(client_for, admin_user, main_pipeline):
    _robot(name="Лидный", delay_minutes=1440)
    stage = Stage.objects.filter(pipeline=main_pipeline).first()
    _robot(name="Сделочный", entity="deal", stage=stage, is_active=False)
    client = client_for(admin_user)
    page = client.get("/settings/robots/").content.decode()
    assert "Лидный" in page and "через 1 дн." in page and "Перезвонить" in page
    assert "Сделочный" not in page and "Добавить робота" in page
    page = client.get(f"/settings/robots/?pipeline={main_pipeline.pk}").content.decode()
    assert "Сделочный" in page and "выключен" in page and "Лидный" not in page
    assert client.get("/settings/robots/?pipeline=999999").status_code == 404
    assert 'href="/settings/robots/"' in client.get("/settings/").content.decode()


def test_create_robot_from_the_form(client_for, admin_user):
    status = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    form = client.get(f"/settings/robots/new/?status={status.pk}")
    assert form.status_code == 200 and "Поставить дело ответственному" in form.content.decode()
    response = client.post(f"/settings/robots/new/?status={status.pk}", _post(status))
    assert response.status_code == 302 and response["Location"] == "/settings/robots/"
    robot = Robot.objects.get()
    assert (robot.entity, robot.status, robot.delay_minutes, robot.is_active) == ("lead", status, 120, True)
    assert robot.conditions == {"op": "and", "items": [{"field": "amount", "cmp": "gte", "value": "100000"}]}
    assert robot.actions == [{"type": "task_create", "title": "Позвонить {{client}}", "deadline_minutes": 30}]
    assert robot.created_by == admin_user


def test_a_webhook_without_a_secret_gets_a_random_one_shown_on_the_form(client_for, admin_user):
    status = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    data = _post(status, a0_type="webhook", a0_webhook_url="https://crm.example.ru/hook")
    assert client.post(f"/settings/robots/new/?status={status.pk}", data).status_code == 302
    [action] = Robot.objects.get().actions
    assert action["url"] == "https://crm.example.ru/hook" and len(action["secret"]) >= 24
    page = client.get(f"/settings/robots/{Robot.objects.get().pk}/").content.decode()
    assert action["secret"] in page
    other = _post(status, name="Второй", a0_type="webhook", a0_webhook_url="https://crm.example.ru/hook",
                  a0_webhook_secret="мой-секрет")
    client.post(f"/settings/robots/new/?status={status.pk}", other)
    assert Robot.objects.get(name="Второй").actions[0]["secret"] == "мой-секрет"


def test_edit_shows_the_saved_robot_and_keeps_it(client_for, admin_user):
    robot = _robot(delay_minutes=180, conditions={"op": "or", "items": [
        {"field": "source", "cmp": "eq", "value": "AVITO"}]})
    client = client_for(admin_user)
    page = client.get(f"/settings/robots/{robot.pk}/").content.decode()
    assert 'value="3"' in page and '<option value="hours" selected>' in page
    assert 'value="AVITO"' in page and '<option value="or" selected>' in page
    status = robot.status
    data = _post(status, name="Новое имя", c0_field="source", c0_cmp="eq", c0_value="AVITO",
                 join="or", a0_task_create_deadline_minutes="", delay_value="3",
                 a1_type="notify", a1_notify_text="Новый лид {{title}}", a1_notify_to="head",
                 a1_notify_email="on")
    assert client.post(f"/settings/robots/{robot.pk}/", data).status_code == 302
    robot.refresh_from_db()
    assert robot.name == "Новое имя" and robot.delay_minutes == 180
    assert robot.actions[1] == {"type": "notify", "to": "head", "text": "Новый лид {{title}}", "email": True}
    assert robot.conditions["op"] == "or"


def test_validation_errors_are_shown_next_to_the_inputs_and_nothing_is_saved(client_for, admin_user):
    status = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    data = _post(status, a0_task_create_title="", c0_value="много",
                 a1_type="status_set", a1_status_set_status="")
    response = client.post(f"/settings/robots/new/?status={status.pk}", data)
    assert response.status_code == 400 and not Robot.objects.exists()
    form = response.context["form"]
    assert form.errors["a0_task_create_title"] == ["обязательный параметр"]
    assert "нужно число" in form.errors["c0_value"][0]
    page = response.content.decode()
    assert "Робот не сохранён" in page and "обязательный параметр" in page


def test_validation_errors_of_the_robot_itself(client_for, admin_user):
    status = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    data = _post(status, trigger="stayed", delay_value="0", a0_type="")
    response = client.post(f"/settings/robots/new/?status={status.pk}", data)
    assert response.status_code == 400 and not Robot.objects.exists()
    errors = response.context["form"].errors
    assert "Прошло время" in errors["delay_value"][0]
    data = _post(status, conditions_json='{"op": "xor", "items": []}')
    errors = client.post(f"/settings/robots/new/?status={status.pk}", data).context["form"].errors
    assert "conditions.op" in errors["conditions_json"][0]
    data = _post(status, a0_type="")
    errors = client.post(f"/settings/robots/new/?status={status.pk}", data).context["form"].errors
    assert "От 1 до 20 действий" in errors["__all__"][0]


def test_nested_conditions_round_trip_as_json(client_for, admin_user):
    repeat = {"field": "is_repeat", "cmp": "eq", "value": True}
    tree = {"op": "and", "items": [{"field": "amount", "cmp": "gte", "value": "1"},
                                   {"op": "or", "items": [repeat]}]}
    robot = _robot(conditions=tree)
    client = client_for(admin_user)
    page = client.get(f"/settings/robots/{robot.pk}/").content.decode()
    assert "is_repeat" in page and "<details class=\"robot-form__advanced\" open>" in page
    data = _post(robot.status, c0_field="", conditions_json=page and __import__("json").dumps(tree))
    assert client.post(f"/settings/robots/{robot.pk}/", data).status_code == 302
    robot.refresh_from_db()
    assert robot.conditions == tree


def test_more_rows_without_javascript(client_for, admin_user):
    status = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    response = client.post(f"/settings/robots/new/?status={status.pk}", _post(status, more="action"))
    assert response.status_code == 200 and not Robot.objects.exists()
    assert "a2_type" in response.context["form"].fields
    assert 'name="action_rows" value="3"' in response.content.decode()
    assert response.context["form"]["a0_task_create_title"].value() == "Позвонить {{client}}"


def test_deal_robot_gets_stages_of_its_pipeline(client_for, admin_user, main_pipeline):
    stage = Stage.objects.filter(pipeline=main_pipeline).first()
    client = client_for(admin_user)
    form = client.get(f"/settings/robots/new/?stage={stage.pk}").context["form"]
    assert {pk for pk, _ in form.fields["place"].choices} == set(
        main_pipeline.stages.values_list("pk", flat=True))
    assert "sla_breached" not in dict(form.fields["trigger"].choices)
    assert client.get("/settings/robots/new/").status_code == 404


def test_toggle_and_delete(client_for, admin_user):
    robot = _robot()
    client = client_for(admin_user)
    assert client.post(f"/settings/robots/{robot.pk}/toggle/").status_code == 302
    robot.refresh_from_db()
    assert not robot.is_active
    assert client.get(f"/settings/robots/{robot.pk}/toggle/").status_code == 405
    client.post(f"/settings/robots/{robot.pk}/delete/")
    assert not Robot.objects.exists()


def test_system_robot_can_be_switched_off_but_not_changed(client_for, admin_user):
    robot = _robot(is_system=True)
    client = client_for(admin_user)
    assert "системный" in client.get("/settings/robots/").content.decode()
    page = client.get(f"/settings/robots/{robot.pk}/").content.decode()
    assert "можно выключить, но не изменить" in page and 'name="a0_type"' not in page
    client.post(f"/settings/robots/{robot.pk}/", {"name": "Другое"})
    client.post(f"/settings/robots/{robot.pk}/delete/")
    robot.refresh_from_db()
    assert robot.name == "Перезвонить новому"
    client.post(f"/settings/robots/{robot.pk}/toggle/")
    robot.refresh_from_db()
    assert not robot.is_active


def test_robot_page_lists_its_last_runs(client_for, admin_user, make_lead):
    robot = _robot()
    lead = make_lead(title="Плитка для ванной")
    RobotRun.objects.bulk_create([RobotRun(robot=robot, lead=lead, trigger="entered",
                                           state=RunState.DONE, outcome=f"прогон {i}")
                                  for i in range(55)])
    RobotRun.objects.create(robot=robot, lead=lead, trigger="entered", state=RunState.FAILED,
                            outcome="вебхук ответил 500")
    page = client_for(admin_user).get(f"/settings/robots/{robot.pk}/").content.decode()
    assert page.count('class="robot-run ') == 50
    assert "вебхук ответил 500" in page and "badge--danger" in page
    assert f'href="/leads/{lead.pk}/">Плитка для ванной' in page
