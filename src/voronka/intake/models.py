"""Inbound events (the raw store every channel writes first) and intake settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import Deal, Lead, Source


class Channel(models.TextChoices):
    CALL = "call", _("Звонок")
    EMAIL = "email", _("E-mail")
    FORM = "form", _("Веб-форма")
    API = "api", _("API")
    IMPORT = "import", _("Импорт")


class EventState(models.TextChoices):
    RECEIVED = "received", _("получено")
    PROCESSED = "processed", _("обработано")
    DUPLICATE = "duplicate", _("дубль")
    FAILED = "failed", _("ошибка")


class InboundEvent(models.Model):
    """A delivery as it arrived, committed before the sender is answered.

    `(provider, idempotency_key)` is unique: a repeated delivery finds the stored row and
    changes nothing. Processing never deletes an event; a failure leaves it `failed`, with
    the reason, for `voronka intake retry`.
    """

    channel = models.CharField(_("канал"), max_length=16, choices=Channel.choices)
    provider = models.CharField(_("провайдер"), max_length=32)
    connection = models.CharField(_("подключение"), max_length=64, blank=True)
    kind = models.CharField(_("вид события"), max_length=32, blank=True)
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=255)
    thread_key = models.CharField(
        _("ключ цепочки"), max_length=255, blank=True, db_index=True,
        help_text=_("Объединяет события одного звонка или одной переписки."),
    )
    payload = models.JSONField(_("данные"))
    received_at = models.DateTimeField(_("получено"), default=timezone.now)
    state = models.CharField(_("состояние"), max_length=16, choices=EventState.choices,
                             default=EventState.RECEIVED)
    error = models.TextField(_("ошибка"), blank=True)
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    processed_at = models.DateTimeField(_("обработано"), null=True, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="inbound_events")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="inbound_events")
    outcome = models.CharField(_("итог"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("входящее событие")
        verbose_name_plural = _("входящие события")
        constraints = [
            models.UniqueConstraint(fields=["provider", "idempotency_key"],
                                    name="inbound_event_idempotency")
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="inbound_state_received")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.idempotency_key} ({self.state})"


class TelephonyProvider(models.TextChoices):
    MANGO = "mango", "MANGO OFFICE"
    ZADARMA = "zadarma", "Zadarma"
    GENERIC = "generic", _("Другая АТС (универсальный вебхук)")


class TelephonyConnection(models.Model):
    provider = models.CharField(_("АТС"), max_length=16, choices=TelephonyProvider.choices)
    slug = models.SlugField(_("код подключения"), max_length=64, unique=True,
                            help_text=_("Часть адреса вебхука: /integrations/<АТС>/<код>/"))
    name = models.CharField(_("название"), max_length=200, blank=True)
    api_key = models.CharField(_("уникальный код АТС (API key)"), max_length=255, blank=True)
    salt = models.CharField(_("ключ для создания подписи (salt)"), max_length=255, blank=True)
    secret = models.CharField(_("секрет"), max_length=255, blank=True,
                              help_text=_("Zadarma: secret ключа API; универсальный вебхук: ключ HMAC."))
    create_leads = models.BooleanField(
        _("создавать лид и дело при входящих звонках"), default=True)
    only_unknown_numbers = models.BooleanField(
        _("лиды только для новых номеров"), default=True,
        help_text=_("Звонок известного клиента ложится делом на его лид, сделку или контакт."))
    set_source = models.BooleanField(
        _("указывать источник по номеру, на который звонили"), default=True)
    is_active = models.BooleanField(_("включено"), default=True)

    class Meta:
        verbose_name = _("подключение телефонии")
        verbose_name_plural = _("подключения телефонии")

    def __str__(self) -> str:
        return self.name or f"{self.get_provider_display()} {self.slug}"


class TrackedNumber(models.Model):
    """One of our telephone lines, mapped to the advertising source it is printed on."""

    number = models.CharField(_("номер (E.164)"), max_length=32, unique=True)
    source = models.ForeignKey(Source, verbose_name=_("источник"), on_delete=models.PROTECT,
                               related_name="tracked_numbers")
    campaign = models.CharField(_("кампания"), max_length=255, blank=True)
    description = models.CharField(_("где размещён"), max_length=255, blank=True)
    is_active = models.BooleanField(_("активен"), default=True)

    class Meta:
        verbose_name = _("номер колл-трекинга")
        verbose_name_plural = _("номера колл-трекинга")

    def __str__(self) -> str:
        return f"{self.number} → {self.source}"


def _default_working_days() -> list[int]:
    return [1, 2, 3, 4, 5]


class IntakeSettings(models.Model):
    """How requests are routed and assigned, and the working hours. One row (pk=1)."""

    activity_on_open_lead = models.BooleanField(
        _("обращение с открытым лидом — дело в этом лиде"), default=True)
    activity_on_open_deal = models.BooleanField(
        _("обращение с открытой сделкой — дело в этой сделке"), default=True)
    repeat_lead_for_known_client = models.BooleanField(
        _("известный клиент без открытых лидов и сделок — повторный лид"), default=True)
    assign_to_client_owner = models.BooleanField(
        _("известного клиента — его ответственному"), default=True)
    round_robin = models.BooleanField(_("распределять по очереди между менеджерами на смене"),
                                      default=True)
    default_responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственный по умолчанию"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+")
    round_robin_last = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         editable=False)
    time_zone = models.CharField(_("часовой пояс рабочего времени"), max_length=64,
                                 default="Europe/Moscow")
    working_days = models.JSONField(_("рабочие дни (1 — понедельник)"),
                                    default=_default_working_days)
    work_start = models.TimeField(_("начало рабочего дня"), default=dt.time(9, 0))
    work_end = models.TimeField(_("конец рабочего дня"), default=dt.time(18, 0))
    first_response_minutes = models.PositiveIntegerField(
        _("срок первой реакции по умолчанию, мин"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 14)])

    class Meta:
        verbose_name = _("настройки приёма обращений")
        verbose_name_plural = _("настройки приёма обращений")

    def __str__(self) -> str:
        return str(_("Настройки приёма обращений"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> IntakeSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class SlaRule(models.Model):
    """First-response deadline for leads of one source, in working minutes."""

    source = models.OneToOneField(Source, verbose_name=_("источник"), on_delete=models.CASCADE,
                                  related_name="sla_rule")
    first_response_minutes = models.PositiveIntegerField(
        _("срок первой реакции, мин"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("срок реакции")
        verbose_name_plural = _("сроки реакции")

    def __str__(self) -> str:
        return f"{self.source}: {self.first_response_minutes} мин"


class IdentityLock(models.Model):
    """A row per normalised phone/e-mail, locked while a request from it is routed.

    Two calls from one new number at the same moment must make one lead: each takes this
    row `FOR UPDATE` before looking for the client, so the second waits and then finds the
    lead the first created. (SQLite serialises writers anyway; PostgreSQL needs this.)
    """

    key = models.CharField(max_length=255, unique=True)

    class Meta:
        verbose_name = _("блокировка идентичности")
        verbose_name_plural = _("блокировки идентичности")

    def __str__(self) -> str:
        return self.key
