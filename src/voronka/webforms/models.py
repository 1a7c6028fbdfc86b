"""Public web forms (seed 003: a site's request form becomes a lead with its UTM) and UTM rules."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import UTM_FIELDS, CustomFieldDefinition, Entity, Source

FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CUSTOM_FIELD_RE = re.compile(r"^UF_[A-Z0-9_]+$")
# Names the form machinery itself posts; a field of the form may not take them.
RESERVED_FIELD_NAMES = frozenset({
    "submission_id", "consent", "visit_id", "landing_page", "referrer", *UTM_FIELDS,
})
# Lead fields a form field may fill (besides a custom field UF_…).
LEAD_TARGETS = ("name", "last_name", "company_title", "title", "comments", "phone", "email")
LEAD_TARGET_LABELS = {
    "name": _("Имя"), "last_name": _("Фамилия"), "company_title": _("Название компании"),
    "title": _("Название лида"), "comments": _("Комментарий"), "phone": _("Телефон"),
    "email": _("E-mail"),
}
MAX_FILL_SECONDS = 3600
MAX_OPTIONS = 100

DEFAULT_SUCCESS_MESSAGE = "Спасибо! Заявка принята, мы свяжемся с вами в ближайшее время."
DEFAULT_CONSENT_TEXT = "Я согласен на обработку персональных данных"


def origin_normalize(value: object) -> str | None:
    """`https://Example.ru:443/` → `https://example.ru`: an origin as browsers send it, or None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        return f"{parts.scheme}://{host}:{port}"
    return f"{parts.scheme}://{host}"


def field_name_problem(name: str) -> str | None:
    if not FIELD_NAME_RE.match(name or "") or len(name) > 64:
        return str(_("Код поля: латинские строчные буквы, цифры и «_», начиная с буквы."))
    if name in RESERVED_FIELD_NAMES:
        return str(_("Имя «%(name)s» зарезервировано формой; выберите другое.") % {"name": name})
    return None


def maps_to_problem(value: str) -> str | None:
    """Why `value` is not a lead field or an existing lead custom field (None if it is fine)."""
    if not value or value in LEAD_TARGETS:
        return None
    if not CUSTOM_FIELD_RE.match(value):
        return str(_("Укажите поле лида (%(targets)s) или код пользовательского поля UF_…")
                   % {"targets": ", ".join(LEAD_TARGETS)})
    if not CustomFieldDefinition.objects.filter(entity=Entity.LEAD, code=value).exists():
        return str(_("У лида нет пользовательского поля %(code)s.") % {"code": value})
    return None


def utm_value_normalize(value: object) -> str:
    """UTM values compare case-insensitively and without surrounding blanks."""
    return value.strip().casefold() if isinstance(value, str) else ""


class FieldType(models.TextChoices):
    TEXT = "text", _("Строка")
    PHONE = "phone", _("Телефон")
    EMAIL = "email", _("E-mail")
    TEXTAREA = "textarea", _("Текст")
    NUMBER = "number", _("Число")
    SELECT = "select", _("Список")
    CHECKBOX = "checkbox", _("Флажок")
    HIDDEN = "hidden", _("Скрытое")


def _empty_list() -> list:
    return []


class WebForm(models.Model):
    slug = models.SlugField(_("код формы"), max_length=64, unique=True,
                            help_text=_("Часть адреса формы: /forms/<код>/"))
    name = models.CharField(_("название"), max_length=200)
    source = models.ForeignKey(
        Source, verbose_name=_("источник"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="web_forms",
        help_text=_("Если UTM-метки заявки не совпали ни с одним правилом. Пусто — «CRM-форма»."))
    is_active = models.BooleanField(_("принимает заявки"), default=True)
    success_message = models.TextField(_("сообщение после отправки"),
                                       default=DEFAULT_SUCCESS_MESSAGE)
    allowed_origins = models.JSONField(
        _("сайты, где встроена форма"), default=_empty_list, blank=True,
        help_text=_("Список адресов вида https://example.ru (CORS). Форма на своей странице "
                    "/forms/<код>/ работает всегда."))
    require_consent = models.BooleanField(_("нужно согласие на обработку данных"), default=True)
    consent_text = models.CharField(_("текст согласия"), max_length=1000, blank=True,
                                    default=DEFAULT_CONSENT_TEXT)
    min_fill_seconds = models.PositiveIntegerField(
        _("минимальное время заполнения, с"), default=3, validators=[MaxValueValidator(MAX_FILL_SECONDS)],
        help_text=_("Заявка, отправленная быстрее, считается ботом. 0 — не проверять."))
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("веб-форма")
        verbose_name_plural = _("веб-формы")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.allowed_origins, list):
            raise ValidationError({"allowed_origins": _("Ожидается список адресов сайтов.")})
        normalized = []
        for value in self.allowed_origins:
            origin = origin_normalize(value)
            if origin is None:
                raise ValidationError({"allowed_origins": _(
                    "«%(value)s» — не адрес сайта; пишите так: https://example.ru") % {"value": value}})
            if origin not in normalized:
                normalized.append(origin)
        self.allowed_origins = normalized
        if self.require_consent and not (self.consent_text or "").strip():
            raise ValidationError({"consent_text": _("Укажите текст согласия.")})

    def origin_allowed(self, origin: str) -> bool:
        normalized = origin_normalize(origin)
        return normalized is not None and normalized in (self.allowed_origins or [])


class FormField(models.Model):
    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(
        _("код поля"), max_length=64,
        validators=[RegexValidator(FIELD_NAME_RE, _("Латинские строчные буквы, цифры и «_»."))])
    label = models.CharField(_("подпись"), max_length=200)
    field_type = models.CharField(_("тип"), max_length=16, choices=FieldType.choices,
                                  default=FieldType.TEXT)
    required = models.BooleanField(_("обязательное"), default=False)
    options = models.JSONField(_("варианты списка"), default=_empty_list, blank=True)
    initial = models.CharField(_("значение по умолчанию"), max_length=1000, blank=True,
                               help_text=_("Для скрытого поля — то, что оно отправит."))
    placeholder = models.CharField(_("подсказка в поле"), max_length=200, blank=True)
    sort = models.PositiveIntegerField(_("сортировка"), default=100)
    maps_to = models.CharField(
        _("поле лида"), max_length=64, blank=True,
        help_text=_("name, last_name, company_title, title, comments, phone, email или код UF_… "
                    "Пусто: телефон и e-mail по типу поля, остальное — в комментарий лида."))

    class Meta:
        ordering = ("form", "sort", "id")
        verbose_name = _("поле формы")
        verbose_name_plural = _("поля формы")
        constraints = [
            models.UniqueConstraint(fields=["form", "name"], name="webform_field_name_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.name})"

    @property
    def target(self) -> str:
        """Where the value goes: the explicit `maps_to`, else phone/e-mail by type, else ""."""
        if self.maps_to:
            return self.maps_to
        if self.field_type == FieldType.PHONE:
            return "phone"
        if self.field_type == FieldType.EMAIL:
            return "email"
        return ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        problem = field_name_problem(self.name or "")
        if problem:
            errors["name"] = problem
        problem = maps_to_problem(self.maps_to or "")
        if problem:
            errors["maps_to"] = problem
        options = self.options
        if self.field_type == FieldType.SELECT:
            if (not isinstance(options, list) or not options or len(options) > MAX_OPTIONS
                    or not all(isinstance(o, str) and o.strip() for o in options)):
                errors["options"] = str(_("Для списка нужны непустые варианты-строки (до 100)."))
        elif options:
            errors["options"] = str(_("Варианты задаются только для типа «Список»."))
        if errors:
            raise ValidationError(errors)


class UtmRule(models.Model):
    """`utm_source=yandex & utm_medium=cpc` → Яндекс.Директ. Blank medium/campaign match any."""

    utm_source = models.CharField("utm_source", max_length=255)
    utm_medium = models.CharField("utm_medium", max_length=255, blank=True,
                                  help_text=_("Пусто — любой."))
    utm_campaign = models.CharField("utm_campaign", max_length=255, blank=True,
                                    help_text=_("Пусто — любая."))
    source = models.ForeignKey(Source, verbose_name=_("источник"), on_delete=models.PROTECT,
                               related_name="utm_rules")
    sort = models.PositiveIntegerField(
        _("приоритет"), default=100,
        help_text=_("Из одинаково точных правил побеждает меньшее число."))
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ("utm_source", "utm_medium", "utm_campaign", "id")
        verbose_name = _("правило UTM")
        verbose_name_plural = _("правила UTM")
        constraints = [
            models.UniqueConstraint(fields=["utm_source", "utm_medium", "utm_campaign"],
                                    name="webform_utm_rule_unique"),
        ]

    def __str__(self) -> str:
        parts = [f"utm_source={self.utm_source}"]
        if self.utm_medium:
            parts.append(f"utm_medium={self.utm_medium}")
        if self.utm_campaign:
            parts.append(f"utm_campaign={self.utm_campaign}")
        return f"{' & '.join(parts)} → {self.source}"

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)

    def normalize(self) -> None:
        self.utm_source = utm_value_normalize(self.utm_source)
        self.utm_medium = utm_value_normalize(self.utm_medium)
        self.utm_campaign = utm_value_normalize(self.utm_campaign)

    def clean(self) -> None:
        self.normalize()
        if not self.utm_source:
            raise ValidationError({"utm_source": _("Укажите utm_source.")})
