"""Deals: the sales that leads become, moving through the stages of a pipeline."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.base import (
    CustomFieldsMixin,
    Semantics,
    TimestampedMixin,
    TrackingFieldsMixin,
)
from voronka.crm.models.clients import Company, Contact
from voronka.crm.models.dictionaries import CloseReason, Pipeline, Source, Stage
from voronka.crm.models.leads import Lead


class Deal(TimestampedMixin, TrackingFieldsMixin, CustomFieldsMixin):
    title = models.CharField(_("название"), max_length=255)
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("направление"),
                                 on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, verbose_name=_("стадия"), on_delete=models.PROTECT,
                              related_name="deals")
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    contact = models.ForeignKey(Contact, verbose_name=_("контакт"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deals")
    company = models.ForeignKey(Company, verbose_name=_("компания"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deals")
    lead = models.ForeignKey(Lead, verbose_name=_("лид"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="deals")
    source = models.ForeignKey(Source, verbose_name=_("источник"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deals")
    source_description = models.CharField(_("описание источника"), max_length=500, blank=True)
    first_touch_source = models.ForeignKey(
        Source, verbose_name=_("первый источник клиента"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственный"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="deals",
    )
    upsell_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("менеджер допродажи"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    parent_deal = models.ForeignKey("self", verbose_name=_("материнская сделка"), null=True,
                                    blank=True, on_delete=models.SET_NULL,
                                    related_name="child_deals")
    is_repeat = models.BooleanField(_("повторная"), default=False)
    comments = models.TextField(_("комментарий"), blank=True)
    close_reason = models.ForeignKey(CloseReason, verbose_name=_("причина"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("дата закрытия"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("сделка")
        verbose_name_plural = _("сделки")
        indexes = [
            models.Index(fields=["stage", "-created_at"], name="deal_stage_created"),
            models.Index(fields=["responsible", "-created_at"], name="deal_responsible_created"),
            models.Index(fields=["source", "created_at"], name="deal_source_created"),
            models.Index(fields=["closed_on"], name="deal_closed_on"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.stage_id and self.pipeline_id and self.stage.pipeline_id != self.pipeline_id:
            raise ValidationError({"stage": _("Стадия не принадлежит выбранному направлению.")})

    @property
    def is_closed(self) -> bool:
        return self.stage.semantics != Semantics.PROCESS

    @property
    def is_won(self) -> bool:
        return self.stage.semantics == Semantics.SUCCESS
