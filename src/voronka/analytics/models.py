"""Analytics tables: daily rollups (a cache of counts, rebuilt from CRM rows) and saved reports.

Nothing here is a source of truth: every RollupDay row can be recounted from leads and deals
(see rollups.py). The ids are plain integers, not foreign keys, so that deleting a user or
a source never has to wait for (or cascade into) the cache.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RollupDay(models.Model):
    """Counts of one local day (company time zone) for one combination of dimensions.

    Lead rows have pipeline_id NULL (a lead has no pipeline); deal rows always have one.
    """

    day = models.DateField(_("день"))
    source_id = models.IntegerField(null=True)
    campaign = models.CharField(max_length=255, blank=True)
    responsible_id = models.IntegerField(null=True)
    pipeline_id = models.IntegerField(null=True)
    is_repeat = models.BooleanField(default=False)
    leads = models.IntegerField(default=0)
    junk_leads = models.IntegerField(default=0)
    handled_leads = models.IntegerField(default=0)
    converted_leads = models.IntegerField(default=0)
    deals = models.IntegerField(default=0)
    won_deals = models.IntegerField(default=0)
    # Kopecks: integer sums are exact in every database.
    revenue_kop = models.BigIntegerField(default=0)
    new_customers = models.IntegerField(default=0)
    # Lead rows: leads handled after their SLA deadline (the unhandled ones depend on "now" and
    # are counted from LeadFact).
    sla_late = models.IntegerField(default=0)
    # Cohort (deal rows, keyed by the creation day of the deal's LEAD, with the deal's own
    # dimensions): deals of the leads created that day, how many of them are won, their revenue.
    cohort_deals = models.IntegerField(default=0)
    cohort_won = models.IntegerField(default=0)
    cohort_revenue_kop = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("сводка за день")
        verbose_name_plural = _("сводки за день")
        indexes = [models.Index(fields=["day", "source_id"], name="rollup_day_source")]

    def __str__(self) -> str:
        return f"{self.day}: {self.leads} / {self.won_deals}"


class LeadFact(models.Model):
    """One row per lead, keyed (like the rollups) by the local day the lead was created, and
    recounted with that day. The few columns the managers report and the event funnel need,
    with indexes that make event ranges and percentiles cheap."""

    day = models.DateField(_("день"))
    status_id = models.IntegerField()
    source_id = models.IntegerField(null=True)
    campaign = models.CharField(max_length=255, blank=True)
    responsible_id = models.IntegerField(null=True)
    is_repeat = models.BooleanField(default=False)
    handled_at = models.DateTimeField(null=True)
    # closed_at of a lead whose status means success, else NULL.
    converted_at = models.DateTimeField(null=True)
    sla_deadline = models.DateTimeField(null=True)
    # first_handled_at - created_at in microseconds, never negative; NULL when unhandled.
    response_us = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("факт лида")
        verbose_name_plural = _("факты лидов")
        indexes = [
            models.Index(fields=["day"], name="leadfact_day"),
            models.Index(fields=["status_id", "day"], name="leadfact_status_day"),
            models.Index(fields=["handled_at"], name="leadfact_handled"),
            models.Index(fields=["converted_at"], name="leadfact_converted"),
            models.Index(fields=["responsible_id", "response_us", "day"], name="leadfact_resp_response"),
            models.Index(fields=["response_us", "day"], name="leadfact_response"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.status_id}"


class RollupDirtyDay(models.Model):
    """A local day whose rollup rows must be recounted before the next report reads them."""

    day = models.DateField(_("день"), unique=True)

    class Meta:
        verbose_name = _("день к пересчёту")
        verbose_name_plural = _("дни к пересчёту")

    def __str__(self) -> str:
        return str(self.day)


class SavedReport(models.Model):
    """A report of the report builder: dimensions × measures over filters."""

    name = models.CharField(_("название"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("автор"),
                              on_delete=models.CASCADE, related_name="saved_reports")
    dimensions = models.JSONField(_("измерения"), default=list, blank=True)
    measures = models.JSONField(_("показатели"), default=list)
    filters = models.JSONField(_("фильтры"), default=dict, blank=True)
    shared_with_roles = models.JSONField(
        _("доступен ролям"), default=list, blank=True,
        help_text=_("Роли, которым отчёт виден кроме автора: admin, head, manager."),
    )
    pinned_to_dashboard = models.BooleanField(_("на рабочем столе"), default=False)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("сохранённый отчёт")
        verbose_name_plural = _("сохранённые отчёты")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name
