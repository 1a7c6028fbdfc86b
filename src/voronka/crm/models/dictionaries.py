"""Dictionaries (справочники): sources, lead statuses, pipelines and stages, reasons, rules."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.base import Entity, Semantics

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_:\-]*$",
    _("Код: заглавные латинские буквы, цифры, «_», «-» и «:»."),
)
color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Цвет в формате #RRGGBB."))


class Source(models.Model):
    """An advertising source (Bitrix24 SOURCE_ID): Авито, 2ГИС, Сайт, Звонок на номер …"""

    code = models.CharField(_("код"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("название"), max_length=200)
    sort = models.PositiveIntegerField(_("сортировка"), default=500)
    is_active = models.BooleanField(_("активен"), default=True)

    class Meta:
        ordering = ("sort", "name")
        verbose_name = _("источник")
        verbose_name_plural = _("источники")

    def __str__(self) -> str:
        return self.name


# The statuses the intake and the conversion rely on: never deprecated or deleted.
SYSTEM_STATUS_CODES = frozenset({"NEW", "CONVERTED", "JUNK"})


class LeadStatus(models.Model):
    code = models.CharField(_("код"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("название"), max_length=200)
    semantics = models.CharField(
        _("семантика"), max_length=16, choices=Semantics.choices, default=Semantics.PROCESS
    )
    color = models.CharField(_("цвет"), max_length=7, default="#39a8ef", validators=[color_validator])
    sort = models.PositiveIntegerField(_("сортировка"), default=100)
    deprecated = models.BooleanField(
        _("не использовать"), default=False,
        help_text=_("Устаревший статус: показывается серым, выбрать его нельзя."),
    )

    class Meta:
        ordering = ("sort", "id")
        verbose_name = _("статус лида")
        verbose_name_plural = _("статусы лидов")

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.semantics != Semantics.PROCESS

    @property
    def is_system(self) -> bool:
        return self.code in SYSTEM_STATUS_CODES


class Pipeline(models.Model):
    """A deal pipeline (направление, Bitrix24 category). The default one is «Главное»."""

    code = models.CharField(_("код"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("название"), max_length=200)
    sort = models.PositiveIntegerField(_("сортировка"), default=100)
    is_default = models.BooleanField(_("по умолчанию"), default=False)

    class Meta:
        ordering = ("sort", "id")
        verbose_name = _("направление")
        verbose_name_plural = _("направления")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True),
                name="one_default_pipeline",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def first_stage(self) -> Stage:
        stage = self.stages.filter(semantics=Semantics.PROCESS).order_by("sort", "id").first()
        if stage is None:
            raise ValidationError(_("В направлении «%(name)s» нет рабочих стадий."),
                                  params={"name": self.name})
        return stage


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.CharField(_("код"), max_length=50, validators=[code_validator])
    name = models.CharField(_("название"), max_length=200)
    semantics = models.CharField(
        _("семантика"), max_length=16, choices=Semantics.choices, default=Semantics.PROCESS
    )
    color = models.CharField(_("цвет"), max_length=7, default="#39a8ef", validators=[color_validator])
    sort = models.PositiveIntegerField(_("сортировка"), default=100)

    class Meta:
        ordering = ("pipeline", "sort", "id")
        verbose_name = _("стадия")
        verbose_name_plural = _("стадии")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="stage_code_per_pipeline")
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name}: {self.name}"


class CloseReason(models.Model):
    """Why a lead was junk or a deal was lost: a dictionary, so reports can group by it."""

    entity = models.CharField(_("для"), max_length=16, choices=[
        (Entity.LEAD, _("Лид")), (Entity.DEAL, _("Сделка"))])
    code = models.CharField(_("код"), max_length=50, validators=[code_validator])
    name = models.CharField(_("название"), max_length=200)
    sort = models.PositiveIntegerField(_("сортировка"), default=100)
    is_active = models.BooleanField(_("активна"), default=True)

    class Meta:
        ordering = ("entity", "sort", "id")
        verbose_name = _("причина закрытия")
        verbose_name_plural = _("причины закрытия")
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="close_reason_code_per_entity")
        ]

    def __str__(self) -> str:
        return self.name


class CrmSettings(models.Model):
    """Company-wide CRM rules. There is exactly one row (pk=1)."""

    amount_required = models.BooleanField(
        _("сумма сделки обязательна"), default=True,
        help_text=_("Без суммы не посчитать выручку по каналам."),
    )
    minimum_amount = models.DecimalField(
        _("минимальная сумма сделки"), max_digits=14, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    zero_becomes_one = models.BooleanField(
        _("нулевая сумма становится 1 ₽"), default=True,
        help_text=_("Для бесплатных работ: сделка с суммой 0 сохраняется с символической суммой 1 ₽."),
    )
    default_currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    simple_mode = models.BooleanField(
        _("простой режим (без лидов)"), default=False,
        help_text=_("Каждое новое обращение сразу становится контактом и сделкой на первой стадии "
                    "направления по умолчанию; раздел «Лиды» скрыт. Лид остаётся в базе "
                    "сконвертированным, чтобы отчёты по источникам работали."),
    )

    class Meta:
        verbose_name = _("настройки CRM")
        verbose_name_plural = _("настройки CRM")

    def __str__(self) -> str:
        return str(_("Настройки CRM"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def deal_amount_or_minimum(self, amount: Decimal | None) -> Decimal:
        """The amount to open a deal with when nobody named one: the company minimum, as the
        amount rule's own hint advises ("если сумма неизвестна, поставьте минимальную")."""
        return self.minimum_amount if amount is None else amount

    @classmethod
    def load(cls) -> CrmSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
