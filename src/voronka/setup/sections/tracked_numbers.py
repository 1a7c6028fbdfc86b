"""`tracked_numbers:` our telephone lines and the advertising source each is printed on."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from voronka.crm.models import Source
from voronka.crm.normalization import phone_normalize
from voronka.intake.models import TrackedNumber
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Spec, _fail
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique


def _e164(value: str) -> str:
    normalized = phone_normalize(value)
    if normalized is None:
        raise _fail(f"“{value}” is not a phone number; write it in full, e.g. +7 495 123-45-67")
    return normalized


Phone = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool)
                                       else v), AfterValidator(_e164)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


class TrackedNumberSpec(Spec):
    number: Phone
    source: Code
    campaign: Text | None = None
    description: Text | None = None
    is_active: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.number, "number", ctx)
    check_sources(entries, "source", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, TrackedNumberSpec)
        tracked = TrackedNumber.objects.filter(number=spec.number).first()
        created = tracked is None
        if tracked is None:
            tracked = TrackedNumber(number=spec.number)
        source = Source.objects.filter(code=spec.source).first()
        if source is None:  # defined by this file and not written, because this is a dry run
            result.record(f"tracked number {spec.number}", created=created, changed=["source"])
            continue
        changed = ctx.assign(tracked, {"source_id": source.pk, **spec.given("campaign", "description",
                                                                       "is_active")})
        if (created or changed) and not ctx.save(tracked, path=path):
            continue
        result.record(f"tracked number {spec.number}", created=created, changed=changed)
    return result


SECTION = Section(key="tracked_numbers", schema=TrackedNumberSpec, apply=apply, check=check)
