"""Who the customer is: contacts (people), companies, and their communications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models.base import CustomFieldsMixin, TimestampedMixin
from voronka.crm.models.dictionaries import Source
from voronka.crm.requisites import validate_inn, validate_kpp, validate_ogrn


class Company(TimestampedMixin, CustomFieldsMixin):
    title = models.CharField(_("название"), max_length=255)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, db_index=True,
                           validators=[validate_inn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validate_kpp])
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True, validators=[validate_ogrn])
    legal_address = models.CharField(_("юридический адрес"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственный"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    source = models.ForeignKey(Source, verbose_name=_("источник"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    comments = models.TextField(_("комментарий"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("компания")
        verbose_name_plural = _("компании")
        indexes = [models.Index(fields=["responsible", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Contact(TimestampedMixin, CustomFieldsMixin):
    name = models.CharField(_("имя"), max_length=100, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    second_name = models.CharField(_("отчество"), max_length=100, blank=True)
    post = models.CharField(_("должность"), max_length=200, blank=True)
    company = models.ForeignKey(Company, verbose_name=_("компания"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="contacts")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственный"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    source = models.ForeignKey(Source, verbose_name=_("источник"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    first_touch_source = models.ForeignKey(
        Source, verbose_name=_("первый источник"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Канал, который привёл клиента впервые; не меняется при повторных обращениях."),
    )
    first_touch_at = models.DateTimeField(_("первое обращение"), null=True, blank=True)
    comments = models.TextField(_("комментарий"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("контакт")
        verbose_name_plural = _("контакты")
        indexes = [models.Index(fields=["responsible", "-created_at"])]

    def __str__(self) -> str:
        return self.full_name or f"{_('Контакт')} #{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.name, self.second_name) if p)


class CommunicationKind(models.TextChoices):
    PHONE = "PHONE", _("Телефон")
    EMAIL = "EMAIL", _("E-mail")
    WEB = "WEB", _("Сайт")
    IM = "IM", _("Мессенджер")


class CommunicationType(models.TextChoices):
    WORK = "WORK", _("рабочий")
    MOBILE = "MOBILE", _("мобильный")
    HOME = "HOME", _("домашний")
    OTHER = "OTHER", _("другой")


class Communication(models.Model):
    """A phone, e-mail, site or messenger of exactly one lead, contact or company."""

    kind = models.CharField(_("вид"), max_length=8, choices=CommunicationKind.choices)
    value_type = models.CharField(_("тип"), max_length=8, choices=CommunicationType.choices,
                                  default=CommunicationType.WORK)
    value = models.CharField(_("значение"), max_length=255)
    normalized = models.CharField(
        _("нормализованное значение"), max_length=255, blank=True,
        help_text=_("E.164 для телефонов, нижний регистр для e-mail; по нему ищется клиент."),
    )
    extension = models.CharField(_("добавочный"), max_length=10, blank=True)
    lead = models.ForeignKey("crm.Lead", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="communications")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="communications")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="communications")

    class Meta:
        verbose_name = _("средство связи")
        verbose_name_plural = _("средства связи")
        # The owners ride along in the index: a phone being typed matches hundreds of numbers,
        # and reading each one's row to learn its lead was a random disk read apiece.
        indexes = [models.Index(fields=["kind", "normalized", "lead", "contact", "company"],
                                name="communication_lookup_owners")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lead__isnull=False, contact__isnull=True, company__isnull=True)
                    | models.Q(lead__isnull=True, contact__isnull=False, company__isnull=True)
                    | models.Q(lead__isnull=True, contact__isnull=True, company__isnull=False)
                ),
                name="communication_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.value
