"""Users with a CRM role, and their API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Администратор")
    HEAD = "head", _("Руководитель отдела продаж")
    MANAGER = "manager", _("Менеджер")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Неизвестный часовой пояс: %(tz)s"), params={"tz": value})


class User(AbstractUser):
    full_name = models.CharField(_("ФИО"), max_length=200, blank=True)
    extension = models.CharField(
        _("внутренний номер"), max_length=20, blank=True, db_index=True,
        help_text=_("Внутренний номер АТС: по нему звонок связывается с сотрудником."),
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices, default=Role.MANAGER)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, default="Europe/Moscow",
        validators=[validate_time_zone],
    )
    absent_until = models.DateTimeField(
        _("отсутствует до"), null=True, blank=True,
        help_text=_("Отпуск или больничный: новые обращения ему не распределяются до этого времени."),
    )
    sees_all = models.BooleanField(
        _("видит все лиды и сделки"), default=False,
        help_text=_("Менеджер с этим правом видит чужие лиды и сделки."),
    )

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_crm_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def can_see_all(self) -> bool:
        """Head of sales and admins see every lead and deal; a manager only with `sees_all`."""
        return self.is_crm_admin or self.role == Role.HEAD or self.sees_all


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("название"), max_length=100, default="default")
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токены")

    def __str__(self) -> str:
        return f"{self.user.username}: {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
