"""First-response deadlines counted in working hours."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from voronka.core.batch_cache import cached
from voronka.crm.models import Source
from voronka.intake.models import IntakeSettings, SlaRule

_MAX_DAYS = 400


def working_deadline(start: dt.datetime, minutes: int, hours: IntakeSettings) -> dt.datetime:
    """`start` plus `minutes` of working time (working days, from work_start to work_end).

    A request that arrives at night or on a weekend starts its clock when the working day
    starts. With no working days configured the clock runs around the clock.
    """
    if not hours.working_days or hours.work_end <= hours.work_start:
        return start + dt.timedelta(minutes=minutes)
    zone = zoneinfo.ZoneInfo(hours.time_zone)
    local = start.astimezone(zone)
    remaining = dt.timedelta(minutes=minutes)
    for _ in range(_MAX_DAYS):
        day = local.date()
        day_start = dt.datetime.combine(day, hours.work_start, zone)
        day_end = dt.datetime.combine(day, hours.work_end, zone)
        if day.isoweekday() in hours.working_days and local < day_end:
            begin = max(local, day_start)
            available = day_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(dt.UTC)
            remaining -= available
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), zone)
    return start + dt.timedelta(minutes=minutes)


def is_working_time(moment: dt.datetime, hours: IntakeSettings) -> bool:
    if not hours.working_days:
        return True
    local = moment.astimezone(zoneinfo.ZoneInfo(hours.time_zone))
    return (local.isoweekday() in hours.working_days
            and hours.work_start <= local.time() < hours.work_end)


def first_response_minutes(source: Source | None, hours: IntakeSettings) -> int:
    if source is not None:
        rule = cached(("sla_rule", source.pk),
                      lambda: SlaRule.objects.filter(source=source).first(), settled=True)
        if rule is not None:
            return rule.first_response_minutes
    return hours.first_response_minutes


def sla_deadline_for(source: Source | None, start: dt.datetime,
                     hours: IntakeSettings | None = None) -> dt.datetime:
    hours = hours or IntakeSettings.load()
    return working_deadline(start, first_response_minutes(source, hours), hours)
