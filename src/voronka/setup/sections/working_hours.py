"""`working_hours:` when the SLA clock runs and managers are on duty."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from voronka.intake.models import IntakeSettings
from voronka.setup.context import SetupContext
from voronka.setup.fields import Clock, Spec, TimeZone, _fail
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult

Day = Annotated[int, Field(ge=1, le=7)]


class WorkingHoursSpec(Spec):
    timezone: TimeZone | None = None
    days: list[Day] | None = None
    start: Clock | None = None
    end: Clock | None = None
    first_response_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 14)] | None = None

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHoursSpec:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise _fail("end must be later than start")
        if self.days is not None and len(set(self.days)) != len(self.days):
            raise _fail("days: a day is listed twice")
        return self


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, WorkingHoursSpec)
        hours = IntakeSettings.objects.filter(pk=1).first()
        created = hours is None
        if hours is None:
            hours = IntakeSettings(pk=1)
        values = {"time_zone": spec.timezone, "working_days": sorted(spec.days) if spec.days else None,
                  "work_start": spec.start, "work_end": spec.end,
                  "first_response_minutes": spec.first_response_minutes}
        changed = ctx.assign(hours, {k: v for k, v in values.items() if v is not None})
        if hours.work_end <= hours.work_start:
            ctx.error(path, "end must be later than start")
            continue
        if (created or changed) and not ctx.save(hours, path=path):
            continue
        result.record("working hours", created=created, changed=changed)
    return result


SECTION = Section(key="working_hours", schema=WorkingHoursSpec, apply=apply, many=False)
