"""Each robot action, executed by the real worker of each task backend."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.automation.conftest import fire
from voronka.automation.effects import RETRY_MINUTES, effects_due_enqueue
from voronka.automation.models import Notification, RobotRun, RunState
from voronka.crm.models import (
    CommunicationKind,
    CustomFieldDefinition,
    Deal,
    EventKind,
    Lead,
    Semantics,
    Source,
    Stage,
    Task,
    TimelineEvent,
)
from voronka.crm.services.communications import CommunicationInput
from voronka.crm.services.leads import lead_create


def run_robot(task_backend, make_robot, actions, *, lead_fields=None, **robot):
    """A robot on NEW with these actions, a new lead that enters NEW, the worker drained."""
    made = make_robot(actions=actions, **robot)
    with fire():
        lead = lead_create(**{"title": "Заявка с сайта", "name": "Иван", **(lead_fields or {})})
    task_backend.drain()
    run = RobotRun.objects.get(robot=made)
    lead.refresh_from_db()
    return lead, run


def test_task_create_for_the_responsible_with_deadline_and_reminder(task_backend, make_robot,
                                                                    manager):
    lead, run = run_robot(task_backend, make_robot, [{
        "type": "task_create", "title": "Позвонить {{client}}", "deadline_minutes": 30,
        "remind_minutes_before": 10}], lead_fields={"responsible": manager})
    assert run.state == RunState.DONE, run.outcome
    task = Task.objects.get(lead=lead)
    assert task.title == "Позвонить Иван" and task.responsible == manager
    assert abs(task.deadline - timezone.now() - dt.timedelta(minutes=30)) < dt.timedelta(seconds=10)
    assert task.deadline - task.remind_at == dt.timedelta(minutes=10)
    robot_line = TimelineEvent.objects.get(lead=lead, kind=EventKind.ROBOT)
    assert "Позвонить Иван" in robot_line.text and robot_line.payload["state"] == "done"


def test_assign_to_a_user_and_round_robin(task_backend, make_robot, manager, other_manager):
    lead, run = run_robot(task_backend, make_robot, [{"type": "assign", "user": "manager2"}],
                          lead_fields={"responsible": manager})
    assert run.state == RunState.DONE, run.outcome
    assert lead.responsible == other_manager
    assigned = TimelineEvent.objects.get(lead=lead, kind=EventKind.ASSIGNED)
    assert assigned.payload["reason"] == "robot"


def test_assign_round_robin_takes_a_manager_on_duty(task_backend, make_robot, manager):
    lead, run = run_robot(task_backend, make_robot, [{"type": "assign", "user": "round_robin"}])
    assert run.state == RunState.DONE, run.outcome
    assert lead.responsible == manager


def test_status_set_on_a_lead_and_stage_set_on_a_deal(task_backend, make_robot, make_deal):
    lead, run = run_robot(task_backend, make_robot, [{"type": "status_set", "status": "IN_PROCESS"}])
    assert run.state == RunState.DONE, run.outcome
    assert lead.status.code == "IN_PROCESS"
    first = Stage.objects.filter(pipeline__code="MAIN", semantics=Semantics.PROCESS).order_by("sort")
    make_robot(stage=first[0].code, actions=[{"type": "status_set", "stage": first[1].code}])
    with fire():
        deal = make_deal()
    task_backend.drain()
    deal.refresh_from_db()
    assert deal.stage == first[1]


def test_field_set_plain_custom_and_source(task_backend, make_robot):
    CustomFieldDefinition.objects.create(entity="lead", code="UF_PRIORITY", label="Приоритет",
                                         field_type="string")
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "field_set", "field": "amount", "value": "12500"},
        {"type": "field_set", "field": "custom.UF_PRIORITY", "value": "высокий для {{client}}"},
        {"type": "field_set", "field": "source", "value": "AVITO"}])
    assert run.state == RunState.DONE, run.outcome
    assert lead.amount == Decimal("12500")
    assert lead.custom_fields["UF_PRIORITY"] == "высокий для Иван"
    assert lead.source == Source.objects.get(code="AVITO")


def test_notify_in_the_app_and_by_smtp(task_backend, make_robot, manager, smtp_server):
    manager.email = "anna@example.com"
    manager.save()
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "notify", "to": "responsible", "text": "Новый лид {{title}}", "email": True}],
        lead_fields={"responsible": manager})
    assert run.state == RunState.DONE, run.outcome
    note = Notification.objects.get(user=manager)
    assert note.text == "Новый лид Заявка с сайта" and note.link == f"/leads/{lead.pk}/"
    [message] = smtp_server.wait(1)
    assert message["To"] == "anna@example.com"
    assert "Новый лид Заявка с сайта" in message.get_payload(decode=True).decode()
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_email_to_the_client_from_a_template(task_backend, make_robot, smtp_server):
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "email_client", "subject": "Заявка №{{id}} принята",
         "body": "{{client}}, мы перезвоним в течение часа."}],
        lead_fields={"communications": [CommunicationInput(CommunicationKind.EMAIL, "Ivan@Example.com")]})
    assert run.state == RunState.DONE, run.outcome
    [message] = smtp_server.wait(1)
    assert message["To"] == "ivan@example.com"
    assert message["Subject"] == f"Заявка №{lead.pk} принята" or "=?utf-8?" in message["Subject"]
    assert "Иван, мы перезвоним" in message.get_payload(decode=True).decode()
    letter = TimelineEvent.objects.get(lead=lead, kind=EventKind.EMAIL)
    assert letter.payload["direction"] == "out"


def test_email_to_a_client_without_address_fails_visibly(task_backend, make_robot):
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "comment_add", "text": "до письма"},
        {"type": "email_client", "subject": "Тема", "body": "Текст"}])
    assert run.state == RunState.FAILED and "e-mail" in run.outcome
    # the robot's earlier action is undone with the failing one
    assert not TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT).exists()
    line = TimelineEvent.objects.get(lead=lead, kind=EventKind.ROBOT)
    assert "ошибка" in line.text and line.payload["state"] == "failed"


def test_signed_webhook(task_backend, make_robot, hook_server):
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "webhook", "url": hook_server.url, "secret": "hook-secret"}])
    assert run.state == RunState.DONE, run.outcome
    [(headers, body)] = hook_server.requests
    expected = hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Voronka-Signature"] == f"sha256={expected}"
    assert headers["X-Voronka-Delivery"] == f"robot-run-{run.pk}"
    data = json.loads(body)
    assert data["item"]["id"] == lead.pk and data["entity"] == "lead"


def test_a_failing_webhook_is_retried_and_finally_given_up_on_the_timeline(task_backend, make_robot,
                                                                         hook_server):
    hook_server.status[0] = 500
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "comment_add", "text": "передано"}, {"type": "webhook", "url": hook_server.url}])
    # The database part is done; the delivery waits for its next attempt.
    assert run.state == RunState.DONE, run.outcome
    [effect] = run.effects
    assert effect["state"] == "pending" and effect["attempts"] == 1 and "500" in effect["error"]
    assert run.effects_due_at > timezone.now()
    retry = TimelineEvent.objects.get(lead=lead, kind=EventKind.ROBOT, payload__state="retry")
    assert "вебхук ответил 500" in retry.text and "повторим" in retry.text
    later = timezone.now()
    for _attempt in RETRY_MINUTES:
        later += dt.timedelta(days=1)
        with fire():
            assert effects_due_enqueue(later) == 1
        task_backend.drain()
    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.effects_due_at is None
    assert run.effects[0]["state"] == "failed" and run.effects[0]["attempts"] == len(RETRY_MINUTES) + 1
    assert len(hook_server.requests) == len(RETRY_MINUTES) + 1
    given_up = TimelineEvent.objects.get(lead=lead, kind=EventKind.ROBOT, payload__state="failed")
    assert "больше не будет" in given_up.text
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT, text="передано").count() == 1
    with fire():
        assert effects_due_enqueue(later + dt.timedelta(days=1)) == 0


def test_a_webhook_that_fails_once_goes_out_on_the_retry(task_backend, make_robot, hook_server):
    hook_server.status[0] = 503
    _lead, run = run_robot(task_backend, make_robot, [{"type": "webhook", "url": hook_server.url}])
    hook_server.status[0] = 200
    with fire():
        assert effects_due_enqueue(timezone.now() + dt.timedelta(minutes=RETRY_MINUTES[0])) == 1
    task_backend.drain()
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.effects_due_at is None
    assert run.effects[0]["state"] == "sent"
    first, second = hook_server.requests
    assert first[1] == second[1] and first[0]["X-Voronka-Delivery"] == second[0]["X-Voronka-Delivery"]


def test_an_unreachable_webhook_names_the_reason(task_backend, make_robot, hook_server):
    _lead, run = run_robot(task_backend, make_robot, [{"type": "webhook", "url": "http://127.0.0.1:1/"}])
    assert "вебхук недоступен" in run.effects[0]["error"] and "refused" in run.effects[0]["error"]


def test_deal_create_converts_a_lead(task_backend, make_robot, manager):
    lead, run = run_robot(task_backend, make_robot, [
        {"type": "deal_create", "title": "Сделка по {{title}}", "amount": "1000"}],
        lead_fields={"responsible": manager})
    assert run.state == RunState.DONE, run.outcome
    deal = Deal.objects.get(lead=lead)
    assert deal.title == "Сделка по Заявка с сайта" and deal.amount == Decimal("1000")
    assert lead.status.semantics == Semantics.SUCCESS and deal.contact is not None


def test_deal_create_from_a_deal_makes_a_child(task_backend, make_robot, make_deal):
    first = Stage.objects.filter(pipeline__code="MAIN", semantics=Semantics.PROCESS).order_by("sort")[0]
    make_robot(stage=first.code, actions=[{"type": "deal_create", "title": "Доп. услуга к {{title}}"}])
    with fire():
        deal = make_deal(title="Пропуск")
    task_backend.drain()
    child = Deal.objects.get(parent_deal=deal)
    assert child.title == "Доп. услуга к Пропуск" and child.is_repeat
    assert child.source == deal.source and child.responsible == deal.responsible


@pytest.mark.parametrize(("actions", "message"), [
    ([], "От 1 до"),
    ([{"type": "explode"}], "actions[0].type"),
    ([{"type": "task_create"}], "actions[0].title"),
    ([{"type": "task_create", "title": "x", "deadline_minutes": -5}], "deadline_minutes"),
    ([{"type": "assign", "user": "nobody"}], "actions[0].user"),
    ([{"type": "status_set", "status": "JUNK"}], "actions[0].status"),
    ([{"type": "field_set", "field": "status", "value": "x"}], "actions[0].field"),
    ([{"type": "webhook", "url": "ftp://example.com"}], "actions[0].url"),
    ([{"type": "comment_add", "text": "ok", "extra": 1}], "лишние параметры"),
])
def test_invalid_actions_are_refused_with_the_place_named(make_robot, actions, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_robot(actions=actions)
    assert message in str(error.value)
    assert not Lead.objects.exists()
