"""Field groups shared by several CRM entities."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Semantics(models.TextChoices):
    """What a lead status or a deal stage means: still working, success or failure."""

    PROCESS = "process", _("в работе")
    SUCCESS = "success", _("успех")
    FAILURE = "failure", _("провал")


class Entity(models.TextChoices):
    LEAD = "lead", _("Лид")
    DEAL = "deal", _("Сделка")
    CONTACT = "contact", _("Контакт")
    COMPANY = "company", _("Компания")


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
TRACKING_FIELDS = ("visit_id", "landing_page", "referrer", "tracked_number")


class TrackingFieldsMixin(models.Model):
    """Where a request came from: UTM tags and the tracking context of the visit or call."""

    utm_source = models.CharField("utm_source", max_length=255, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=255, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=255, blank=True)
    utm_content = models.CharField("utm_content", max_length=255, blank=True)
    utm_term = models.CharField("utm_term", max_length=255, blank=True)
    visit_id = models.CharField(_("ID визита"), max_length=64, blank=True)
    landing_page = models.URLField(_("страница входа"), max_length=2000, blank=True)
    referrer = models.URLField(_("реферер"), max_length=2000, blank=True)
    tracked_number = models.CharField(
        _("номер колл-трекинга"), max_length=32, blank=True,
        help_text=_("Наш номер, на который позвонил клиент (E.164)."),
    )

    class Meta:
        abstract = True

    def tracking_values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in (*UTM_FIELDS, *TRACKING_FIELDS)}


class CustomFieldsMixin(models.Model):
    """Values of UF_* fields, validated against CustomFieldDefinition by the services."""

    custom_fields = models.JSONField(_("пользовательские поля"), default=dict, blank=True)

    class Meta:
        abstract = True


class TimestampedMixin(models.Model):
    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        abstract = True
