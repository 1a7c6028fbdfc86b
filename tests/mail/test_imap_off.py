"""The «Забирать по IMAP» switch: an SMTP-only mailbox is never polled, and its rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tests.mail.test_imap import message
from voronka.crm.models import Lead, Source
from voronka.mail.imap import MailError, mailbox_poll, mailboxes_poll
from voronka.mail.models import Mailbox

pytestmark = pytest.mark.django_db


def smtp_only(**fields) -> Mailbox:
    values = {"name": "MX", "imap_enabled": False, "address": "mx@okna-plus.ru",
              "source": Source.objects.get(code="AVITO"), **fields}
    return Mailbox(**values)


def test_smtp_only_mailbox_is_valid_without_host_and_login():
    mailbox = smtp_only()
    mailbox.full_clean()
    mailbox.save()
    assert Mailbox.objects.get(pk=mailbox.pk).imap_enabled is False


def test_login_that_is_an_address_is_enough_without_imap():
    smtp_only(address="", username="mx@okna-plus.ru").full_clean()


def test_smtp_only_mailbox_needs_an_address():
    with pytest.raises(ValidationError) as caught:
        smtp_only(address="").full_clean()
    assert caught.value.message_dict == {"address": [
        "Ящик без IMAP получает письма только через voronka smtpd: укажите адрес."]}


def test_imap_mailbox_needs_host_and_login():
    mailbox = smtp_only(imap_enabled=True, address="")
    with pytest.raises(ValidationError) as caught:
        mailbox.full_clean()
    assert caught.value.message_dict == {
        "host": ["Укажите IMAP-сервер или выключите «Забирать по IMAP»."],
        "username": ["Укажите логин IMAP или выключите «Забирать по IMAP»."]}


def test_field_label():
    assert str(Mailbox._meta.get_field("imap_enabled").verbose_name) == "Забирать по IMAP"


def test_smtp_only_mailbox_is_not_polled(mailbox, imap, capsys):
    mx = smtp_only(host="imap.invalid", username="crm")  # stale IMAP settings stay unused
    mx.save()
    imap.append(message(sender="polled@x.ru"))
    results = mailboxes_poll()
    assert set(results) == {mailbox.name}
    assert Lead.objects.filter(communications__value="polled@x.ru").exists()
    call_command("mail", "poll", "--once")  # would fail on imap.invalid if it were polled
    assert "MX" not in capsys.readouterr().out
    mx.refresh_from_db()
    assert mx.last_polled_at is None and mx.last_error == ""
    with pytest.raises(MailError, match="IMAP is off"):
        mailbox_poll(mx)
