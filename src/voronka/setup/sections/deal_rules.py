"""`deal_rules:` the company-wide rules for deal amounts (the CrmSettings singleton)."""

from __future__ import annotations

from voronka.crm.models import CrmSettings
from voronka.setup.context import SetupContext
from voronka.setup.fields import Money, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult


class DealRulesSpec(Spec):
    amount_required: bool | None = None
    minimum_amount: Money | None = None
    zero_becomes_one: bool | None = None


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, DealRulesSpec)
        # Not CrmSettings.load(): it creates the row, which a dry run must not do.
        rules = CrmSettings.objects.filter(pk=1).first()
        created = rules is None
        if rules is None:
            rules = CrmSettings(pk=1)
        changed = ctx.assign(rules, spec.given("amount_required", "minimum_amount", "zero_becomes_one"))
        if (created or changed) and not ctx.save(rules, path=path):
            continue
        result.record("deal rules", created=created, changed=changed)
    return result


SECTION = Section(key="deal_rules", schema=DealRulesSpec, apply=apply, many=False)
