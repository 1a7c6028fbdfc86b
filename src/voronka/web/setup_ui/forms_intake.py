"""Settings forms for the intake: telephony, mailboxes, working hours and routing, web forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.crm.models import CustomFieldDefinition, Entity
from voronka.intake.models import IntakeSettings, TelephonyConnection
from voronka.mail.models import Mailbox
from voronka.setup.sections.forms import SINGLE_TARGETS
from voronka.setup.sections.telephony import REQUIRED_SECRETS
from voronka.web.setup_ui.fields import (
    WEEKDAYS,
    LinesField,
    SecretFieldsMixin,
    SettingsForm,
    time_zone_choices,
)
from voronka.webforms.models import LEAD_TARGET_LABELS, LEAD_TARGETS, FormField, WebForm


class TelephonyForm(SecretFieldsMixin, SettingsForm):
    secret_fields = ("api_key", "salt", "secret")
    # The slug is part of the webhook URL pasted into the PBX; the provider decides the keys.
    locked_on_edit = ("provider", "slug")

    class Meta:
        model = TelephonyConnection
        fields = ("provider", "slug", "name", "api_key", "salt", "secret", "create_leads",
                  "only_unknown_numbers", "set_source", "is_active")
        help_texts = {
            "slug": _("Латиница, цифры, «-» и «_», например main. Часть адреса вебхука; "
                      "после сохранения не меняется."),
            "api_key": _("MANGO OFFICE: «Уникальный код вашей АТС» (Интеграции → API коннектор)."),
            "salt": _("MANGO OFFICE: «Ключ для создания подписи». Без него подключение не примет "
                      "ни одного события."),
            "create_leads": _("Выключите, если звонки нужны только в истории клиентов."),
        }

    def clean(self) -> dict:
        data = super().clean()
        provider = data.get("provider") or self.instance.provider
        stored = {name: getattr(self.instance, name) for name in self.secret_fields}
        for name in REQUIRED_SECRETS.get(provider, ()):
            if not (data.get(name) or "").strip() and not stored[name]:
                self.add_error(name, _("Обязательно для этой АТС: без ключа вебхуки не проверить."))
        return data


class MailboxForm(SecretFieldsMixin, SettingsForm):
    secret_fields = ("password",)

    class Meta:
        model = Mailbox
        fields = ("name", "source", "imap_enabled", "host", "port", "ssl", "username", "password",
                  "address", "folder", "is_active")
        help_texts = {
            "source": _("Письмо в этот ящик от нового клиента станет лидом с этим источником."),
            "host": _("Например imap.yandex.ru. Для Яндекса и Mail.ru нужен пароль приложения."),
            "port": _("993 для SSL, 143 без него."),
        }


class IntakeHoursForm(SettingsForm):
    working_days = forms.TypedMultipleChoiceField(
        label=_("рабочие дни"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("В нерабочее время часы SLA не идут."))

    class Meta:
        model = IntakeSettings
        fields = ("time_zone", "working_days", "work_start", "work_end", "first_response_minutes")
        widgets = {"work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        help_texts = {
            "first_response_minutes": _("Сколько рабочих минут даётся на первую реакцию, если для "
                                        "источника нет своего срока (раздел «Сроки реакции»)."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(label=self.fields["time_zone"].label,
                                                     choices=time_zone_choices())

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            self.add_error("work_end", _("Конец рабочего дня должен быть позже начала."))
        if "working_days" in data:
            data["working_days"] = sorted(data["working_days"])
        return data


class RoutingForm(SettingsForm):
    class Meta:
        model = IntakeSettings
        fields = ("activity_on_open_lead", "activity_on_open_deal", "repeat_lead_for_known_client",
                  "assign_to_client_owner", "round_robin", "default_responsible")
        help_texts = {
            "activity_on_open_lead": _("Повторный звонок или письмо по открытому лиду не создаёт "
                                       "новый лид, а ложится делом в его историю."),
            "repeat_lead_for_known_client": _("Иначе обращение ложится делом в карточку клиента."),
            "round_robin": _("Новые обращения по очереди получают менеджеры в рабочее время "
                             "(кроме отсутствующих)."),
            "default_responsible": _("Получает обращения, когда на смене никого нет."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_responsible"].queryset = User.objects.filter(is_active=True).order_by(
            "full_name", "username")


class WebFormForm(SettingsForm):
    locked_on_edit = ("slug",)
    allowed_origins = LinesField(
        label=_("сайты, где встроена форма"), required=False,
        help_text=_("По одному адресу в строке, например https://okna-plus.ru. С других сайтов "
                    "браузер заявку не отправит; своя страница формы работает всегда."))

    class Meta:
        model = WebForm
        fields = ("slug", "name", "source", "is_active", "success_message", "allowed_origins",
                  "require_consent", "consent_text", "min_fill_seconds")
        widgets = {"success_message": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"slug": _("Часть адреса формы /forms/<код>/ и кода для сайта; после "
                                "сохранения не меняется.")}


def maps_to_choices() -> list[tuple[str, str]]:
    custom = CustomFieldDefinition.objects.filter(entity=Entity.LEAD).values_list("code", "label")
    return [("", _("по типу поля / в комментарий")),
            *[(code, LEAD_TARGET_LABELS[code]) for code in LEAD_TARGETS],
            *[(code, f"{label} ({code})") for code, label in custom]]


class FormFieldForm(forms.ModelForm):
    options = LinesField(label=_("варианты"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                         help_text=_("Для списка: по одному в строке."))

    class Meta:
        model = FormField
        fields = ("sort", "name", "label", "field_type", "required", "maps_to", "options")
        widgets = {"sort": forms.NumberInput(attrs={"class": "input--narrow"})}

    def __init__(self, *args, maps_to_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["maps_to"] = forms.ChoiceField(label=self.fields["maps_to"].label,
                                                   choices=maps_to_choices, required=False)


class BaseFieldFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choices = maps_to_choices()  # one query for every row

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "maps_to_choices": self.choices}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"),
                         empty_permitted=True, use_required_attribute=False,
                         maps_to_choices=self.choices)
        self.add_fields(form, None)
        return form

    def clean(self) -> None:
        super().clean()
        # One form field at most fills the lead's name, title…; phones and e-mails may repeat.
        seen: dict[str, str] = {}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            target = form.cleaned_data.get("maps_to") or ""
            if target in SINGLE_TARGETS or target.startswith("UF_"):
                if target in seen:
                    form.add_error("maps_to", _("Это поле лида уже заполняет поле «%(other)s».")
                                   % {"other": seen[target]})
                seen[target] = form.cleaned_data.get("label", "")


FieldFormSet = forms.inlineformset_factory(WebForm, FormField, form=FormFieldForm, formset=BaseFieldFormSet,
                                           extra=1, can_delete=True)
