"""Executing robot runs, exactly once, through the task queue.

A run is executed by `run_execute` inside one transaction: it locks the run, checks that it
is still queued, re-reads the item, checks that the item is still in the robot's status or
stage and that the conditions hold, performs the actions and marks the run done. A task
delivered twice finds the run done and does nothing; a worker killed in the middle rolls
the whole run back, and `runs_due_enqueue` (the worker's schedule) enqueues it again once
its lease has passed. Database effects therefore happen exactly once. Effects outside the
database (a webhook, an e-mail) are at least once: a webhook carries the run id in
`X-Voronka-Delivery` so that its receiver can drop a repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.automation.actions import ACTIONS, RunContext
from voronka.automation.conditions import conditions_hold
from voronka.automation.effects import lease_until
from voronka.automation.models import RobotRun, RunState
from voronka.automation.triggers import current_depth, current_run
from voronka.crm.items import item_owner
from voronka.crm.models import Deal, EventKind, Lead
from voronka.crm.timeline import event_record

log = logging.getLogger(__name__)

ENQUEUE_BATCH = 500


def runs_enqueue(run_ids: Iterable[int]) -> None:
    """Hand the runs to the task backend (called after the runs are committed)."""
    from voronka.automation.tasks import robot_run_task

    for run_id in run_ids:
        try:
            robot_run_task.enqueue(run_id)
        except Exception:  # the backend is down: the lease sweep enqueues the run later
            log.exception("robot run %s could not be enqueued; the schedule retries it", run_id)


def runs_due_enqueue(now: dt.datetime | None = None) -> int:
    """Enqueue the delayed runs whose time has come, and the queued runs whose task was lost
    (its worker died, or the backend refused it) once their lease has passed."""
    now = now or timezone.now()
    lease_ago = now - dt.timedelta(seconds=settings.AUTOMATION_LEASE_SECONDS)
    due = (Q(state=RunState.SCHEDULED, due_at__lte=now)
           | Q(state=RunState.QUEUED, enqueued_at__lt=lease_ago)
           | Q(state=RunState.QUEUED, enqueued_at__isnull=True, created_at__lt=lease_ago))
    total = 0
    while True:
        with transaction.atomic():
            ids = list(RobotRun.objects.filter(due).order_by("due_at", "id")
                       .values_list("pk", flat=True)[:ENQUEUE_BATCH])
            if not ids:
                return total
            RobotRun.objects.filter(pk__in=ids).update(state=RunState.QUEUED, enqueued_at=now)
            transaction.on_commit(lambda ids=ids: runs_enqueue(ids))
        total += len(ids)
        if len(ids) < ENQUEUE_BATCH:
            return total


def _item_locked(run: RobotRun):
    model, pk = (Lead, run.lead_id) if run.lead_id else (Deal, run.deal_id)
    return model.objects.select_for_update().filter(pk=pk).first()


def _in_place(robot, item) -> bool:
    if isinstance(item, Lead):
        return item.status_id == robot.status_id
    return item.stage_id == robot.stage_id


def _log(item, robot, run: RobotRun, text: str) -> None:
    event_record(EventKind.ROBOT, **item_owner(item), text=text,
                 payload={"robot": robot.pk, "run": run.pk, "state": run.state,
                          "trigger": run.trigger})


def _finish(run: RobotRun, state: str, outcome: str, effects: list[dict] | None = None) -> None:
    run.state, run.outcome, run.finished_at = state, outcome[:5000], timezone.now()
    if effects:
        # Claimed by this worker, which delivers them right after the commit; should it die,
        # the claim expires and the schedule hands them to another (automation.effects).
        run.effects, run.effects_due_at = effects, lease_until(run.finished_at)
    run.save(update_fields=["state", "outcome", "finished_at", "attempts", "effects",
                            "effects_due_at"])


def _actions_perform(robot, item, run: RobotRun, actor) -> tuple[list[str], list[dict]]:
    context = RunContext(robot=robot, run_id=run.pk, actor=actor)
    outcomes = []
    for action in robot.actions:
        spec = ACTIONS[action["type"]]
        params = {k: v for k, v in action.items() if k != "type"}
        outcomes.append(str(spec.run(item, params, context)))
        # An action may have changed the item (its status, its owner): re-read it for the next.
        item.refresh_from_db()
    return outcomes, context.effects


@transaction.atomic
def run_execute(run_id: int) -> str:
    """Execute one queued run; return its final state (or "skipped" when not queued)."""
    run = RobotRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.state != RunState.QUEUED:
        return "skipped"
    run.attempts += 1
    robot, item = run.robot, _item_locked(run)
    if item is None:
        _finish(run, RunState.CANCELLED, _("элемент удалён"))
        return run.state
    if not robot.is_active or not _in_place(robot, item):
        _finish(run, RunState.CANCELLED, _("отменён: робот выключен или элемент ушёл из "
                                           "статуса или стадии"))
        _log(item, robot, run, _("Робот «%(r)s» %(o)s") % {"r": robot.name, "o": run.outcome})
        return run.state
    if not conditions_hold(robot.conditions, item):
        _finish(run, RunState.DONE, _("условия не выполнены, действия пропущены"))
        _log(item, robot, run, _("Робот «%(r)s»: %(o)s") % {"r": robot.name, "o": run.outcome})
        return run.state
    actor = None
    if run.context.get("actor"):
        from voronka.accounts.models import User

        actor = User.objects.filter(pk=run.context["actor"]).first()
    token, run_token = current_depth.set(run.depth), current_run.set(run.pk)
    try:
        with transaction.atomic():  # a failing action undoes the robot's earlier actions
            outcomes, effects = _actions_perform(robot, item, run, actor)
    except ValidationError as error:
        item.refresh_from_db()
        _finish(run, RunState.FAILED, "; ".join(error.messages))
    except Exception as error:  # a broken action is recorded, not raised
        log.exception("robot %s run %s failed", robot.pk, run.pk)
        item.refresh_from_db()
        _finish(run, RunState.FAILED, f"{type(error).__name__}: {error}")
    else:
        _finish(run, RunState.DONE, "; ".join(outcomes), effects)
    finally:
        current_depth.reset(token)
        current_run.reset(run_token)
    if run.state == RunState.DONE:
        text = _("Робот «%(r)s» выполнен: %(o)s") % {"r": robot.name, "o": run.outcome}
    else:
        text = _("Робот «%(r)s» — ошибка: %(o)s") % {"r": robot.name, "o": run.outcome}
    _log(item, robot, run, text)
    return run.state


def run_execute_and_deliver(run_id: int) -> str:
    """Execute the run, then, outside its transaction, deliver what it sends outside."""
    from voronka.automation.effects import effects_deliver

    state = run_execute(run_id)
    if state == RunState.DONE:
        claim = RobotRun.objects.filter(pk=run_id).values_list("effects_due_at", flat=True).first()
        if claim is not None:
            effects_deliver(run_id, claim)
    return state
