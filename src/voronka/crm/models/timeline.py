"""The typed event log: one row per thing that happened to a lead, deal, contact or company.

Services write it; the UI timeline, the audit ("who changed what, when, from what to what"),
SLA and "time in stage" analytics read it. One event may concern several items at once
(a conversion touches the lead, the deal, the contact and the company).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.clients import Company, Contact
from voronka.crm.models.deals import Deal
from voronka.crm.models.leads import Lead


class EventKind(models.TextChoices):
    CREATED = "created", _("Создание")
    UPDATED = "updated", _("Изменение полей")
    CALL = "call", _("Звонок")
    EMAIL = "email", _("Письмо")
    FORM = "form", _("Заявка с формы")
    COMMENT = "comment", _("Комментарий")
    STATUS_CHANGED = "status_changed", _("Смена статуса")
    STAGE_CHANGED = "stage_changed", _("Смена стадии")
    CONVERTED = "converted", _("Конвертация")
    CLOSED = "closed", _("Закрытие")
    ASSIGNED = "assigned", _("Смена ответственного")
    SYSTEM = "system", _("Системное событие")
    ROBOT = "robot", _("Робот")
    TASK = "task", _("Дело")


class TimelineEvent(models.Model):
    kind = models.CharField(_("тип"), max_length=32, choices=EventKind.choices, db_index=True)
    created_at = models.DateTimeField(_("когда"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="events")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="events")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="events")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="events")
    call = models.ForeignKey("crm.Call", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="events")
    text = models.TextField(_("текст"), blank=True)
    payload = models.JSONField(_("данные"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="event_lead_time"),
            models.Index(fields=["deal", "-created_at"], name="event_deal_time"),
            models.Index(fields=["contact", "-created_at"], name="event_contact_time"),
            models.Index(fields=["company", "-created_at"], name="event_company_time"),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
