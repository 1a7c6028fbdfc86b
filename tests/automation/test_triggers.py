"""Each trigger fires its robots, on both task backends; other events leave them alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.automation.conftest import fire
from voronka.automation.engine import runs_due_enqueue
from voronka.automation.models import RobotRun, RunState
from voronka.automation.schedule import sla_breaches_handle
from voronka.crm.models import EventKind, LeadStatus, Stage, TimelineEvent
from voronka.crm.services.deals import deal_move
from voronka.crm.services.leads import lead_change_status, lead_create, lead_update
from voronka.crm.timeline import event_record

COMMENT = [{"type": "comment_add", "text": "робот сработал"}]


def comments(**owner) -> int:
    return TimelineEvent.objects.filter(kind=EventKind.COMMENT, text="робот сработал", **owner).count()


def test_entering_a_status_fires_its_robot_only(task_backend, make_robot, manager):
    make_robot(status="IN_PROCESS", actions=COMMENT)
    with fire():
        lead = lead_create(title="Лид", responsible=manager)  # enters NEW: no robot there
    task_backend.drain()
    assert comments(lead=lead) == 0
    with fire():
        lead_change_status(lead=lead, status=LeadStatus.objects.get(code="IN_PROCESS"))
    task_backend.drain()
    assert comments(lead=lead) == 1


def test_entering_a_deal_stage_fires_its_robot(task_backend, make_robot, make_deal):
    deal = make_deal()
    second = Stage.objects.filter(pipeline=deal.pipeline, semantics="process").order_by("sort")[1]
    make_robot(stage=second.code, actions=COMMENT)
    with fire():
        deal_move(deal=deal, stage=second)
    task_backend.drain()
    assert comments(deal=deal) == 1


def test_time_in_status_runs_after_the_delay(task_backend, make_robot, manager):
    robot = make_robot(trigger="stayed", delay_minutes=90, actions=COMMENT)
    with fire():
        lead = lead_create(title="Лид", responsible=manager)
    run = RobotRun.objects.get(robot=robot)
    assert run.state == RunState.SCHEDULED
    assert abs((run.due_at - timezone.now()) - dt.timedelta(minutes=90)) < dt.timedelta(seconds=5)
    with fire():
        assert runs_due_enqueue(timezone.now() + dt.timedelta(minutes=60)) == 0
    task_backend.drain()
    assert comments(lead=lead) == 0
    with fire():
        assert runs_due_enqueue(timezone.now() + dt.timedelta(minutes=91)) == 1
    task_backend.drain()
    assert comments(lead=lead) == 1
    run.refresh_from_db()
    assert run.state == RunState.DONE


@pytest.mark.parametrize(("kind", "payload", "trigger", "fires"), [
    (EventKind.CALL, {"direction": "in"}, "call_in", True),
    (EventKind.CALL, {"direction": "out"}, "call_in", False),
    (EventKind.EMAIL, {"from": "client@example.com"}, "email_in", True),
    (EventKind.EMAIL, {"direction": "out"}, "email_in", False),
    (EventKind.FORM, {"fields": []}, "form", True),
    (EventKind.COMMENT, {}, "form", False),
])
def test_activity_triggers(task_backend, make_robot, manager, kind, payload, trigger, fires):
    lead = lead_create(title="Лид", responsible=manager)
    make_robot(trigger=trigger, actions=COMMENT)
    with fire():
        event_record(kind, lead=lead, payload=payload)
    task_backend.drain()
    assert comments(lead=lead) == int(fires)


def test_incoming_call_through_the_webhook_fires_call_robot(task_backend, make_robot, client,
                                                             manager):
    """The whole path: a PBX posts a call, intake makes a lead, the robot sees the call."""
    import json

    from voronka.intake.models import TelephonyConnection
    from voronka.intake.telephony.signatures import generic_sign

    TelephonyConnection.objects.create(provider="generic", slug="pbx", secret="s3cret-s3cret-s3cret")
    make_robot(trigger="call_in", actions=[{"type": "task_create", "title": "Перезвонить {{client}}"}])
    body = json.dumps({"call_id": "c-1", "event": "start", "from": "+7 900 555-00-11",
                       "to": "74950000001", "at": "2024-01-15T10:00:00+03:00"}).encode()
    with fire():
        response = client.post("/integrations/generic/pbx/calls", data=body,
                               content_type="application/json",
                               headers={"X-Voronka-Signature": "sha256=" + generic_sign(
                                   "s3cret-s3cret-s3cret", body)})
    assert response.status_code == 200
    task_backend.drain()
    run = RobotRun.objects.get(trigger="call_in")
    assert run.state == RunState.DONE, run.outcome
    assert run.lead.tasks.get().title.startswith("Перезвонить")


def test_field_change_fires_for_the_named_field_only(task_backend, make_robot, manager):
    make_robot(trigger="field_changed", trigger_field="amount", actions=COMMENT)
    lead = lead_create(title="Лид", responsible=manager)
    with fire():
        lead_update(lead=lead, title="Новое название")
    task_backend.drain()
    assert comments(lead=lead) == 0
    with fire():
        lead_update(lead=lead, amount=Decimal("5000"))
    task_backend.drain()
    assert comments(lead=lead) == 1


def test_custom_field_change_is_a_field_change(task_backend, make_robot, manager):
    from voronka.crm.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(entity="lead", code="UF_CAR", label="Машина",
                                         field_type="string")
    make_robot(trigger="field_changed", trigger_field="custom.UF_CAR", actions=COMMENT)
    lead = lead_create(title="Лид", responsible=manager)
    with fire():
        lead_update(lead=lead, custom_fields={"UF_CAR": "КАМАЗ"})
    task_backend.drain()
    assert comments(lead=lead) == 1


def test_sla_breach_escalates_once_and_fires_robot(task_backend, make_robot, manager,
                                                   other_manager, head):
    make_robot(trigger="sla_breached", actions=[{"type": "assign", "user": other_manager.username}])
    lead = lead_create(title="Горящий лид", responsible=manager,
                       sla_deadline=timezone.now() - dt.timedelta(minutes=20))
    fresh = lead_create(title="Свежий", responsible=manager,
                        sla_deadline=timezone.now() + dt.timedelta(minutes=20))
    with fire():
        assert sla_breaches_handle() == 1
        assert sla_breaches_handle() == 0  # escalated once
    task_backend.drain()
    lead.refresh_from_db()
    fresh.refresh_from_db()
    assert lead.responsible == other_manager and fresh.responsible == manager
    note = head.notifications.get()
    assert "Горящий лид" in note.text and note.link == f"/leads/{lead.pk}/"
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.ASSIGNED).exists()
