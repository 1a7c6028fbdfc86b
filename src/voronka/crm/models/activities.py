"""Typed activities: calls and tasks (дела). The timeline points at them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.clients import Company, Contact
from voronka.crm.models.deals import Deal
from voronka.crm.models.leads import Lead


class CallDirection(models.TextChoices):
    INCOMING = "in", _("входящий")
    OUTGOING = "out", _("исходящий")
    INTERNAL = "internal", _("внутренний")


class Call(models.Model):
    """One telephone call (a PBX "entry"), built up from the provider's events."""

    provider = models.CharField(_("АТС"), max_length=32)
    external_id = models.CharField(_("ID звонка в АТС"), max_length=128)
    direction = models.CharField(_("направление"), max_length=8, choices=CallDirection.choices,
                                 default=CallDirection.INCOMING)
    client_number = models.CharField(_("номер клиента"), max_length=32, blank=True, db_index=True)
    line_number = models.CharField(_("наша линия"), max_length=32, blank=True)
    extension = models.CharField(_("внутренний номер"), max_length=20, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ответил"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    started_at = models.DateTimeField(_("начало"), default=timezone.now)
    answered_at = models.DateTimeField(_("ответ"), null=True, blank=True)
    ended_at = models.DateTimeField(_("конец"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("разговор, с"), default=0)
    is_missed = models.BooleanField(_("пропущенный"), default=False)
    is_finished = models.BooleanField(_("завершён"), default=False)
    result = models.CharField(_("результат"), max_length=64, blank=True)
    disconnect_reason = models.CharField(_("причина завершения"), max_length=64, blank=True)
    recording_url = models.URLField(_("запись"), max_length=2000, blank=True)
    recording_ref = models.CharField(_("ID записи"), max_length=255, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="calls")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="calls")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="calls")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="calls")
    created_lead = models.BooleanField(_("создал лид"), default=False)

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("звонки")
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="call_per_provider")
        ]
        indexes = [models.Index(fields=["-started_at"], name="call_started")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.client_number} {self.started_at:%d.%m %H:%M}"


class TaskKind(models.TextChoices):
    TASK = "task", _("Задача")
    CALL_BACK = "call_back", _("Перезвонить")
    MEETING = "meeting", _("Встреча")
    EMAIL = "email", _("Написать письмо")


class Task(models.Model):
    """A to-do for a person (дело), about a lead, deal, contact or company."""

    kind = models.CharField(_("вид"), max_length=16, choices=TaskKind.choices,
                            default=TaskKind.TASK)
    title = models.CharField(_("что сделать"), max_length=255)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ответственный"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="tasks")
    deadline = models.DateTimeField(_("срок"), null=True, blank=True, db_index=True)
    remind_at = models.DateTimeField(_("напомнить"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)
    done_at = models.DateTimeField(_("выполнено"), null=True, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="tasks")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="tasks")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tasks")
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("дело")
        verbose_name_plural = _("дела")
        indexes = [models.Index(fields=["responsible", "done_at", "deadline"], name="task_todo")]
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], condition=models.Q(call__isnull=False),
                                    name="one_task_kind_per_call")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
