"""Inline edit of one lead field on its card: click → a small form → lead_update → swap back.

Plain fields get their form field from the model (so validation matches the database);
custom fields get one from their definition, and the service checks the value again.
Without JavaScript the same URL works as a plain form that redirects back to the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from voronka.crm.models import CustomFieldDefinition, CustomFieldType, Entity, Lead
from voronka.crm.services.leads import lead_update
from voronka.web.leads.queries import lead_for
from voronka.web.templatetags.voronka_web import money

# The fields a person edits on the card, in the order shown. The rest (UTM, tracking)
# is written by the intake and shown read-only.
EDITABLE = ("title", "name", "last_name", "second_name", "post", "company_title", "source",
            "source_description", "amount", "comments")
CUSTOM_PREFIX = "cf_"


@dataclass
class FieldRow:
    name: str
    label: str
    display: str
    form: forms.Form | None = None  # set while this field is being edited on a plain page


def _custom_definitions() -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(entity=Entity.LEAD))


def _display(lead: Lead, name: str, definition: CustomFieldDefinition | None = None) -> str:
    if definition is not None:
        value = lead.custom_fields.get(definition.code)
        if isinstance(value, bool):
            return _("да") if value else _("нет")
        if definition.field_type == CustomFieldType.MONEY and value not in (None, ""):
            return money(value)
        return "" if value is None else str(value)
    value = getattr(lead, name)
    if name == "amount":
        return money(value) if value is not None else ""
    return "" if value is None else str(value)


def field_rows(lead: Lead) -> list[FieldRow]:
    rows = [FieldRow(name, str(Lead._meta.get_field(name).verbose_name), _display(lead, name))
            for name in EDITABLE]
    rows += [FieldRow(CUSTOM_PREFIX + d.code, d.label, _display(lead, "", d))
             for d in _custom_definitions()]
    return rows


def _custom_formfield(definition: CustomFieldDefinition) -> forms.Field:
    kind = definition.field_type
    if kind == CustomFieldType.LIST:
        return forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in definition.options],
                                 required=False)
    if kind == CustomFieldType.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("1", _("да")), ("0", _("нет"))],
                                 required=False)
    if kind == CustomFieldType.DATE:
        return forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if kind in (CustomFieldType.NUMBER, CustomFieldType.MONEY):
        return forms.CharField(required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    return forms.CharField(required=False, max_length=2000)


def custom_definition(name: str) -> CustomFieldDefinition | None:
    if not name.startswith(CUSTOM_PREFIX):
        return None
    definition = CustomFieldDefinition.objects.filter(
        entity=Entity.LEAD, code=name.removeprefix(CUSTOM_PREFIX)).first()
    if definition is None:
        raise Http404
    return definition


def edit_form(lead: Lead, name: str, definition: CustomFieldDefinition | None,
              data=None) -> forms.Form:
    if definition is not None:
        field = _custom_formfield(definition)
        field.label = definition.label
        value = lead.custom_fields.get(definition.code, "")
        initial = {True: "1", False: "0"}.get(value, value) if isinstance(value, bool) else value
    else:
        field = Lead._meta.get_field(name).formfield()
        if name == "title":
            field.required = True
        initial = getattr(lead, f"{name}_id" if name == "source" else name)
    form = forms.Form(data, initial={"value": initial}, auto_id=f"edit-{name}-%s")
    form.fields["value"] = field
    return form


def _save(lead: Lead, name: str, definition: CustomFieldDefinition | None, value: Any,
          user) -> None:
    if definition is not None:
        lead_update(lead=lead, custom_fields={definition.code: value}, acting_user=user)
    else:
        lead_update(lead=lead, acting_user=user, **{name: value})


def field_edit(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """GET: the form (or, with ?view=1, the value); POST: save and show the value."""
    lead = lead_for(request.user, pk)
    if name not in EDITABLE and not name.startswith(CUSTOM_PREFIX):
        raise Http404
    definition = custom_definition(name)
    is_htmx = request.headers.get("HX-Request") == "true"
    form = None
    if request.method == "POST":
        form = edit_form(lead, name, definition, request.POST)
        if form.is_valid():
            try:
                _save(lead, name, definition, form.cleaned_data["value"], request.user)
            except ValidationError as error:
                for message in error.messages:  # flat, whether keyed by field or not
                    form.add_error("value", message)
            else:
                if not is_htmx:
                    return redirect(f"/leads/{lead.pk}/")
                lead = lead_for(request.user, pk)
                form = None
    elif request.GET.get("view") != "1":
        form = edit_form(lead, name, definition)
    if not is_htmx and form is not None:
        return redirect(f"/leads/{lead.pk}/?edit={name}#f-{name}") if request.method == "GET" \
            else _card_with_form(request, lead, name, form)
    row = next(r for r in field_rows(lead) if r.name == name)
    return render(request, "web/leads/_field.html", {"lead": lead, "row": row, "form": form})


def _card_with_form(request: HttpRequest, lead: Lead, name: str, form) -> HttpResponse:
    from voronka.web.leads.card import card_render  # the card imports this module too

    return card_render(request, lead, editing=(name, form))
