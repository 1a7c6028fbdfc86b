"""Definitions of custom (UF_*) fields per entity."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.base import Entity


class CustomFieldType(models.TextChoices):
    STRING = "string", _("Строка")
    NUMBER = "number", _("Число")
    MONEY = "money", _("Деньги")
    DATE = "date", _("Дата")
    LIST = "list", _("Список")
    BOOLEAN = "boolean", _("Да/нет")


class CustomFieldDefinition(models.Model):
    entity = models.CharField(_("сущность"), max_length=16, choices=Entity.choices)
    code = models.CharField(
        _("код"), max_length=50,
        validators=[RegexValidator(r"^UF_[A-Z0-9_]+$", _("Код вида UF_CRM_CAR_NUMBER."))],
    )
    label = models.CharField(_("название"), max_length=200)
    field_type = models.CharField(_("тип"), max_length=16, choices=CustomFieldType.choices)
    required = models.BooleanField(_("обязательное"), default=False)
    options = models.JSONField(
        _("варианты списка"), default=list, blank=True,
        help_text=_("Для типа «Список»: допустимые значения."),
    )
    sort = models.PositiveIntegerField(_("сортировка"), default=100)

    class Meta:
        ordering = ("entity", "sort", "id")
        verbose_name = _("пользовательское поле")
        verbose_name_plural = _("пользовательские поля")
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="custom_field_code_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    def clean(self) -> None:
        if self.field_type == CustomFieldType.LIST:
            if not isinstance(self.options, list) or not self.options or not all(
                isinstance(o, str) and o for o in self.options
            ):
                raise ValidationError({"options": _("Для списка нужны непустые варианты-строки.")})
        elif self.options:
            raise ValidationError({"options": _("Варианты задаются только для типа «Список».")})
