"""The ad spend ledger: what each source and campaign cost, per day.

A row is one day of one campaign of one source from one origin. Re-importing a period
replaces that origin's rows for it (services.spend_replace), so nothing is counted twice;
a spend entered for a whole period is spread evenly over its days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    MANUAL = "manual", _("вручную")
    FILE = "file", _("файл CSV/XLSX")
    YANDEX_DIRECT = "yandex_direct", _("Яндекс.Директ")
    AVITO = "avito", _("Авито")


class SpendBatch(models.Model):
    """One entry, upload or connector sync: what it covered, and how it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("в очереди")
        RUNNING = "running", _("идёт")
        DONE = "done", _("готово")
        FAILED = "failed", _("ошибка")

    origin = models.CharField(_("откуда"), max_length=16, choices=Origin.choices)
    source = models.ForeignKey("crm.Source", verbose_name=_("источник"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField(_("с"))
    date_to = models.DateField(_("по"))
    status = models.CharField(_("состояние"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("готово, %"), default=0)
    rows = models.PositiveIntegerField(_("строк"), default=0)
    log = models.TextField(_("журнал"), blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    file_name = models.CharField(_("файл"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    finished_at = models.DateTimeField(_("закончен"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка расходов")
        verbose_name_plural = _("загрузки расходов")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_origin_display()} {self.date_from}…{self.date_to}"


class SpendRow(models.Model):
    day = models.DateField(_("день"))
    source = models.ForeignKey("crm.Source", verbose_name=_("источник"), on_delete=models.PROTECT,
                               related_name="spend_rows")
    campaign_id = models.CharField(_("ID кампании"), max_length=64, blank=True)
    campaign_name = models.CharField(_("кампания"), max_length=255, blank=True)
    # Always stored with VAT included (the ledger's one convention; see services).
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    clicks = models.PositiveIntegerField(_("клики"), default=0)
    impressions = models.PositiveIntegerField(_("показы"), default=0)
    origin = models.CharField(_("откуда"), max_length=16, choices=Origin.choices)
    batch = models.ForeignKey(SpendBatch, verbose_name=_("загрузка"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="spend_rows")

    class Meta:
        verbose_name = _("расход")
        verbose_name_plural = _("расходы")
        indexes = [models.Index(fields=["day", "source"], name="spend_day_source"),
                   models.Index(fields=["origin", "source", "day"], name="spend_origin_period")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0),
                                              name="spend_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.day} {self.source_id} {self.campaign_name or '—'}: {self.amount}"
