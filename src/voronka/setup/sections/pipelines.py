"""`pipelines:` deal pipelines (направления) and their stages."""

from __future__ import annotations

from django.db.models import Count
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from voronka.crm.models import Pipeline, Stage
from voronka.setup.context import SetupContext
from voronka.setup.fields import CUSTOM, Code, Color, Name, SemanticsValue, Sort, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique


class StageSpec(Spec):
    code: Code
    name: Name
    semantics: SemanticsValue
    sort: Sort | None = None
    color: Color | None = None


class PipelineSpec(Spec):
    code: Code
    name: Name
    sort: Sort | None = None
    is_default: bool | None = None
    stages: list[StageSpec]

    @field_validator("stages")
    @classmethod
    def _has_every_meaning(cls, stages: list[StageSpec]) -> list[StageSpec]:
        # A deal starts in a process stage and is closed as won or lost: all three must exist.
        present = {stage.semantics for stage in stages}
        missing = [meaning for meaning in ("process", "success", "failure") if meaning not in present]
        if missing:
            raise PydanticCustomError(
                CUSTOM, "a pipeline needs at least one process, one success and one failure stage; "
                        "missing: {missing}", {"missing": ", ".join(missing)})
        return stages


def stage_sort(spec: StageSpec, index: int) -> int:
    """The file's order is the board's order unless `sort` says otherwise."""
    return spec.sort if spec.sort is not None else (index + 1) * 10


def _check_stage_semantics(path: str, spec: PipelineSpec, ctx: SetupContext) -> None:
    stages = {
        stage.code: stage
        for stage in Stage.objects.filter(pipeline__code=spec.code).annotate(deal_count=Count("deals"))
    }
    for index, stage_spec in enumerate(spec.stages):
        stage = stages.get(stage_spec.code)
        # Reports count won and lost deals by the meaning of their stage.
        if stage is not None and stage.deal_count and stage.semantics != stage_spec.semantics:
            ctx.error(f"{path}.stages[{index}].semantics",
                      f"stage {stage_spec.code} of pipeline {spec.code} has {stage.deal_count} deal(s); "
                      f"its semantics cannot change from {stage.semantics} to {stage_spec.semantics}")


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.code, "code", ctx)
    defaults = [(path, spec) for path, spec in entries if spec.is_default]
    for path, _spec in defaults[1:]:
        ctx.error(f"{path}.is_default", f"only one pipeline can be the default; {defaults[0][0]} already is")
    current_default = Pipeline.objects.filter(is_default=True).values_list("code", flat=True).first()
    for path, spec in entries:
        assert isinstance(spec, PipelineSpec)
        check_unique([(f"{path}.stages[{i}]", stage) for i, stage in enumerate(spec.stages)],
                     lambda stage: stage.code, "code", ctx)
        # Unsetting the default without naming a new one would leave deals with no default pipeline.
        if spec.is_default is False and spec.code == current_default and not defaults:
            ctx.error(f"{path}.is_default", f"{spec.code} is the default pipeline; to change that, set "
                                            "is_default: true on another pipeline")
        _check_stage_semantics(path, spec, ctx)


def _apply_stages(pipeline: Pipeline, path: str, spec: PipelineSpec, ctx: SetupContext) -> list[str]:
    """Create or update the stages the file names; the others are left alone. Returns what changed."""
    existing = {stage.code: stage for stage in pipeline.stages.all()} if pipeline.pk else {}
    changes = []
    for index, stage_spec in enumerate(spec.stages):
        stage = existing.get(stage_spec.code)
        created = stage is None
        if stage is None:
            stage = Stage(pipeline=pipeline, code=stage_spec.code)
        changed = ctx.assign(stage, {
            "name": stage_spec.name, "semantics": stage_spec.semantics,
            "sort": stage_sort(stage_spec, index), **stage_spec.given("color"),
        })
        if not (created or changed):
            continue
        # The pipeline is not in the database yet in a dry run; the code is unique per pipeline anyway.
        if ctx.save(stage, path=f"{path}.stages[{index}]", exclude=["pipeline"]):
            changes.append(f"new stage {stage_spec.code}" if created
                           else f"stage {stage_spec.code}: {', '.join(changed)}")
    return changes


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    new_default = next((spec.code for _path, spec in entries if spec.is_default), None)
    if new_default is not None:
        # The database allows one default pipeline, so the old one is unset before the new is set.
        previous = Pipeline.objects.filter(is_default=True).exclude(code=new_default)
        for code in previous.values_list("code", flat=True):
            result.note(f"pipeline {code}: no longer the default ({new_default} is)")
        if not ctx.dry_run:
            previous.update(is_default=False)
    for path, spec in entries:
        assert isinstance(spec, PipelineSpec)
        pipeline = Pipeline.objects.filter(code=spec.code).first()
        created = pipeline is None
        if pipeline is None:
            pipeline = Pipeline(code=spec.code)
        changed = ctx.assign(pipeline, {"name": spec.name, **spec.given("sort", "is_default")})
        if (created or changed) and not ctx.save(pipeline, path=path):
            continue
        stage_changes = _apply_stages(pipeline, path, spec, ctx)
        if created:
            result.record(f"pipeline {spec.code}", created=True)
        else:
            result.record(f"pipeline {spec.code}", changed=changed + stage_changes)
    return result


SECTION = Section(key="pipelines", schema=PipelineSpec, apply=apply, check=check)
