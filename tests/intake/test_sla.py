"""First-response deadlines in working hours."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.crm.models import Source
from voronka.intake.models import IntakeSettings, SlaRule
from voronka.intake.sla import is_working_time, sla_deadline_for, working_deadline

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def hours(**overrides) -> IntakeSettings:
    values = {"time_zone": "Europe/Moscow", "working_days": [1, 2, 3, 4, 5],
              "work_start": dt.time(9), "work_end": dt.time(18)}
    values.update(overrides)
    return IntakeSettings(**values)


def msk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


@pytest.mark.parametrize("start, minutes, expected", [
    (msk(2026, 11, 23, 10, 0), 15, msk(2026, 11, 23, 10, 15)),   # Monday morning
    (msk(2026, 11, 23, 17, 50), 15, msk(2026, 11, 24, 9, 5)),    # runs over the evening
    (msk(2026, 11, 23, 7, 0), 15, msk(2026, 11, 23, 9, 15)),     # before opening
    (msk(2026, 11, 27, 20, 0), 15, msk(2026, 11, 30, 9, 15)),    # Friday night → Monday
    (msk(2026, 11, 28, 12, 0), 60, msk(2026, 11, 30, 10, 0)),    # Saturday
    (msk(2026, 11, 23, 10, 0), 9 * 60 + 30, msk(2026, 11, 24, 10, 30)),
])
def test_working_deadline_examples(start, minutes, expected):
    assert working_deadline(start, minutes, hours()) == expected


def test_no_working_days_means_around_the_clock():
    start = msk(2026, 11, 28, 23, 0)
    assert working_deadline(start, 30, hours(working_days=[])) == start + dt.timedelta(minutes=30)


def _working_minutes_between(start: dt.datetime, end: dt.datetime, rules: IntakeSettings) -> int:
    count, moment = 0, start
    while moment < end:
        if is_working_time(moment, rules):
            count += 1
        moment += dt.timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31)),
       minutes=st.integers(min_value=1, max_value=900),
       days=st.sets(st.integers(1, 7), min_size=1))
def test_deadline_is_exactly_that_many_working_minutes_later(start, minutes, days):
    rules = hours(working_days=sorted(days))
    start = start.replace(second=0, microsecond=0, tzinfo=MSK)
    deadline = working_deadline(start, minutes, rules)
    assert deadline > start
    assert _working_minutes_between(start, deadline, rules) == minutes
    # …and not a minute later than needed: the minute before the deadline was a working one
    assert is_working_time(deadline - dt.timedelta(minutes=1), rules)


@pytest.mark.django_db
def test_source_rule_overrides_the_default():
    avito = Source.objects.get(code="AVITO")
    SlaRule.objects.create(source=avito, first_response_minutes=5)
    start = msk(2026, 11, 23, 10, 0)
    assert sla_deadline_for(avito, start) == msk(2026, 11, 23, 10, 5)
    assert sla_deadline_for(Source.objects.get(code="SITE"), start) == msk(2026, 11, 23, 10, 15)
