"""`telephony:` PBX connections (MANGO OFFICE, Zadarma, the generic webhook) and the seed-001 flags."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator

from voronka.intake.models import TelephonyConnection
from voronka.setup.context import SetupContext
from voronka.setup.fields import Spec, _fail
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=64)]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]

# Which secrets each provider signs its webhooks with.
REQUIRED_SECRETS = {"mango": ("api_key", "salt"), "zadarma": ("secret",), "generic": ("secret",)}


class TelephonySpec(Spec):
    provider: Literal["mango", "zadarma", "generic"]
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    api_key: Secret | None = None
    salt: Secret | None = None
    secret: Secret | None = None
    create_leads: bool | None = None
    only_unknown_numbers: bool | None = None
    set_source: bool | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _secrets_present(self) -> TelephonySpec:
        missing = [name for name in REQUIRED_SECRETS[self.provider] if getattr(self, name) is None]
        if missing:
            raise _fail(f"{', '.join(missing)}: required for provider {self.provider}")
        return self


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.slug, "slug", ctx)
    for path, spec in entries:
        existing = TelephonyConnection.objects.filter(slug=spec.slug).first()
        if existing is not None and existing.provider != spec.provider:
            ctx.error(f"{path}.provider", f"connection “{spec.slug}” is already a {existing.provider} "
                                          "connection; use another slug")


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, TelephonySpec)
        connection = TelephonyConnection.objects.filter(slug=spec.slug).first()
        created = connection is None
        if connection is None:
            connection = TelephonyConnection(slug=spec.slug, provider=spec.provider)
        changed = ctx.assign(connection, spec.given(
            "name", "api_key", "salt", "secret", "create_leads", "only_unknown_numbers", "set_source",
            "is_active"))
        if (created or changed) and not ctx.save(connection, path=path):
            continue
        result.record(f"telephony {spec.slug}", created=created, changed=changed)
    return result


SECTION = Section(key="telephony", schema=TelephonySpec, apply=apply, check=check)
