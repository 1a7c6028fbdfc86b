"""The home page: a manager's working day, or the head of sales' morning figures.

Every query here is bounded: a manager's own open leads (top N by urgency), their tasks
due by tonight, and today's figures over rows created or closed today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from voronka.accounts.models import Role, User
from voronka.crm.models import Deal, Lead, Semantics, Task, TaskKind
from voronka.crm.selectors import open_leads_of

MY_LEADS_SHOWN = 30
TASKS_SHOWN = 50


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight today in the active (the user's) time zone."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class ManagerDay:
    leads: list[Lead]
    open_count: int
    tasks: list[Task]
    missed_calls: list[Task]


def manager_day(user: User, now: dt.datetime) -> ManagerDay:
    mine = open_leads_of(Lead.objects.filter(responsible=user))
    urgent_first = Case(
        When(first_handled_at__isnull=True, sla_deadline__isnull=False, then=Value(0)),
        default=Value(1), output_field=IntegerField())
    leads = list(mine.select_related("status", "source")
                 .annotate(urgency=urgent_first)
                 .order_by("urgency", "sla_deadline", "-created_at")[:MY_LEADS_SHOWN])
    todo = (Task.objects.filter(responsible=user, done_at__isnull=True)
            .select_related("lead", "deal", "call").order_by("deadline"))
    tonight = day_start(now) + dt.timedelta(days=1)
    missed = Q(kind=TaskKind.CALL_BACK, call__isnull=False)
    return ManagerDay(
        leads=leads, open_count=mine.count(),
        tasks=list(todo.filter(deadline__lt=tonight).exclude(missed)[:TASKS_SHOWN]),
        missed_calls=list(todo.filter(missed)[:TASKS_SHOWN]),
    )


@dataclass
class ManagerLoad:
    user: User
    open_leads: int
    overdue: int


@dataclass
class SalesDay:
    new_leads: int
    overdue: int
    junk_share: int | None  # percent of today's leads already closed as junk
    won_count: int
    won_sum: Decimal
    load: list[ManagerLoad] = field(default_factory=list)


def sales_day(now: dt.datetime) -> SalesDay:
    start = day_start(now)
    today = Lead.objects.filter(created_at__gte=start).aggregate(
        total=Count("pk"), junk=Count("pk", filter=Q(status__semantics=Semantics.FAILURE)))
    won = Deal.objects.filter(closed_on=timezone.localdate(now),
                              stage__semantics=Semantics.SUCCESS).aggregate(
        n=Count("pk"), total=Sum("amount"))
    overdue_q = Q(first_handled_at__isnull=True, sla_deadline__lt=now)
    per_manager = (open_leads_of(Lead.objects.all())
                   .values("responsible")
                   .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q)))
    counts = {row["responsible"]: row for row in per_manager}
    people = User.objects.filter(Q(is_active=True) & (Q(pk__in=[k for k in counts if k])
                                                      | Q(role=Role.MANAGER)))
    load = [ManagerLoad(u, counts.get(u.pk, {}).get("open", 0),
                        counts.get(u.pk, {}).get("overdue", 0)) for u in people]
    load.sort(key=lambda m: (-m.overdue, -m.open_leads, m.user.display_name))
    unassigned = counts.get(None)
    if unassigned:
        load.append(ManagerLoad(None, unassigned["open"], unassigned["overdue"]))
    return SalesDay(
        new_leads=today["total"], overdue=sum(m.overdue for m in load),
        junk_share=round(100 * today["junk"] / today["total"]) if today["total"] else None,
        won_count=won["n"], won_sum=won["total"] or Decimal("0"), load=load,
    )


def home_context(user: User) -> dict:
    """The head of sales and admins get today's figures; a manager gets their day."""
    now = timezone.now()
    context: dict = {"now": now}
    if user.can_see_all:
        context["sales"] = sales_day(now)
    if user.role == Role.MANAGER and not user.is_crm_admin:
        context["day"] = manager_day(user, now)
    return context
