"""Forms of the spend pages: filters, a manual entry, a file upload."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import Source
from voronka.intake.imports.validation import amount_parse
from voronka.spend.services import MAX_PERIOD_DAYS
from voronka.web.imports.uploads import ALLOWED_SUFFIXES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _sources():
    return Source.objects.filter(is_active=True).order_by("sort", "name")


class FilterForm(forms.Form):
    date_from = forms.DateField(label=_("С"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("По"), required=False, widget=DATE_WIDGET)
    source = forms.ModelChoiceField(label=_("Источник"), required=False, queryset=Source.objects.none(),
                                    empty_label=_("все источники"), to_field_name="code")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _sources()

    def period(self):
        """The chosen period; by default the current month up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return (data.get("date_from") or today.replace(day=1), data.get("date_to") or today,
                data.get("source"))


class EntryForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Источник"), queryset=Source.objects.none(),
                                    empty_label=_("— выберите —"))
    campaign_name = forms.CharField(label=_("Кампания"), required=False, max_length=255)
    day = forms.DateField(label=_("День"), required=False, widget=DATE_WIDGET,
                          help_text=_("Или укажите период «с» и «по»: сумма распределится по дням поровну."))
    date_from = forms.DateField(label=_("Период с"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Период по"), required=False, widget=DATE_WIDGET)
    amount = forms.CharField(label=_("Сумма, ₽"), max_length=40,
                             help_text=_("Например: 12 500 или 12500,50."))
    has_vat = forms.BooleanField(label=_("Сумма с НДС"), required=False, initial=True)
    clicks = forms.IntegerField(label=_("Клики"), required=False, min_value=0, initial=0)
    impressions = forms.IntegerField(label=_("Показы"), required=False, min_value=0, initial=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _sources()

    def clean_amount(self) -> Decimal:
        amount = amount_parse(self.cleaned_data["amount"])
        if amount is None:
            raise forms.ValidationError(_("Введите сумму в рублях, не меньше нуля."))
        return amount

    def clean(self) -> dict:
        data = super().clean()
        day, date_from, date_to = data.get("day"), data.get("date_from"), data.get("date_to")
        if day and (date_from or date_to):
            self.add_error("day", _("Укажите либо день, либо период, но не то и другое."))
        elif day:
            data["date_from"] = data["date_to"] = day
        elif date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("Дата «по» раньше даты «с»."))
            elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Период длиннее двух лет."))
        elif date_from or date_to:
            self.add_error("date_to" if date_from else "date_from", _("Укажите обе даты периода."))
        elif "day" not in self.errors:
            self.add_error("day", _("Укажите день или период."))
        data["clicks"] = data.get("clicks") or 0
        data["impressions"] = data.get("impressions") or 0
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Файл CSV или XLSX"),
                           help_text=_("Колонки: Дата (или С и По), Источник, Кампания, Сумма, Клики, "
                                       "Показы. CSV в UTF-8 или windows-1251, любой разделитель."))
    source = forms.ModelChoiceField(label=_("Источник для строк без источника"), required=False,
                                    queryset=Source.objects.none(), empty_label=_("— нет —"))
    has_vat = forms.BooleanField(label=_("Суммы в файле с НДС"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _sources()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Нужен файл .csv или .xlsx."))
        return upload
