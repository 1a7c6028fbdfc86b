"""Changes to a person's tasks (дела) and notifications made from the workspace."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from voronka.accounts.models import User
from voronka.automation.models import Notification
from voronka.crm.items import item_owner
from voronka.crm.models import Deal, Lead, Task, TaskKind


def task_add(*, user: User, item: Lead | Deal, title: str, deadline: dt.datetime | None,
             remind_at: dt.datetime | None, kind: str = TaskKind.TASK) -> Task:
    """A task on a lead or deal for the person who sets it (it lands in their «Мои дела»)."""
    return Task.objects.create(kind=kind, title=title, responsible=user, deadline=deadline,
                               remind_at=remind_at, created_by=user, **item_owner(item))


def task_done(task: Task) -> bool:
    """Mark the task done (once); False when it already was."""
    if task.done_at is not None:
        return False
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    return True


def notifications_read(notifications: QuerySet[Notification]) -> int:
    """Mark the unread ones of `notifications` read; return how many."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
