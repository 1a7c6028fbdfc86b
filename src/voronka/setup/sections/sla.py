"""`sla:` first-response deadlines per source, in working minutes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from voronka.crm.models import Source
from voronka.intake.models import SlaRule
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique


class SlaSpec(Spec):
    source: Code
    first_response_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 14)]


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.source, "source", ctx)
    check_sources(entries, "source", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, SlaSpec)
        source = Source.objects.filter(code=spec.source).first()
        rule = SlaRule.objects.filter(source=source).first() if source else None
        created = rule is None
        if source is None:  # a source this dry run has not written
            result.record(f"sla {spec.source}", created=True, changed=[])
            continue
        if rule is None:
            rule = SlaRule(source=source)
        changed = ctx.assign(rule, {"first_response_minutes": spec.first_response_minutes})
        if (created or changed) and not ctx.save(rule, path=path):
            continue
        result.record(f"sla {spec.source}", created=created, changed=changed)
    return result


SECTION = Section(key="sla", schema=SlaSpec, apply=apply, check=check)
