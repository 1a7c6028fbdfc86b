"""The engine's promises: delays and at-a-time runs, cancellation when the item leaves,
loop protection, exactly-once execution of a run, the lease sweep, reminders."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from tests.automation.conftest import fire
from voronka.automation.engine import run_execute, runs_due_enqueue
from voronka.automation.models import Notification, RobotRun, RunState
from voronka.automation.schedule import robot_runs_prune, task_reminders_send
from voronka.automation.tasks import robot_run_task
from voronka.crm.models import EventKind, LeadStatus, Task, TimelineEvent
from voronka.crm.services.leads import lead_change_status, lead_create

COMMENT = [{"type": "comment_add", "text": "робот сработал"}]


def comments(lead) -> int:
    return TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT, text="робот сработал").count()


def status(code: str) -> LeadStatus:
    return LeadStatus.objects.get(code=code)


def test_a_robot_at_a_time_waits_for_the_next_such_moment_in_the_company_zone(make_robot, manager):
    robot = make_robot(trigger="entered", delay_minutes=60, at_time=dt.time(9, 30), actions=COMMENT)
    before = timezone.now()
    with fire():
        lead_create(title="Лид", responsible=manager)
    run = RobotRun.objects.get(robot=robot)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local_due = run.due_at.astimezone(zone)
    assert (local_due.hour, local_due.minute, local_due.second) == (9, 30, 0)
    earliest = before + dt.timedelta(minutes=60)
    # The first 9:30 after "now + delay", never later than a day after it.
    assert earliest - dt.timedelta(seconds=5) <= run.due_at < earliest + dt.timedelta(days=1)
    assert run.state == RunState.SCHEDULED


def test_a_delayed_robot_is_cancelled_when_the_lead_leaves_and_the_cancel_is_logged(
        task_backend, make_robot, manager):
    robot = make_robot(trigger="stayed", delay_minutes=30, actions=COMMENT)
    with fire():
        lead = lead_create(title="Лид", responsible=manager)
        lead_change_status(lead=lead, status=status("IN_PROCESS"))
    run = RobotRun.objects.get(robot=robot)
    assert run.state == RunState.CANCELLED
    with fire():
        assert runs_due_enqueue(timezone.now() + dt.timedelta(hours=1)) == 0
    task_backend.drain()
    assert comments(lead) == 0
    line = TimelineEvent.objects.get(lead=lead, kind=EventKind.ROBOT)
    assert "отменён" in line.text and line.payload["state"] == "cancelled"


def test_coming_back_to_the_status_schedules_a_fresh_run(task_backend, make_robot, manager):
    robot = make_robot(trigger="stayed", delay_minutes=30, actions=COMMENT)
    with fire():
        lead = lead_create(title="Лид", responsible=manager)
        lead_change_status(lead=lead, status=status("IN_PROCESS"))
        lead_change_status(lead=lead, status=status("NEW"))
    states = sorted(RobotRun.objects.filter(robot=robot).values_list("state", flat=True))
    assert states == [RunState.CANCELLED, RunState.SCHEDULED]
    with fire():
        assert runs_due_enqueue(timezone.now() + dt.timedelta(minutes=31)) == 1
    task_backend.drain()
    assert comments(lead) == 1


def test_a_run_whose_item_left_before_it_executes_is_cancelled_not_performed(make_robot, manager):
    """The status may change between the enqueue and the worker taking the task."""
    robot = make_robot(trigger="entered", actions=COMMENT)
    lead = lead_create(title="Лид", responsible=manager)  # no commit: the task is not enqueued
    run = RobotRun.objects.get(robot=robot)
    lead.status = status("IN_PROCESS")
    lead.save(update_fields=["status"])  # bypasses the service: no timeline event, no cancel
    assert run_execute(run.pk) == RunState.CANCELLED
    assert comments(lead) == 0


def test_a_status_ping_pong_between_two_robots_is_stopped_at_the_depth_limit(task_backend, make_robot,
                                                                             manager):
    make_robot(status="NEW", name="В работу", actions=[{"type": "status_set", "status": "IN_PROCESS"}])
    make_robot(status="IN_PROCESS", name="Назад", actions=[{"type": "status_set", "status": "NEW"}])
    with fire():
        lead = lead_create(title="Лид", responsible=manager)
    task_backend.drain()
    limit = settings.AUTOMATION_MAX_DEPTH
    runs = RobotRun.objects.filter(lead=lead).order_by("depth")
    assert [run.depth for run in runs if run.state == RunState.DONE] == list(range(limit + 1))
    [refused] = [run for run in runs if run.state == RunState.REFUSED]
    assert refused.depth == limit + 1
    assert "зацикливание" in refused.outcome
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.ROBOT,
                                        payload__state="refused").count() == 1
    # The chain stopped where the refused robot would have moved the lead.
    lead.refresh_from_db()
    expected = "IN_PROCESS" if limit % 2 == 0 else "NEW"
    assert lead.status.code == expected


def test_a_run_delivered_twice_is_performed_once(task_backend, make_robot, manager):
    robot = make_robot(trigger="entered", actions=COMMENT)
    with fire():
        lead = lead_create(title="Лид", responsible=manager)
        run = RobotRun.objects.get(robot=robot)
        robot_run_task.enqueue(run.pk)  # a second delivery of the same run
    task_backend.drain()
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.attempts == 1
    assert comments(lead) == 1
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.ROBOT).count() == 1
    assert run_execute(run.pk) == "skipped"


def test_a_queued_run_whose_task_was_lost_is_enqueued_again_after_its_lease(task_backend, make_robot,
                                                                           manager):
    robot = make_robot(trigger="entered", actions=COMMENT)
    lead = lead_create(title="Лид", responsible=manager)  # never committed: its task is "lost"
    run = RobotRun.objects.get(robot=robot)
    assert run.state == RunState.QUEUED
    lease = dt.timedelta(seconds=settings.AUTOMATION_LEASE_SECONDS)
    with fire():
        assert runs_due_enqueue(timezone.now() + lease / 2) == 0  # maybe still in a worker
    with fire():
        assert runs_due_enqueue(timezone.now() + lease * 2) == 1
    task_backend.drain()
    run.refresh_from_db()
    assert run.state == RunState.DONE and comments(lead) == 1


def test_task_reminders_are_sent_once_to_the_responsible(make_robot, manager, smtp_server):
    manager.email = "anna@example.com"
    manager.save()
    lead = lead_create(title="Лид", responsible=manager)
    now = timezone.now()
    due = Task.objects.create(title="Перезвонить", lead=lead, responsible=manager,
                              deadline=now + dt.timedelta(minutes=10),
                              remind_at=now - dt.timedelta(minutes=1))
    Task.objects.create(title="Позже", lead=lead, responsible=manager,
                        deadline=now + dt.timedelta(days=1), remind_at=now + dt.timedelta(hours=5))
    Task.objects.create(title="Сделано", lead=lead, responsible=manager, done_at=now,
                        deadline=now + dt.timedelta(minutes=10), remind_at=now - dt.timedelta(minutes=1))
    with fire():
        assert task_reminders_send(now) == 1
    assert task_reminders_send(now + dt.timedelta(minutes=1)) == 0
    [note] = Notification.objects.filter(user=manager)
    assert "Перезвонить" in note.text and note.link == f"/leads/{lead.pk}/"
    [message] = smtp_server.wait(1)
    assert message["To"] == "anna@example.com" and "Перезвонить" in message["Subject"]
    due.refresh_from_db()
    note.refresh_from_db()
    assert due.reminded_at is not None and note.emailed_at is not None


def test_an_e_mail_that_failed_is_retried_by_the_sweep(manager, smtp_server, settings):
    from voronka.automation.notify import emails_retry, notify

    manager.email = "anna@example.com"
    manager.save()
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the first attempt fails
    with fire():
        [note] = notify(manager, "Важное", email=True)
    note.refresh_from_db()
    assert note.emailed_at is None
    settings.EMAIL_PORT = port
    assert emails_retry() == 1
    assert emails_retry() == 0
    [message] = smtp_server.wait(1)
    assert message["To"] == "anna@example.com"


def test_old_finished_runs_are_pruned_and_open_or_undelivered_ones_kept(make_robot, manager, settings):
    robot = make_robot(trigger="entered", actions=COMMENT)
    lead = lead_create(title="Лид", responsible=manager)
    long_ago = timezone.now() - dt.timedelta(days=settings.AUTOMATION_RUNS_KEEP_DAYS + 1)
    kept = {
        "recent": RobotRun.objects.create(robot=robot, lead=lead, trigger="entered", state=RunState.DONE),
        "waiting": RobotRun.objects.create(robot=robot, lead=lead, trigger="stayed",
                                           state=RunState.SCHEDULED, created_at=long_ago),
        "undelivered": RobotRun.objects.create(robot=robot, lead=lead, trigger="entered",
                                               state=RunState.DONE, created_at=long_ago,
                                               effects_due_at=timezone.now()),
    }
    for state in (RunState.DONE, RunState.FAILED, RunState.CANCELLED, RunState.REFUSED):
        RobotRun.objects.create(robot=robot, lead=lead, trigger="entered", state=state, created_at=long_ago)
    assert robot_runs_prune(force=True) == 4
    left = set(RobotRun.objects.values_list("pk", flat=True))
    assert {run.pk for run in kept.values()} <= left
    assert robot_runs_prune() == 0  # at most once an hour
