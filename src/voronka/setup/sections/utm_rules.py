"""`utm_rules:` UTM tags → advertising source (utm_source=yandex & utm_medium=cpc → Яндекс.Директ).

A rule is identified by its tags (utm_source, utm_medium, utm_campaign), compared without case;
a tag left out means "any", so `{utm_source: avito, source: AVITO}` is a different rule from
`{utm_source: avito, utm_medium: cpc, source: …}`. Re-applying the file updates the source,
sort and is_active of the rules it names and leaves the other rules alone.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from voronka.crm.models import Source
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Sort, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique
from voronka.webforms.models import UtmRule, utm_value_normalize

UtmTag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
                   AfterValidator(utm_value_normalize)]


class UtmRuleSpec(Spec):
    utm_source: UtmTag
    utm_medium: UtmTag | None = None
    utm_campaign: UtmTag | None = None
    source: Code
    sort: Sort | None = None
    is_active: bool | None = None

    def tags(self) -> tuple[str, str, str]:
        return self.utm_source, self.utm_medium or "", self.utm_campaign or ""

    def label(self) -> str:
        return "utm rule " + "/".join(tag or "*" for tag in self.tags())


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: "/".join(spec.tags()), "utm_source", ctx)
    check_sources(entries, "source", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, UtmRuleSpec)
        utm_source, utm_medium, utm_campaign = spec.tags()
        rule = UtmRule.objects.select_related("source").filter(
            utm_source=utm_source, utm_medium=utm_medium, utm_campaign=utm_campaign).first()
        created = rule is None
        if rule is None:
            rule = UtmRule(utm_source=utm_source, utm_medium=utm_medium, utm_campaign=utm_campaign)
        changed = ctx.assign(rule, spec.given("sort", "is_active"))
        exclude = []
        if (rule.source.code if rule.source_id else None) != spec.source:
            changed.append("source")
            source = Source.objects.filter(code=spec.source).first()
            if source is None:
                exclude.append("source")  # created by this file's sources: (dry run)
            else:
                rule.source = source
        if (created or changed) and not ctx.save(rule, path=path, exclude=exclude):
            continue
        result.record(spec.label(), created=created, changed=changed)
    return result


SECTION = Section(key="utm_rules", schema=UtmRuleSpec, apply=apply, check=check)
