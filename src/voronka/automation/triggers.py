"""From timeline events to robot runs.

Every change of a lead or deal already leaves an event on its timeline (created, status or
stage changed, call, e-mail, form, fields edited…), written in the same transaction as the
change. Listening to those events is how robots see everything without each service
calling them: the runs are created in that same transaction, so a change and the robots
it fires are committed together, or not at all.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.automation.models import OPEN_RUN_STATES, Robot, RobotRun, RunState, Trigger
from voronka.core.batch_cache import cached
from voronka.crm.items import item_owner
from voronka.crm.models import EventKind, Lead, TimelineEvent
from voronka.crm.timeline import event_record

log = logging.getLogger(__name__)

# The depth of the robot run being executed in this thread (None outside runs): the runs it
# sets off are one deeper, which is how a status ping-pong between robots is stopped.
current_depth: contextvars.ContextVar[int | None] = contextvars.ContextVar("robot_depth",
                                                                          default=None)
# The run being executed: its own robot's status change must not cancel it.
current_run: contextvars.ContextVar[int | None] = contextvars.ContextVar("robot_run", default=None)
ENTERING = {EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.STAGE_CHANGED,
            EventKind.CLOSED, EventKind.CONVERTED}


def _triggers_of(event: TimelineEvent) -> list[tuple[str, dict]]:
    """The triggers an event fires, each with its context."""
    payload = event.payload or {}
    if event.kind in ENTERING:
        return [(Trigger.ENTERED, {}), (Trigger.STAYED, {})]
    if event.kind == EventKind.CALL and payload.get("direction") == "in":
        return [(Trigger.CALL_IN, {})]
    if event.kind == EventKind.EMAIL and payload.get("direction") != "out":
        return [(Trigger.EMAIL_IN, {})]
    if event.kind == EventKind.FORM:
        return [(Trigger.FORM, {})]
    if event.kind == EventKind.UPDATED:
        fields = sorted((payload.get("changes") or {}).keys())
        custom = (payload.get("changes") or {}).get("custom_fields") or {}
        if isinstance(custom.get("new"), dict) or isinstance(custom.get("old"), dict):
            old, new = custom.get("old") or {}, custom.get("new") or {}
            fields += [f"custom.{code}" for code in sorted(set(old) | set(new))
                       if old.get(code) != new.get(code)]
        return [(Trigger.FIELD_CHANGED, {"fields": fields})]
    return []


def _due_at(robot: Robot, now: dt.datetime) -> dt.datetime:
    due = now + dt.timedelta(minutes=robot.delay_minutes)
    if robot.at_time is not None:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = due.astimezone(zone)
        at = local.replace(hour=robot.at_time.hour, minute=robot.at_time.minute, second=0,
                           microsecond=0)
        if at < local:
            at += dt.timedelta(days=1)
        due = at
    return due


def _robots_for(item, trigger_names: list[str]) -> list[Robot]:
    place = {"status_id": item.status_id} if isinstance(item, Lead) else {"stage_id": item.stage_id}
    # A batch (an intake chunk, a business process making 100 copies) asks for the robots of
    # the same few places again and again; they cannot change inside its transaction.
    return cached(("robots", *place.items(), *trigger_names), lambda: list(
        Robot.objects.filter(is_active=True, trigger__in=trigger_names, **place).order_by("sort", "id")))


def runs_cancel_left(item) -> int:
    """Cancel the waiting runs of robots whose status/stage the item has just left."""
    place = "robot__status_id" if isinstance(item, Lead) else "robot__stage_id"
    current = item.status_id if isinstance(item, Lead) else item.stage_id
    waiting = list(RobotRun.objects.filter(state__in=OPEN_RUN_STATES, **item_owner(item))
                   .exclude(**{place: current}).exclude(pk=current_run.get())
                   .select_related("robot"))
    for run in waiting:
        run.state, run.finished_at = RunState.CANCELLED, timezone.now()
        run.outcome = _("отменён: элемент ушёл из статуса или стадии")
        run.save(update_fields=["state", "finished_at", "outcome"])
        event_record(EventKind.ROBOT, **item_owner(item), text=_("Робот «%(r)s» отменён: %(why)s") % {
            "r": run.robot.name, "why": run.outcome},
            payload={"robot": run.robot_id, "run": run.pk, "state": run.state})
    return len(waiting)


def runs_create(item, trigger: str, *, context: dict | None = None, actor=None,
                robots: list[Robot] | None = None) -> list[RobotRun]:
    """Create the runs of the robots that `trigger` fires on the item; enqueue the immediate
    ones once the transaction commits."""
    from voronka.automation.engine import runs_enqueue

    context = dict(context or {})
    robots = _robots_for(item, [trigger]) if robots is None else robots
    parent_depth = current_depth.get()
    depth = 0 if parent_depth is None else parent_depth + 1
    now = timezone.now()
    runs = []
    for robot in robots:
        if trigger == Trigger.FIELD_CHANGED and robot.trigger_field and \
                robot.trigger_field not in context.get("fields", []):
            continue
        run = RobotRun(robot=robot, trigger=trigger, depth=depth, due_at=_due_at(robot, now),
                       context={**context, "actor": actor.pk if actor else None}, **item_owner(item))
        delayed = run.due_at > now
        run.state = RunState.SCHEDULED if delayed else RunState.QUEUED
        if depth > settings.AUTOMATION_MAX_DEPTH:
            run.state, run.finished_at = RunState.REFUSED, now
            run.outcome = _("не запущен: цепочка роботов длиннее %(n)s шагов — похоже на "
                            "зацикливание") % {"n": settings.AUTOMATION_MAX_DEPTH}
        run.save()
        if run.state == RunState.REFUSED:
            event_record(EventKind.ROBOT, **item_owner(item),
                         text=_("Робот «%(r)s» %(why)s") % {"r": robot.name, "why": run.outcome},
                         payload={"robot": robot.pk, "run": run.pk, "state": run.state})
        runs.append(run)
    queued = [run.pk for run in runs if run.state == RunState.QUEUED]
    if queued:
        transaction.on_commit(lambda: runs_enqueue(queued))
    return runs


def _on_timeline_event(sender, instance: TimelineEvent, created: bool, raw: bool = False,
                       **kwargs) -> None:
    if not created or raw or instance.kind == EventKind.ROBOT:
        return
    triggers = _triggers_of(instance)
    if not triggers:
        return
    items = [item for item in (instance.lead if instance.lead_id else None,
                               instance.deal if instance.deal_id else None) if item is not None]
    if instance.kind == EventKind.CONVERTED:  # the deal's own CREATED event fires for it
        items = [item for item in items if isinstance(item, Lead)]
    for item in items:
        if instance.kind in ENTERING and instance.kind != EventKind.CREATED:  # new: nothing waits
            runs_cancel_left(item)
        # One read of the place's robots serves every trigger of the event («entered» and «stayed»).
        robots = _robots_for(item, [trigger for trigger, _context in triggers])
        for trigger, context in triggers:
            runs_create(item, trigger, context=context, actor=instance.actor,
                        robots=[robot for robot in robots if robot.trigger == trigger])


def signals_connect() -> None:
    post_save.connect(_on_timeline_event, sender=TimelineEvent,
                      dispatch_uid="automation_timeline_event")
