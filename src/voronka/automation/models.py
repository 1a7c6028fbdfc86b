"""Robots (rules on a lead status or a deal stage), their runs, SLA breaches, notifications.

A robot is data: a trigger, a condition tree and a list of actions, all validated by
`voronka.automation.rules` before they are saved. A run is one firing of one robot on one
item; its state is the engine's bookkeeping (scheduled → queued → done | failed | cancelled
| refused), so a run is executed at most once even when its task is delivered twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import Deal, Lead, LeadStatus, Stage


class Trigger(models.TextChoices):
    ENTERED = "entered", _("Попадание в статус или стадию")
    STAYED = "stayed", _("Прошло время в статусе или стадии")
    CALL_IN = "call_in", _("Входящий звонок")
    EMAIL_IN = "email_in", _("Входящее письмо")
    FORM = "form", _("Заполнена веб-форма")
    FIELD_CHANGED = "field_changed", _("Изменено поле")
    SLA_BREACHED = "sla_breached", _("Просрочена первая реакция")


class RobotEntity(models.TextChoices):
    LEAD = "lead", _("Лид")
    DEAL = "deal", _("Сделка")


class Robot(models.Model):
    name = models.CharField(_("название"), max_length=200)
    entity = models.CharField(_("для чего"), max_length=8, choices=RobotEntity.choices)
    status = models.ForeignKey(LeadStatus, verbose_name=_("статус лида"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="robots")
    stage = models.ForeignKey(Stage, verbose_name=_("стадия сделки"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="robots")
    trigger = models.CharField(_("когда"), max_length=16, choices=Trigger.choices,
                               default=Trigger.ENTERED)
    trigger_field = models.CharField(
        _("поле"), max_length=64, blank=True,
        help_text=_("Для условия «Изменено поле»: какое поле (пусто — любое)."))
    conditions = models.JSONField(_("условия"), default=dict, blank=True)
    actions = models.JSONField(_("действия"), default=list)
    delay_minutes = models.PositiveIntegerField(
        _("задержка, минут"), default=0,
        help_text=_("0 — сразу. Отложенный робот отменяется, если элемент ушёл из статуса."))
    at_time = models.TimeField(
        _("в момент"), null=True, blank=True,
        help_text=_("Выполнить в ближайшее указанное время (после задержки), по часовому "
                    "поясу компании."))
    is_active = models.BooleanField(_("включён"), default=True)
    is_system = models.BooleanField(
        _("системный"), default=False,
        help_text=_("Поставлен инструментом очистки статусов; удаляется вместе со статусом."))
    sort = models.PositiveIntegerField(_("порядок"), default=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("робот")
        verbose_name_plural = _("роботы")
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(entity="lead", status__isnull=False, stage__isnull=True)
                           | models.Q(entity="deal", stage__isnull=False, status__isnull=True)),
                name="robot_attached_to_status_or_stage"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self):
        """The status or stage the robot is attached to."""
        return self.status if self.entity == RobotEntity.LEAD else self.stage

    def clean(self) -> None:
        from voronka.automation.rules import robot_rules_check

        if self.entity == RobotEntity.LEAD and self.status_id is None:
            raise ValidationError({"status": _("Выберите статус лида.")})
        if self.entity == RobotEntity.DEAL and self.stage_id is None:
            raise ValidationError({"stage": _("Выберите стадию сделки.")})
        if self.trigger == Trigger.STAYED and not self.delay_minutes and self.at_time is None:
            raise ValidationError({"delay_minutes": _(
                "Для «Прошло время в статусе» укажите, сколько минут ждать.")})
        robot_rules_check(self)


class RunState(models.TextChoices):
    SCHEDULED = "scheduled", _("Ждёт своего времени")
    QUEUED = "queued", _("В очереди")
    DONE = "done", _("Выполнен")
    FAILED = "failed", _("Ошибка")
    CANCELLED = "cancelled", _("Отменён")
    REFUSED = "refused", _("Не запущен")


OPEN_RUN_STATES = (RunState.SCHEDULED, RunState.QUEUED)


class RobotRun(models.Model):
    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="runs")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="robot_runs")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="robot_runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    due_at = models.DateTimeField(default=timezone.now)
    depth = models.PositiveSmallIntegerField(
        default=0, help_text="How many robot runs led to this one (loop protection).")
    context = models.JSONField(default=dict, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the run sends outside the database, delivered after it commits (automation.effects).
    effects = models.JSONField(default=list, blank=True)
    effects_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pending effects are due, or until when a "
                                         "worker delivering them holds them.")

    class Meta:
        verbose_name = _("запуск робота")
        verbose_name_plural = _("запуски роботов")
        indexes = [
            models.Index(fields=["state", "due_at"], name="robotrun_due",
                         condition=models.Q(state__in=["scheduled", "queued"])),
            models.Index(fields=["effects_due_at"], name="robotrun_effects_due",
                         condition=models.Q(effects_due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.robot} #{self.pk} ({self.state})"

    @property
    def item(self):
        return self.lead if self.lead_id else self.deal


class SlaBreach(models.Model):
    """A lead whose first-response deadline passed unhandled; escalated once."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="sla_breach")
    deadline = models.DateTimeField()
    noticed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("просрочка первой реакции")
        verbose_name_plural = _("просрочки первой реакции")

    def __str__(self) -> str:
        return f"{self.lead_id} @ {self.deadline:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message for one user in the app (the bell), optionally also sent by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    text = models.CharField(_("текст"), max_length=1000)
    link = models.CharField(_("ссылка"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("когда"), default=timezone.now)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)
    wants_email = models.BooleanField(_("отправить на почту"), default=False)
    emailed_at = models.DateTimeField(_("отправлено на почту"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text


class CleanupState(models.TextChoices):
    QUEUED = "queued", _("Ждёт запуска")
    RUNNING = "running", _("Идёт")
    INTERRUPTED = "interrupted", _("Прервана")
    DONE = "done", _("Завершена")


class StatusCleanupJob(models.Model):
    """One run of the lead-status clean-up (seed 002): which status goes where, and how far it got.

    The counters are written in the same transaction as each batch, so after an interruption
    they say exactly what is done; resuming picks up the leads still in the mapped statuses.
    """

    pipeline = models.ForeignKey("crm.Pipeline", verbose_name=_("направление"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    mapping = models.JSONField(_("куда переносить"), default=dict,
                               help_text="status code → target spec (see automation.cleanup)")
    batch_size = models.PositiveIntegerField(_("лидов в пачке"), default=500)
    state = models.CharField(_("состояние"), max_length=12, choices=CleanupState.choices,
                             default=CleanupState.QUEUED)
    total = models.PositiveIntegerField(_("всего лидов"), default=0)
    converted = models.PositiveIntegerField(_("сконвертировано в сделки"), default=0)
    moved = models.PositiveIntegerField(_("переведено в статус"), default=0)
    junked = models.PositiveIntegerField(_("закрыто как некачественные"), default=0)
    failed = models.PositiveIntegerField(_("не перенесено"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True)
    error = models.TextField(_("причина остановки"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    started_at = models.DateTimeField(_("начата"), null=True, blank=True)
    updated_at = models.DateTimeField(_("обновлена"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("очистка статусов лидов")
        verbose_name_plural = _("очистки статусов лидов")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.state})"

    @property
    def processed(self) -> int:
        return self.converted + self.moved + self.junked

    @property
    def percent(self) -> int:
        if self.state == CleanupState.DONE or not self.total:
            return 100 if self.state == CleanupState.DONE else 0
        return min(100, round(100 * (self.processed + self.failed) / self.total))
