"""The deals list's filters: a GET form that narrows a visible-deals queryset."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import Deal, Pipeline, Semantics, Source, Stage

STATES = {
    "open": Semantics.PROCESS,
    "won": Semantics.SUCCESS,
    "lost": Semantics.FAILURE,
}


class StageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.pipeline.name}: {obj.name}"


class DealFilterForm(forms.Form):
    pipeline = forms.ModelChoiceField(Pipeline.objects.all(), required=False,
                                      label=_("Направление"), empty_label=_("Все"))
    stage = StageChoice(Stage.objects.select_related("pipeline"), required=False,
                        label=_("Стадия"), empty_label=_("Все"))
    state = forms.ChoiceField(required=False, label=_("Состояние"), choices=[
        ("", _("Все")), ("open", _("В работе")), ("won", _("Успешные")), ("lost", _("Проваленные")),
    ])
    responsible = forms.ModelChoiceField(get_user_model().objects.filter(is_active=True),
                                         required=False, label=_("Ответственный"),
                                         empty_label=_("Все"))
    source = forms.ModelChoiceField(Source.objects.all(), required=False, label=_("Источник"),
                                    empty_label=_("Все"))
    created_from = forms.DateField(required=False, label=_("Создана с"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label=_("по"),
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user.can_see_all:  # a manager sees only their own deals anyway
            del self.fields["responsible"]

    def narrow(self, deals: QuerySet[Deal]) -> QuerySet[Deal]:
        """The deals matching the valid filters; an invalid field is ignored (and shown)."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that validated
        exact = {name: data.get(name) for name in ("pipeline", "stage", "responsible", "source")}
        deals = deals.filter(**{name: value for name, value in exact.items() if value})
        if data.get("state") in STATES:
            deals = deals.filter(stage__semantics=STATES[data["state"]])
        # Days are the user's days: the middleware has activated their time zone.
        if data.get("created_from"):
            deals = deals.filter(created_at__gte=day_start(data["created_from"]))
        if data.get("created_to"):
            deals = deals.filter(created_at__lt=day_start(data["created_to"] + dt.timedelta(days=1)))
        return deals


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
