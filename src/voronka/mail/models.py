"""Mailboxes polled over IMAP (one per source) and the attachments of stored e-mails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import Source
from voronka.intake.models import InboundEvent


class Mailbox(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)
    imap_enabled = models.BooleanField(
        _("Забирать по IMAP"), default=True,
        help_text=_("Выключите для ящика, письма которого приходят только через `voronka smtpd` "
                    "(свой MX): такой ящик не опрашивается."))
    host = models.CharField(_("IMAP-сервер"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("порт"), default=993)
    ssl = models.BooleanField(_("SSL"), default=True)
    username = models.CharField(_("логин"), max_length=255, blank=True)
    address = models.EmailField(
        _("адрес"), max_length=254, blank=True,
        help_text=_("Адрес, на который `voronka smtpd` принимает письма для этого ящика "
                    "(кроме логина, если он сам — адрес)."))
    password = models.CharField(_("пароль"), max_length=255, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("источник"), on_delete=models.PROTECT,
                               related_name="mailboxes")
    folder = models.CharField(_("папка"), max_length=255, default="INBOX")
    is_active = models.BooleanField(_("включён"), default=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("последний UID"), default=0, editable=False)
    last_polled_at = models.DateTimeField(_("последний опрос"), null=True, blank=True,
                                          editable=False)
    last_error = models.TextField(_("последняя ошибка"), blank=True, editable=False)

    class Meta:
        verbose_name = _("почтовый ящик")
        verbose_name_plural = _("почтовые ящики")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.imap_enabled:
            if not self.host.strip():
                errors["host"] = _("Укажите IMAP-сервер или выключите «Забирать по IMAP».")
            if not self.username.strip():
                errors["username"] = _("Укажите логин IMAP или выключите «Забирать по IMAP».")
        elif not self.address.strip() and "@" not in self.username:
            # Without IMAP the only way in is `voronka smtpd`, and it routes by address.
            errors["address"] = _("Ящик без IMAP получает письма только через voronka smtpd: "
                                  "укажите адрес.")
        if errors:
            raise ValidationError(errors)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"mail/{instance.event_id}/{filename}"


class Attachment(models.Model):
    event = models.ForeignKey(InboundEvent, on_delete=models.CASCADE,
                              related_name="mail_attachments")
    filename = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=255)
    size = models.PositiveIntegerField(_("размер"))
    file = models.FileField(_("файл"), upload_to=attachment_path, max_length=500)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")

    def __str__(self) -> str:
        return self.filename
