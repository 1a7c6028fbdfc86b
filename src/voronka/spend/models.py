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
    connector = models.ForeignKey("spend.SpendConnector", verbose_name=_("подключение"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="batches")
    dry_run = models.BooleanField(_("только проверка"), default=False)
    file_path = models.CharField(_("путь к файлу"), max_length=500, blank=True)
    report = models.JSONField(_("отчёт по строкам"), default=dict, blank=True)

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


class ConnectorKind(models.TextChoices):
    YANDEX_DIRECT = "yandex_direct", _("Яндекс.Директ")
    AVITO = "avito", _("Авито")


DEFAULT_BASE_URLS = {ConnectorKind.YANDEX_DIRECT: "https://api.direct.yandex.com",
                     ConnectorKind.AVITO: "https://api.avito.ru"}


class SpendConnector(models.Model):
    """An advertising account whose spend is fetched on a schedule (and on demand).

    Secrets may be stored as they are or given as `${ENV_VAR}` (read at sync time).
    """

    slug = models.SlugField(_("код"), max_length=64, unique=True)
    name = models.CharField(_("название"), max_length=200, blank=True)
    kind = models.CharField(_("сервис"), max_length=16, choices=ConnectorKind.choices)
    source = models.ForeignKey("crm.Source", verbose_name=_("источник"), on_delete=models.PROTECT,
                               related_name="+")
    base_url = models.URLField(_("адрес API"), blank=True,
                               help_text=_("Пусто — адрес по умолчанию для сервиса."))
    token = models.CharField(_("OAuth-токен"), max_length=500, blank=True,
                             help_text=_("Яндекс.Директ. Можно «${ИМЯ_ПЕРЕМЕННОЙ}»."))
    client_login = models.CharField(_("логин клиента (Client-Login)"), max_length=200, blank=True)
    client_id = models.CharField(_("client_id"), max_length=255, blank=True)
    client_secret = models.CharField(_("client_secret"), max_length=500, blank=True)
    account_id = models.CharField(_("номер профиля (user_id)"), max_length=64, blank=True,
                                  help_text=_("Авито: номер профиля для статистики и звонков."))
    include_vat = models.BooleanField(
        _("запрашивать суммы с НДС"), default=True,
        help_text=_("Иначе суммы без НДС пересчитываются в суммы с НДС при загрузке."))
    import_calls = models.BooleanField(_("загружать звонки (Авито)"), default=True)
    days_back = models.PositiveSmallIntegerField(_("сколько последних дней обновлять"), default=7)
    interval_hours = models.PositiveSmallIntegerField(_("интервал синхронизации, ч"), default=24)
    enabled = models.BooleanField(_("включено"), default=True)
    last_sync_at = models.DateTimeField(_("последняя синхронизация"), null=True, blank=True)
    last_status = models.CharField(_("итог последней синхронизации"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("подключение рекламного кабинета")
        verbose_name_plural = _("подключения рекламных кабинетов")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.slug}"

    @property
    def api_base(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS[ConnectorKind(self.kind)]).rstrip("/")
