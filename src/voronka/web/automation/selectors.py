"""Reads for tasks and notifications, permission-aware: a person's own, or everybody's for
those who see all (head of sales, admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from voronka.accounts.models import User
from voronka.automation.models import Notification
from voronka.crm.items import item_owner
from voronka.crm.models import Deal, Lead, Task
from voronka.crm.selectors import deals_visible_to, leads_visible_to
from voronka.web.home import day_start

TASKS_SHOWN = 200
DONE_SHOWN = 100
UNREAD_COUNTED = 100  # the bell shows «99+» beyond that, so the count stays cheap


def tasks_visible_to(user: User) -> QuerySet[Task]:
    tasks = Task.objects.all()
    return tasks if user.can_see_all else tasks.filter(responsible=user)


def task_for(user: User, pk: int) -> Task:
    """A task the user may mark done; someone else's is a 404."""
    task = tasks_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


@dataclass
class TaskGroups:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    undated: list[Task] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.later) + len(self.undated)


def tasks_grouped(tasks: QuerySet[Task], now: dt.datetime) -> TaskGroups:
    """Open tasks by urgency: overdue, due today, later, without a deadline."""
    tonight = day_start(now) + dt.timedelta(days=1)
    groups = TaskGroups()
    for task in tasks.filter(done_at__isnull=True).order_by("deadline", "id")[:TASKS_SHOWN]:
        if task.deadline is None:
            groups.undated.append(task)
        elif task.deadline < now:
            groups.overdue.append(task)
        elif task.deadline < tonight:
            groups.today.append(task)
        else:
            groups.later.append(task)
    return groups


def tasks_done(tasks: QuerySet[Task]) -> list[Task]:
    return list(tasks.filter(done_at__isnull=False).order_by("-done_at", "-id")[:DONE_SHOWN])


def with_items(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("lead", "deal", "responsible")


def item_for(user: User, *, lead_id: str | None, deal_id: str | None) -> Lead | Deal:
    """The lead or deal a task form names, if the user may see it (else 404)."""
    if lead_id and lead_id.isdigit():
        item = leads_visible_to(user).filter(pk=lead_id).first()
    elif deal_id and deal_id.isdigit():
        item = deals_visible_to(user).filter(pk=deal_id).first()
    else:
        item = None
    if item is None:
        raise Http404
    return item


def tasks_of_item(item: Lead | Deal) -> list[Task]:
    return list(Task.objects.filter(done_at__isnull=True, **item_owner(item)).select_related("responsible")
                .order_by("deadline", "id")[:TASKS_SHOWN])


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_COUNTED on the notification_inbox index."""
    return Notification.objects.filter(user=user, read_at__isnull=True)[:UNREAD_COUNTED].count()
