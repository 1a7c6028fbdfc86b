"""`forms:` public web forms (/forms/<slug>/) and their fields."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from voronka.crm.models import CustomFieldDefinition, Entity, Source
from voronka.setup.context import SetupContext
from voronka.setup.fields import CUSTOM, Code, Name, Sort, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique
from voronka.webforms.models import (
    CUSTOM_FIELD_RE,
    LEAD_TARGETS,
    MAX_FILL_SECONDS,
    MAX_OPTIONS,
    RESERVED_FIELD_NAMES,
    FieldType,
    FormField,
    WebForm,
    origin_normalize,
)

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Targets that one field at most may fill; phones, e-mails and comments may come from several.
SINGLE_TARGETS = ("name", "last_name", "company_title", "title")


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError(CUSTOM, message)


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise _fail(f"“{value}” is not a valid slug: use Latin letters, digits, “-” and “_” "
                    "(it is part of the address /forms/<slug>/)")
    return value


def _field_name(value: str) -> str:
    if not _FIELD_NAME.match(value):
        raise _fail(f"“{value}” is not a valid field name: use lower-case Latin letters, digits and "
                    "“_”, starting with a letter")
    if value in RESERVED_FIELD_NAMES:
        raise _fail(f"“{value}” is reserved by the form itself; choose another name")
    return value


def _maps_to(value: str) -> str:
    if value and value not in LEAD_TARGETS and not CUSTOM_FIELD_RE.match(value):
        raise _fail(f"“{value}” is not a lead field: use one of {', '.join(LEAD_TARGETS)} "
                    "or a custom field code UF_…")
    return value


def _origin(value: str) -> str:
    origin = origin_normalize(value)
    if origin is None:
        raise _fail(f"“{value}” is not a site address; write it as https://example.ru "
                    "(scheme and host, no path)")
    return origin


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise _fail("must be a number of seconds, not true/false")
    return value


Slug = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_slug)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_field_name)]
MapsTo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_maps_to)]
Origin = Annotated[str, StringConstraints(max_length=300), AfterValidator(_origin)]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
FillSeconds = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=MAX_FILL_SECONDS)]
FieldTypeValue = Literal["text", "phone", "email", "textarea", "number", "select", "checkbox", "hidden"]


class FormFieldSpec(Spec):
    name: FieldName
    label: Name
    type: FieldTypeValue
    required: bool | None = None
    maps_to: MapsTo | None = None
    options: Annotated[list[Option], Field(max_length=MAX_OPTIONS)] | None = None
    initial: ShortText | None = None
    placeholder: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    sort: Sort | None = None

    @model_validator(mode="after")
    def _options_for_select(self) -> FormFieldSpec:
        if self.type == FieldType.SELECT and not self.options:
            raise _fail("a select field needs options: a list of the choices")
        if self.type != FieldType.SELECT and self.options:
            raise _fail("options are only for a field of type select")
        return self


class FormSpec(Spec):
    slug: Slug
    name: Name
    source: Code | None = None
    is_active: bool | None = None
    success_message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                      max_length=2000)] | None = None
    allowed_origins: list[Origin] | None = None
    require_consent: bool | None = None
    consent_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=1000)] | None = None
    min_fill_seconds: FillSeconds | None = None
    fields: list[FormFieldSpec] | None = None



def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.slug, "slug", ctx)
    check_sources(entries, "source", ctx)
    lead_codes = set(CustomFieldDefinition.objects.filter(entity=Entity.LEAD).values_list("code", flat=True))
    for path, spec in entries:
        assert isinstance(spec, FormSpec)
        fields = [(f"{path}.fields[{i}]", field) for i, field in enumerate(spec.fields or [])]
        check_unique(fields, lambda field: field.name, "name", ctx)
        check_unique(fields, lambda field: field.maps_to if field.maps_to in SINGLE_TARGETS
                     or (field.maps_to or "").startswith("UF_") else None, "maps_to", ctx)
        for field_path, field in fields:
            if field.maps_to and field.maps_to.startswith("UF_") and field.maps_to not in lead_codes:
                ctx.error(f"{field_path}.maps_to", f"the lead has no custom field {field.maps_to}")


def _apply_source(form: WebForm, code: str | None) -> tuple[list[str], list[str]]:
    """(changed, exclude): set the form's source; a source that the file itself creates is not
    in the database during a dry run, so it is compared by code and left out of validation."""
    if code is None:
        return [], []
    current = form.source.code if form.source_id else None
    if current == code:
        return [], []
    source = Source.objects.filter(code=code).first()
    if source is None:
        return ["source"], ["source"]
    form.source = source
    return ["source"], []


def _apply_fields(form: WebForm, path: str, spec: FormSpec, ctx: SetupContext) -> list[str]:
    existing = {field.name: field for field in form.fields.all()} if form.pk else {}
    changes = []
    for index, field_spec in enumerate(spec.fields or []):
        field = existing.get(field_spec.name)
        created = field is None
        if field is None:
            field = FormField(form=form, name=field_spec.name)
        values = {
            "label": field_spec.label, "field_type": field_spec.type,
            "sort": field_spec.sort if field_spec.sort is not None else (index + 1) * 10,
            **field_spec.given("required", "maps_to", "options", "initial", "placeholder"),
        }
        changed = ctx.assign(field, values)
        if not (created or changed):
            continue
        if ctx.save(field, path=f"{path}.fields[{index}]", exclude=["form"]):
            changes.append(f"new field {field_spec.name}" if created
                           else f"field {field_spec.name}: {', '.join(changed)}")
    return changes


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, FormSpec)
        form = WebForm.objects.select_related("source").filter(slug=spec.slug).first()
        created = form is None
        if form is None:
            form = WebForm(slug=spec.slug)
        changed = ctx.assign(form, {"name": spec.name, **spec.given(
            "is_active", "success_message", "allowed_origins", "require_consent", "consent_text",
            "min_fill_seconds")})
        source_changed, exclude = _apply_source(form, spec.source)
        changed += source_changed
        if (created or changed) and not ctx.save(form, path=path, exclude=exclude):
            continue
        field_changes = _apply_fields(form, path, spec, ctx)
        if created:
            result.record(f"form {spec.slug}", created=True)
        else:
            result.record(f"form {spec.slug}", changed=changed + field_changes)
    return result


SECTION = Section(key="forms", schema=FormSpec, apply=apply, check=check)
