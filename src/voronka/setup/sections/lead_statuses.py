"""`lead_statuses:` the statuses of a lead, with their meaning (process, success, failure)."""

from __future__ import annotations

from django.db.models import Count

from voronka.crm.models import LeadStatus
from voronka.crm.services.dictionaries import DEPRECATED_COLOR, PROTECTED_STATUS_CODES
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Color, Name, SemanticsValue, Sort, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique


class LeadStatusSpec(Spec):
    code: Code
    name: Name
    semantics: SemanticsValue
    color: Color | None = None
    sort: Sort | None = None
    deprecated: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.code, "code", ctx)
    codes = {spec.code for _path, spec in entries}
    existing = {
        status.code: status
        for status in LeadStatus.objects.filter(code__in=codes).annotate(lead_count=Count("leads"))
    }
    for path, spec in entries:
        assert isinstance(spec, LeadStatusSpec)
        status = existing.get(spec.code)
        if spec.deprecated and spec.code in PROTECTED_STATUS_CODES:
            ctx.error(f"{path}.deprecated", f"{spec.code} is a system status and cannot be deprecated")
        if status is None or status.semantics == spec.semantics:
            continue
        # Reports count leads by the meaning of their status: changing it would rewrite history.
        if status.code in PROTECTED_STATUS_CODES:
            ctx.error(f"{path}.semantics", f"{spec.code} is a system status; its semantics cannot change "
                                           f"from {status.semantics} to {spec.semantics}")
        elif status.lead_count:
            ctx.error(f"{path}.semantics", f"status {spec.code} has {status.lead_count} lead(s); its "
                                           f"semantics cannot change from {status.semantics} to "
                                           f"{spec.semantics}")


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, LeadStatusSpec)
        status = LeadStatus.objects.filter(code=spec.code).first()
        created = status is None
        if status is None:
            status = LeadStatus(code=spec.code)
        values = {"name": spec.name, "semantics": spec.semantics,
                  **spec.given("color", "sort", "deprecated")}
        # Set the fields directly rather than via lead_status_deprecate(): it prefixes the name,
        # and the next run would then see a name different from the file's.
        if spec.deprecated and spec.color is None:
            values["color"] = DEPRECATED_COLOR
        changed = ctx.assign(status, values)
        if (created or changed) and not ctx.save(status, path=path):
            continue
        result.record(f"lead status {spec.code}", created=created, changed=changed)
    return result


SECTION = Section(key="lead_statuses", schema=LeadStatusSpec, apply=apply, check=check)
