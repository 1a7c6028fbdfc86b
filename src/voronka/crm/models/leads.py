"""Leads: unprocessed inbound requests."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.base import (
    CustomFieldsMixin,
    Semantics,
    TimestampedMixin,
    TrackingFieldsMixin,
)
from voronka.crm.models.clients import Company, Contact
from voronka.crm.models.dictionaries import CloseReason, LeadStatus, Source


class Lead(TimestampedMixin, TrackingFieldsMixin, CustomFieldsMixin):
    title = models.CharField(_("название"), max_length=255)
    status = models.ForeignKey(LeadStatus, verbose_name=_("статус"), on_delete=models.PROTECT,
                               related_name="leads")
    name = models.CharField(_("имя"), max_length=100, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    second_name = models.CharField(_("отчество"), max_length=100, blank=True)
    post = models.CharField(_("должность"), max_length=200, blank=True)
    company_title = models.CharField(_("название компании"), max_length=255, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("источник"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="leads")
    source_description = models.CharField(_("описание источника"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственный"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="leads",
    )
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2, null=True,
                                 blank=True, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    comments = models.TextField(_("комментарий"), blank=True)
    is_repeat = models.BooleanField(_("повторный"), default=False)
    contact = models.ForeignKey(Contact, verbose_name=_("контакт"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="leads")
    company = models.ForeignKey(Company, verbose_name=_("компания"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="leads")
    junk_reason = models.ForeignKey(CloseReason, verbose_name=_("причина"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    junk_comment = models.CharField(_("комментарий к закрытию"), max_length=1000, blank=True)
    closed_at = models.DateTimeField(_("закрыт"), null=True, blank=True)
    sla_deadline = models.DateTimeField(_("срок первой реакции"), null=True, blank=True)
    first_handled_at = models.DateTimeField(_("первая реакция"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("лид")
        verbose_name_plural = _("лиды")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="lead_status_created"),
            models.Index(fields=["responsible", "-created_at"], name="lead_responsible_created"),
            models.Index(fields=["source", "created_at"], name="lead_source_created"),
            # Open leads are a few per cent of all leads: the inbox, the home screens and the
            # overdue list read them through these partial indexes (closed_at is set exactly
            # when a lead is converted or junked, and cleared when it is reopened).
            models.Index(fields=["-created_at", "-id"], condition=models.Q(closed_at__isnull=True),
                         name="lead_open_created"),
            models.Index(fields=["responsible", "-created_at"],
                         condition=models.Q(closed_at__isnull=True), name="lead_open_responsible"),
            models.Index(fields=["source", "-created_at"], condition=models.Q(closed_at__isnull=True),
                         name="lead_open_source"),
            models.Index(fields=["sla_deadline"],
                         condition=models.Q(closed_at__isnull=True, first_handled_at__isnull=True),
                         name="lead_unhandled_deadline"),
            # "only overdue" in the inbox: unhandled open leads, newest first
            models.Index(fields=["-created_at", "-id"],
                         condition=models.Q(closed_at__isnull=True, first_handled_at__isnull=True),
                         name="lead_unhandled_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def person_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.name, self.second_name) if p)

    @property
    def is_open(self) -> bool:
        return self.status.semantics == Semantics.PROCESS

    @property
    def is_converted(self) -> bool:
        return self.status.semantics == Semantics.SUCCESS
