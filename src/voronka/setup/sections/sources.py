"""`sources:` advertising sources (Bitrix24 SOURCE_ID)."""

from __future__ import annotations

from voronka.crm.models import Source
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Name, Sort, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique


class SourceSpec(Spec):
    code: Code
    name: Name
    sort: Sort | None = None
    is_active: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.code, "code", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, SourceSpec)
        source = Source.objects.filter(code=spec.code).first()
        created = source is None
        if source is None:
            source = Source(code=spec.code)
        changed = ctx.assign(source, {"name": spec.name, **spec.given("sort", "is_active")})
        if (created or changed) and not ctx.save(source, path=path):
            continue
        result.record(f"source {spec.code}", created=created, changed=changed)
    return result


SECTION = Section(key="sources", schema=SourceSpec, apply=apply, check=check)
