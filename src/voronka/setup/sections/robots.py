"""`robots:` robots on lead statuses and deal stages (docs/automation.md).

A robot is identified by its place and its name: `{status: NEW, name: Перезвонить}` or
`{pipeline: MAIN, stage: CONTRACT, name: …}`. Re-applying the file updates the robots it
names and leaves the others (those made in the settings screen) alone. The trigger,
conditions and actions are checked by the same rules as the settings form, and an error
names its place (`robots[0]: actions[1].stage: …`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from voronka.automation.models import Robot, RobotEntity, Trigger
from voronka.crm.models import LeadStatus, Stage
from voronka.setup.context import SetupContext
from voronka.setup.fields import Clock, Code, Name, Sort, Spec, _fail
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique

TriggerValue = Literal["entered", "stayed", "call_in", "email_in", "form", "field_changed", "sla_breached"]


class RobotSpec(Spec):
    name: Name
    status: Code | None = None
    pipeline: Code | None = None
    stage: Code | None = None
    trigger: TriggerValue = Trigger.ENTERED.value
    trigger_field: Annotated[str, Field(max_length=64)] | None = None
    delay_minutes: Annotated[int, Field(ge=0, le=366 * 24 * 60)] | None = None
    at_time: Clock | None = None
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]]
    is_active: bool | None = None
    sort: Sort | None = None

    @model_validator(mode="after")
    def _one_place(self) -> RobotSpec:
        if (self.status is None) == (self.stage is None):
            raise _fail("give either `status` (a lead robot) or `stage` (a deal robot), not both")
        if self.pipeline is not None and self.stage is None:
            raise _fail("`pipeline` goes with `stage`")
        return self

    @property
    def entity(self) -> str:
        return RobotEntity.LEAD if self.status else RobotEntity.DEAL

    def place(self) -> str:
        return self.status or f"{self.pipeline or '*'}/{self.stage}"

    def label(self) -> str:
        return f"robot {self.place()} «{self.name}»"


def _in_file(ctx: SetupContext, section: str) -> list:
    return [spec for _path, spec in ctx.entries.get(section, [])]


def _stages(spec: RobotSpec) -> list[Stage]:
    stages = Stage.objects.filter(code=spec.stage).select_related("pipeline")
    if spec.pipeline:
        stages = stages.filter(pipeline__code=spec.pipeline)
    return list(stages[:2])


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: (spec.place(), spec.name), "name", ctx)
    statuses_in_file = {spec.code for spec in _in_file(ctx, "lead_statuses")}
    stages_in_file = {(pipeline.code, stage.code) for pipeline in _in_file(ctx, "pipelines")
                      for stage in getattr(pipeline, "stages", None) or []}
    for path, spec in entries:
        if spec.status:
            known = spec.status in statuses_in_file or LeadStatus.objects.filter(code=spec.status).exists()
            if not known:
                ctx.error(f"{path}.status", f"unknown lead status “{spec.status}”")
            continue
        in_file = [code for code, stage in stages_in_file
                   if stage == spec.stage and spec.pipeline in (None, code)]
        found = _stages(spec)
        if not found and not in_file:
            ctx.error(f"{path}.stage", f"unknown deal stage “{spec.stage}”"
                      + (f" in pipeline “{spec.pipeline}”" if spec.pipeline else ""))
        elif spec.pipeline is None and len(found) + len(in_file) > 1 and len({
                *(stage.pipeline.code for stage in found), *in_file}) > 1:
            ctx.error(f"{path}.pipeline", f"stage “{spec.stage}” is in several pipelines: name the pipeline")


def _place(spec: RobotSpec) -> dict[str, Any] | None:
    if spec.status:
        status = LeadStatus.objects.filter(code=spec.status).first()
        return {"status": status, "stage": None} if status else None
    found = _stages(spec)
    return {"stage": found[0], "status": None} if found else None


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, RobotSpec)
        place = _place(spec)
        if place is None:  # a status or stage this dry run has not written
            result.record(spec.label(), created=True, changed=[])
            continue
        robot = Robot.objects.filter(name=spec.name, **place).first()
        created = robot is None
        if robot is None:
            robot = Robot(name=spec.name, entity=spec.entity, **place)
        values: dict[str, Any] = {"trigger": spec.trigger, "actions": spec.actions}
        values.update(spec.given("trigger_field", "delay_minutes", "conditions", "is_active", "sort"))
        if spec.at_time is not None:
            values["at_time"] = spec.at_time
        changed = ctx.assign(robot, values)
        if (created or changed) and not ctx.save(robot, path=path):
            continue
        result.record(spec.label(), created=created, changed=changed)
    return result


SECTION = Section(key="robots", schema=RobotSpec, apply=apply, check=check)
