"""The upload form and the column-mapping form of an import."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.crm.models import Source
from voronka.intake.imports.mapping import FIELDS, IGNORE, mapping_build, mapping_guess
from voronka.web.imports.report import FIELD_LABELS
from voronka.web.imports.uploads import ALLOWED_SUFFIXES


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Файл CSV или XLSX"),
                           help_text=_("Первая строка — заголовки колонок. CSV в UTF-8 или windows-1251, "
                                       "любой разделитель; XLSX — первый лист."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Нужен файл .csv или .xlsx."))
        return upload


class MappingForm(forms.Form):
    """A target per column (guessed from its header), plus the defaults for every row."""

    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        guessed = mapping_guess(headers)
        choices = [(IGNORE, _("— не загружать —")), *[(f, FIELD_LABELS[f]) for f in FIELDS]]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(label=header, choices=choices,
                                                            initial=guessed.get(header, IGNORE))
        self.fields["source_code"] = forms.ChoiceField(
            label=_("Источник для строк без источника"), required=False,
            choices=[("", _("«Другое» (как у импорта по умолчанию)")),
                     *Source.objects.filter(is_active=True).values_list("code", "name")])
        self.fields["responsible"] = forms.ModelChoiceField(
            label=_("Ответственный за все новые лиды"), required=False,
            queryset=User.objects.filter(is_active=True).order_by("full_name", "username"),
            empty_label=_("по очереди, как при обычном приёме"))

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(len(self.headers))]

    def clean(self) -> dict:
        data = super().clean()
        override = {header: data.get(f"col_{i}", IGNORE) for i, header in enumerate(self.headers)}
        first: dict[str, str] = {}
        for index, (header, target) in enumerate(override.items()):
            # Several phone and e-mail columns are fine; any other field comes from one column.
            if target in (IGNORE, "phone", "email"):
                continue
            if target in first:
                self.add_error(f"col_{index}", _("Поле «%(field)s» уже выбрано для колонки «%(other)s».")
                               % {"field": FIELD_LABELS[target], "other": first[target]})
            first.setdefault(target, header)
        try:
            columns = mapping_build(self.headers, override)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not any(f in ("phone", "email") for f in columns.values()):
            raise forms.ValidationError(_("Выберите хотя бы одну колонку с телефоном или e-mail: "
                                          "по ним ищутся дубли и клиенты."))
        data["mapping"] = override
        return data
