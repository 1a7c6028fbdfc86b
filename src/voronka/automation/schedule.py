"""The automation's periodic jobs, run by `voronka worker`: due robots, SLA breaches,
task reminders and e-mails that could not be sent before.

Each job is idempotent and works in batches, so a worker stopped halfway loses nothing:
the next round picks up what is left.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.automation.cleanup import jobs_stale_resume
from voronka.automation.effects import effects_due_enqueue
from voronka.automation.engine import runs_due_enqueue
from voronka.automation.models import OPEN_RUN_STATES, RobotRun, SlaBreach, Trigger
from voronka.automation.notify import emails_retry, heads_of_sales, notify
from voronka.automation.triggers import runs_create
from voronka.crm.models import Task
from voronka.intake.selectors import leads_overdue

BATCH = 200


def sla_breaches_handle(now: dt.datetime | None = None) -> int:
    """Escalate each lead whose first-response deadline has passed unhandled, once: tell the
    heads of sales (in the app and by e-mail) and fire the «SLA breached» robots, which may
    hand the lead to someone else."""
    now = now or timezone.now()
    heads = heads_of_sales()
    total = 0
    while True:
        with transaction.atomic():
            leads = list(leads_overdue(now).filter(sla_breach__isnull=True)
                         .select_related("responsible", "status")[:BATCH])
            for lead in leads:
                SlaBreach.objects.create(lead=lead, deadline=lead.sla_deadline, noticed_at=now)
                late = int((now - lead.sla_deadline).total_seconds() // 60)
                who = lead.responsible.display_name if lead.responsible_id else _("никто")
                notify(heads, _("Лид №%(id)s «%(t)s» без реакции: срок прошёл %(m)s мин назад, "
                                "ответственный — %(who)s.") % {
                    "id": lead.pk, "t": lead.title, "m": late, "who": who},
                    link=f"/leads/{lead.pk}/", email=True)
                runs_create(lead, Trigger.SLA_BREACHED, context={"deadline": lead.sla_deadline.isoformat()})
        total += len(leads)
        if len(leads) < BATCH:
            return total


def task_reminders_send(now: dt.datetime | None = None) -> int:
    """Remind each person of their task when its reminder time comes (once)."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            tasks = list(Task.objects.select_for_update(skip_locked=True)
                         .filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True,
                                 responsible__isnull=False)
                         .select_related("responsible").order_by("remind_at", "id")[:BATCH])
            for task in tasks:
                deadline = (timezone.localtime(task.deadline).strftime("%d.%m %H:%M")
                            if task.deadline else _("без срока"))
                link = (f"/leads/{task.lead_id}/" if task.lead_id else
                        f"/deals/{task.deal_id}/" if task.deal_id else "/")
                notify(task.responsible, _("Напоминание: %(t)s (срок %(d)s)") % {
                    "t": task.title, "d": deadline}, link=link, email=True)
            Task.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_at=now)
        total += len(tasks)
        if len(tasks) < BATCH:
            return total


PRUNE_BATCH = 2000
PRUNE_EVERY = dt.timedelta(hours=1)
_last_prune: dict[str, dt.datetime] = {}


def robot_runs_prune(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """Delete the finished runs older than AUTOMATION_RUNS_KEEP_DAYS, at most once an hour.
    What they did stays on the timelines; the rows only served the engine and the robot's
    "last runs" list."""
    now = now or timezone.now()
    if not force and now - _last_prune.get("at", now - PRUNE_EVERY) < PRUNE_EVERY:
        return 0
    _last_prune["at"] = now
    old = (RobotRun.objects.filter(created_at__lt=now - dt.timedelta(days=settings.AUTOMATION_RUNS_KEEP_DAYS))
           .exclude(state__in=OPEN_RUN_STATES).filter(effects_due_at__isnull=True))
    total = 0
    while ids := list(old.values_list("pk", flat=True)[:PRUNE_BATCH]):
        RobotRun.objects.filter(pk__in=ids).delete()
        total += len(ids)
    return total


def automation_tick() -> dict[str, int]:
    """One round of every automation job (the worker calls it every few seconds)."""
    return {"robots": runs_due_enqueue(), "effects": effects_due_enqueue(), "sla": sla_breaches_handle(),
            "reminders": task_reminders_send(), "emails": emails_retry(), "pruned": robot_runs_prune(),
            "cleanups": jobs_stale_resume()}
