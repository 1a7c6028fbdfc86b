"""An import of a CSV/XLSX file: its settings, progress and report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    RUNNING = "running", _("идёт")
    DONE = "done", _("готово")
    FAILED = "failed", _("ошибка")


class ImportJob(models.Model):
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("файл"), max_length=255)
    file_path = models.CharField(_("путь к файлу"), max_length=1000, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    dry_run = models.BooleanField(_("пробный прогон"), default=False)
    mapping = models.JSONField(_("колонки (переопределение)"), default=dict, blank=True)
    source_code = models.CharField(_("источник по умолчанию"), max_length=50, blank=True)
    slow = models.BooleanField(_("по одной строке"), default=False,
                               help_text=_("Каждая строка через обычный приём обращений."))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ответственный"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    status = models.CharField(_("состояние"), max_length=16, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(_("строк"), default=0)
    processed = models.PositiveIntegerField(_("обработано"), default=0)
    created = models.PositiveIntegerField(_("создано"), default=0)
    skipped = models.PositiveIntegerField(_("пропущено"), default=0)
    failed = models.PositiveIntegerField(_("с ошибкой"), default=0)
    report = models.JSONField(_("отчёт"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with each progress save: a running job silent for long lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("импорт")
        verbose_name_plural = _("импорты")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
