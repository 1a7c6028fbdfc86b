"""Who becomes responsible for a new request, and why (the reason goes on the timeline)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import Role, User
from voronka.core.batch_cache import cached
from voronka.intake.models import IntakeSettings
from voronka.intake.sla import is_working_time

REASONS = {
    "answered": _("ответил на звонок"),
    "client_owner": _("ответственный за клиента"),
    "round_robin": _("по очереди среди менеджеров на смене"),
    "default": _("ответственный по умолчанию"),
    "none": _("никто не назначен: нет менеджеров на смене и ответственного по умолчанию"),
}


@dataclass(frozen=True)
class Assignment:
    user: User | None
    reason: str

    @property
    def reason_text(self) -> str:
        return str(REASONS[self.reason])


def _available(user: User | None, now: dt.datetime) -> bool:
    return bool(user and user.is_active and (user.absent_until is None or user.absent_until <= now))


def managers_on_duty(now: dt.datetime):
    return User.objects.filter(role=Role.MANAGER, is_active=True).filter(
        Q(absent_until__isnull=True) | Q(absent_until__lte=now)).order_by("id")


def _settings_locked() -> IntakeSettings:
    IntakeSettings.load()  # a fresh installation has no row yet; there is nothing to lock
    return IntakeSettings.objects.select_for_update().get(pk=1)


def round_robin_pick(now: dt.datetime) -> User | None:
    """The next manager on duty after the last one picked (robots use it too)."""
    # The settings row is locked so two requests at once do not pick the same manager.
    hours = cached(("round_robin",), _settings_locked)
    managers = cached(("managers",), lambda: list(
        User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id")))
    candidates = [user for user in managers if _available(user, now)]
    if not candidates:
        return None
    last = hours.round_robin_last_id or 0
    chosen = next((user for user in candidates if user.pk > last), candidates[0])
    IntakeSettings.objects.filter(pk=hours.pk).update(round_robin_last=chosen.pk)
    hours.round_robin_last_id = chosen.pk  # the batch's remembered row stays true
    return chosen


def responsible_choose(
    *,
    now: dt.datetime,
    answered_by: User | None = None,
    client_owner: User | None = None,
    hours: IntakeSettings | None = None,
) -> Assignment:
    """The answerer; else the client's owner; else round robin on duty; else the default."""
    hours = hours or IntakeSettings.load()
    if _available(answered_by, now):
        return Assignment(answered_by, "answered")
    if hours.assign_to_client_owner and _available(client_owner, now):
        return Assignment(client_owner, "client_owner")
    if hours.round_robin and is_working_time(now, hours):
        user = round_robin_pick(now)
        if user is not None:
            return Assignment(user, "round_robin")
    if _available(hours.default_responsible, now):
        return Assignment(hours.default_responsible, "default")
    # Out of hours with no default: still give it to someone, so it is not orphaned.
    if hours.round_robin:
        user = round_robin_pick(now)
        if user is not None:
            return Assignment(user, "round_robin")
    return Assignment(None, "none")
