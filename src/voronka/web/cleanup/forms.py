"""The mapping form of the status clean-up: a pipeline, and for each intermediate status where
its leads go. The form only collects the choices; `automation.cleanup.plan_parse` checks them,
exactly as it checks the CLI's --map, so both refuse the same things with the same words."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from voronka.automation import cleanup
from voronka.crm.models import Pipeline
from voronka.crm.services.deals import pipeline_default

FIELD_PREFIX = "map_"


class MappingForm(forms.Form):
    pipeline = forms.ChoiceField(label=_("Направление сделок"),
                                 help_text=_("Лиды уйдут в сделки на стадиях этого направления."))

    def __init__(self, data=None, *, counts: list[cleanup.StatusCount], initial=None) -> None:
        super().__init__(data, initial=initial)
        pipelines = list(Pipeline.objects.all())
        self.fields["pipeline"].choices = [(p.code, p.name) for p in pipelines]
        code = (data or initial or {}).get("pipeline") or (pipeline_default().code if pipelines else "")
        # An unknown code (a hand-made URL) shows no stages; plan_parse names the problem.
        self.pipeline = next((p for p in pipelines if p.code == code), None)
        self.fields["pipeline"].initial = code
        targets = [("", _("— не трогать —")), *cleanup.target_choices(self.pipeline)]
        self.lines = [line for line in counts if line.mappable]
        self.fixed_lines = [line for line in counts if not line.mappable]
        for line in self.lines:
            self.fields[FIELD_PREFIX + line.status.code] = forms.ChoiceField(
                label=line.status.name, choices=targets, required=False)
        self.plan: cleanup.Plan | None = None

    def rows(self) -> list[tuple[cleanup.StatusCount, forms.BoundField]]:
        return [(line, self[FIELD_PREFIX + line.status.code]) for line in self.lines]

    def mapping(self) -> dict[str, str]:
        return {line.status.code: self.cleaned_data[FIELD_PREFIX + line.status.code]
                for line in self.lines if self.cleaned_data.get(FIELD_PREFIX + line.status.code)}

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.plan = cleanup.plan_parse(self.mapping(), data.get("pipeline", ""))
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return data
