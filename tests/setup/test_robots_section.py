"""`robots:` in the set-up file: robots created, updated by place and name, checked with paths."""

from __future__ import annotations

import datetime as dt

import pytest

from voronka.automation.models import Robot
from voronka.setup.errors import SetupValidationError
from voronka.setup.services import setup_apply

pytestmark = pytest.mark.django_db

CALL_BACK = {"name": "Перезвонить новому", "status": "NEW", "trigger": "entered",
             "delay_minutes": 15, "conditions": {"op": "and", "items": [
                 {"field": "source", "cmp": "eq", "value": "AVITO"}]},
             "actions": [{"type": "task_create", "title": "Позвонить {{client}}", "deadline_minutes": 30}]}
DOCUMENT = {
    "pipelines": [{"code": "SERVICE", "name": "Сервис", "stages": [
        {"code": "VISIT", "name": "Выезд", "semantics": "process"},
        {"code": "DONE", "name": "Выполнено", "semantics": "success"},
        {"code": "CANCELLED", "name": "Отменено", "semantics": "failure"}]}],
    "robots": [CALL_BACK,
               {"name": "Напомнить о выезде", "pipeline": "SERVICE", "stage": "VISIT",
                "trigger": "stayed", "at_time": "09:30", "delay_minutes": 1440,
                "actions": [{"type": "notify", "to": "responsible", "text": "Выезд по {{title}}"}]}],
}


def _issues(document) -> dict[str, str]:
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, environ={})
    return {issue.path: issue.message for issue in caught.value.issues}


def test_robots_are_created_on_file_defined_stages_and_reapplying_changes_nothing():
    first = setup_apply(DOCUMENT, environ={})
    assert first.has_changes
    lead_robot = Robot.objects.get(name="Перезвонить новому")
    assert (lead_robot.entity, lead_robot.status.code, lead_robot.delay_minutes) == ("lead", "NEW", 15)
    assert lead_robot.conditions["items"][0]["value"] == "AVITO"
    deal_robot = Robot.objects.get(name="Напомнить о выезде")
    assert (deal_robot.entity, deal_robot.stage.pipeline.code, deal_robot.stage.code) == ("deal", "SERVICE",
                                                                                          "VISIT")
    assert deal_robot.at_time == dt.time(9, 30)
    assert not setup_apply(DOCUMENT, environ={}).has_changes


def test_a_robot_is_updated_by_its_place_and_name_and_others_are_left_alone():
    setup_apply(DOCUMENT, environ={})
    handmade = Robot.objects.create(name="Из настроек", entity="lead", status=Robot.objects.get(
        name="Перезвонить новому").status, actions=[{"type": "comment_add", "text": "x"}])
    changed = {**CALL_BACK, "delay_minutes": 60, "is_active": False}
    setup_apply({"robots": [changed]}, environ={})
    robot = Robot.objects.get(name="Перезвонить новому")
    assert (robot.delay_minutes, robot.is_active) == (60, False)
    assert Robot.objects.filter(pk=handmade.pk).exists() and Robot.objects.count() == 3


@pytest.mark.parametrize(("robot", "path", "words"), [
    ({"name": "Р", "actions": []}, "robots[0]", "either `status`"),
    ({"name": "Р", "status": "NEW", "stage": "VISIT", "actions": []}, "robots[0]", "not both"),
    ({"name": "Р", "status": "NOPE", "actions": []}, "robots[0].status", "unknown lead status"),
    ({"name": "Р", "stage": "NOPE", "actions": []}, "robots[0].stage", "unknown deal stage"),
    ({"name": "Р", "status": "NEW", "trigger": "sometimes", "actions": []}, "robots[0].trigger", ""),
    ({"name": "Р", "status": "NEW", "at_time": "25:00", "actions": []}, "robots[0].at_time", "HH:MM"),
    ({"name": "Р", "status": "NEW", "actions": [{"type": "teleport"}]}, "robots[0]", "actions[0].type"),
    ({"name": "Р", "status": "NEW", "conditions": {"op": "xor", "items": []},
      "actions": [{"type": "comment_add", "text": "x"}]}, "robots[0]", "conditions.op"),
    ({"name": "Р", "status": "NEW", "colour": "red", "actions": []}, "robots[0].colour", ""),
])
def test_a_bad_robot_names_its_place_and_nothing_is_written(robot, path, words):
    issues = _issues({"robots": [robot]})
    assert any(where.startswith(path) and words in message for where, message in issues.items()), issues
    assert Robot.objects.count() == 0


def test_two_robots_with_one_place_and_name_are_refused():
    issues = _issues({"robots": [CALL_BACK, CALL_BACK]})
    assert "robots[1].name" in issues
