"""Users and roles: create with a password (Django's password validation), edit, deactivate."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import Role, User
from voronka.web.setup_ui.fields import SettingsForm, time_zone_choices

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class UserForm(SettingsForm):
    """Edit an employee. A new one also gets a password; an existing one may get a new one."""

    locked_on_edit = ("username",)
    password1 = forms.CharField(label=_("пароль"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("пароль ещё раз"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ("username", "full_name", "email", "role", "extension", "time_zone", "absent_until",
                  "sees_all", "is_active")
        widgets = {"absent_until": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                       format=DATETIME_LOCAL)}
        help_texts = {
            "username": _("Логин для входа: латиница, цифры и @ . + - _. После создания не меняется."),
            "role": _("Администратор настраивает CRM; руководитель видит все лиды и сделки; "
                      "менеджер — только свои."),
            "extension": _("Внутренний номер АТС: по нему звонок связывается с сотрудником "
                           "(карта добавочных в настройках телефонии)."),
            "time_zone": _("Даты и время сотрудник видит в своём поясе."),
            "is_active": _("Снимите, чтобы закрыть доступ уволенному: пользователь не удаляется, "
                           "его лиды и история остаются."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label, choices=time_zone_choices(),
            help_text=self.fields["time_zone"].help_text, initial="Europe/Moscow")
        self.fields["absent_until"].input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
        self.fields["full_name"].required = True
        creating = self.instance.pk is None
        self.fields["password1"].required = creating
        self.fields["password2"].required = creating
        self.fields["password1"].help_text = password_validators_help_text_html() if creating else _(
            "Заполните, только чтобы задать новый пароль.")
        if creating:
            del self.fields["is_active"]

    def clean_extension(self) -> str:
        extension = self.cleaned_data["extension"].strip()
        # The extension links a call to one employee: two active people must not share it.
        clash = User.objects.filter(extension=extension, is_active=True).exclude(pk=self.instance.pk)
        if extension and clash.exists():
            raise forms.ValidationError(_("Этот внутренний номер уже у сотрудника «%(name)s».")
                                        % {"name": clash.first().display_name})
        return extension

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk and self.instance.pk == getattr(self.acting_user, "pk", None):
            # An admin locking themself out would leave the CRM without anyone to fix it.
            if data.get("is_active") is False:
                self.add_error("is_active", _("Нельзя отключить самого себя."))
            if data.get("role") and data["role"] != Role.ADMIN:
                self.add_error("role", _("Нельзя снять роль администратора с самого себя."))
        first, second = data.get("password1"), data.get("password2")
        if first or second:
            if first != second:
                self.add_error("password2", _("Пароли не совпадают."))
            else:
                try:
                    probe = User(username=data.get("username") or self.instance.username,
                                 email=data.get("email") or "")
                    validate_password(first, probe)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if "role" in self.changed_data:
            # Admins get Django's admin site too, as `voronka setup apply` grants it.
            user.is_staff = user.is_superuser = user.role == Role.ADMIN
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user
