"""Forms of the report pages: the period and filters (GET), the builder's choice, saving a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import Role, User
from voronka.analytics.builder import (
    DEAL_DIMENSIONS,
    FACT_DIMENSIONS,
    LEAD_DIMENSIONS,
    MEASURES,
    builder_check,
    custom_dimensions,
    dimension_label,
    measure_label,
)
from voronka.analytics.periods import Period, period_parse, zone_parse
from voronka.analytics.scope import ReportFilters
from voronka.crm.models import Pipeline, Source
from voronka.web.reports.catalog import MODEL_LABELS
from voronka.web.reports.presets import DEFAULT_PRESET, PRESETS, preset_dates

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ZONES = ("Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
         "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
         "Asia/Magadan", "Asia/Kamchatka", "UTC")
REPEAT_CHOICES = [("all", _("новые и повторные")), ("new", _("только новые")),
                  ("repeat", _("только повторные"))]
FILTER_FIELDS = ("source", "campaign", "manager", "pipeline", "repeat")


def _zone_choices(*extra: str) -> list[tuple[str, str]]:
    zones = list(ZONES)
    zones += [z for z in extra if z and z not in zones]
    return [(z, z) for z in zones]


class ReportForm(forms.Form):
    """Period (dates or a preset) in a time zone, and the report filters. Always bound (GET):
    without parameters it is the current month in the user's time zone."""

    preset = forms.ChoiceField(label=_("Период"), required=False, choices=[("", "—"), *PRESETS.items()])
    date_from = forms.DateField(label=_("С"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("По"), required=False, widget=DATE_WIDGET)
    tz = forms.ChoiceField(label=_("Часовой пояс"), choices=())
    source = forms.ChoiceField(label=_("Источник"), required=False, choices=())
    campaign = forms.CharField(label=_("Кампания"), required=False, max_length=255)
    manager = forms.ChoiceField(label=_("Менеджер"), required=False, choices=())
    pipeline = forms.ChoiceField(label=_("Направление"), required=False, choices=())
    repeat = forms.ChoiceField(label=_("Клиенты"), required=False, choices=REPEAT_CHOICES)
    model = forms.ChoiceField(label=_("Модель"), required=False, choices=())

    def __init__(self, data, *, user: User, models: tuple[str, ...] = (), default_model: str | None = None,
                 model_label: str = "", with_filters: bool = True, **kwargs) -> None:
        data = data.copy()
        if not data.get("tz"):
            data["tz"] = user.time_zone or settings.TIME_ZONE
        if not data.get("preset") and not (data.get("date_from") or data.get("date_to")):
            data["preset"] = DEFAULT_PRESET
        if data.get("preset") in PRESETS:
            try:
                today = timezone.now().astimezone(zone_parse(data["tz"])).date()
            except ValidationError:
                today = timezone.localdate()
            first, last = preset_dates(data["preset"], today)
            data["date_from"], data["date_to"] = first.isoformat(), last.isoformat()
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["tz"].choices = _zone_choices(user.time_zone, settings.TIME_ZONE)
        self.fields["source"].choices = [("", _("все источники")), *Source.objects.order_by(
            "sort", "name").values_list("code", "name")]
        self.fields["pipeline"].choices = [("", _("все направления")), *Pipeline.objects.order_by(
            "sort", "name").values_list("code", "name")]
        if not with_filters:
            for name in FILTER_FIELDS:
                del self.fields[name]
        elif user.can_see_all:
            people = User.objects.filter(is_active=True).order_by("full_name", "username")
            self.fields["manager"].choices = [("", _("все менеджеры")),
                                              *((str(u.pk), u.display_name) for u in people)]
        else:
            del self.fields["manager"]
        if models:
            blank = [] if default_model else [("", _("все виды"))]
            self.fields["model"].choices = [*blank, *((m, MODEL_LABELS.get(m, m)) for m in models)]
            self.fields["model"].initial = default_model
            if model_label:
                self.fields["model"].label = model_label
        else:
            del self.fields["model"]

    @property
    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*FILTER_FIELDS, "model") if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is None and "date_from" not in self.errors:
            self.add_error("date_from", _("Укажите дату начала."))
        if date_to is None and "date_to" not in self.errors:
            self.add_error("date_to", _("Укажите дату конца."))
        if date_from and date_to and "tz" in data:
            try:
                data["period"] = period_parse(date_from, date_to, data["tz"])
            except ValidationError as exc:
                self.add_error("date_to", exc)
        return data

    def period(self) -> Period:
        return self.cleaned_data["period"]

    def filters(self) -> ReportFilters:
        return ReportFilters.from_mapping({name: self.cleaned_data.get(name) for name in FILTER_FIELDS
                                           if name in self.fields})

    def report_model(self) -> str | None:
        return self.cleaned_data.get("model") or None


class BuilderForm(ReportForm):
    dimensions = forms.MultipleChoiceField(
        label=_("Измерения (группировка)"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=(),
        help_text=_("Первое выбранное — подписи графика. Статус, UTM-метки и поля лида считаются по "
                    "лидам (только показатели лидов) и не сочетаются с направлением."))
    measures = forms.MultipleChoiceField(
        label=_("Показатели"), widget=forms.CheckboxSelectMultiple,
        choices=[(m, measure_label(m)) for m in MEASURES],
        error_messages={"required": _("Выберите хотя бы один показатель.")})

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # The list fields of leads are settings: read them on every request.
        self.fields["dimensions"].choices = [
            *((d, dimension_label(d)) for d in (*FACT_DIMENSIONS, *LEAD_DIMENSIONS, *DEAL_DIMENSIONS)),
            *custom_dimensions().items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "dimensions" in data and "measures" in data:
            try:
                builder_check(data["dimensions"], data["measures"])
            except ValidationError as exc:  # next to the field it is about
                self.add_error(None, exc)
        return data


class SaveForm(forms.Form):
    name = forms.CharField(label=_("Название отчёта"), max_length=200)
    shared_with_roles = forms.MultipleChoiceField(
        label=_("Показать также ролям"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Role.choices)
    pinned_to_dashboard = forms.BooleanField(label=_("Закрепить на панели показателей"), required=False)
