"""The `mailboxes:` key of the set-up file, and `voronka mail poll --once`."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from voronka.crm.models import Lead
from voronka.mail.models import Mailbox
from voronka.setup.errors import SetupValidationError
from voronka.setup.services import setup_apply

DOCUMENT = {
    "sources": [{"code": "MAIL_SALES", "name": "Почта отдела продаж"}],
    "mailboxes": [{"name": "Продажи", "host": "imap.example.ru", "username": "sales@example.ru",
                   "password": "${SALES_IMAP_PASSWORD}", "source": "MAIL_SALES"},
                  {"name": "Сервис", "host": "127.0.0.1", "port": 1143, "ssl": False,
                   "username": "svc", "password": "${SVC_PASSWORD}", "source": "AVITO"}],
}
ENV = {"SALES_IMAP_PASSWORD": "p1", "SVC_PASSWORD": "p2"}


@pytest.mark.django_db
def test_mailboxes_created_and_idempotent():
    assert setup_apply(DOCUMENT, environ=ENV).has_changes
    sales = Mailbox.objects.get(name="Продажи")
    assert (sales.host, sales.port, sales.ssl, sales.password, sales.source.code, sales.folder) == (
        "imap.example.ru", 993, True, "p1", "MAIL_SALES", "INBOX")
    service = Mailbox.objects.get(name="Сервис")
    assert (service.port, service.ssl, service.password) == (1143, False, "p2")
    assert not setup_apply(DOCUMENT, environ=ENV).has_changes
    assert setup_apply(DOCUMENT, environ={**ENV, "SVC_PASSWORD": "new"}).has_changes
    assert Mailbox.objects.get(name="Сервис").password == "new"
    assert Mailbox.objects.count() == 2


@pytest.mark.django_db
def test_unknown_source_and_duplicate_name_reported():
    document = {"mailboxes": [
        {"name": "A", "host": "h", "username": "u", "password": "p", "source": "NOPE"},
        {"name": "A", "host": "h", "username": "u", "password": "p", "source": "AVITO",
         "port": 70000}]}
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, environ={})
    paths = {issue.path for issue in caught.value.issues}
    assert "mailboxes[0].source" in paths
    assert any(p.startswith("mailboxes[1]") for p in paths)
    assert not Mailbox.objects.exists()


def test_poll_command(mailbox, imap, capsys):
    from tests.mail.test_imap import message

    imap.append(message(sender="cmd@example.ru"))
    call_command("mail", "poll", "--once")
    assert Lead.objects.filter(communications__value="cmd@example.ru").exists()
    assert "новых 1" in capsys.readouterr().out


@pytest.mark.django_db
def test_smtp_only_mailbox_needs_no_imap_keys():
    document = {"mailboxes": [{"name": "MX", "imap": False, "address": "Sales@Okna-Plus.RU",
                               "source": "AVITO"}]}
    assert setup_apply(document, environ={}).has_changes
    mx = Mailbox.objects.get(name="MX")
    assert (mx.imap_enabled, mx.host, mx.username, mx.address) == (
        False, "", "", "Sales@okna-plus.ru")
    assert not setup_apply(document, environ={}).has_changes
    # switched back on: the IMAP keys are required again, and set
    assert setup_apply(DOCUMENT, environ=ENV).has_changes  # a different mailbox: no effect on MX
    on = {"mailboxes": [{"name": "MX", "host": "imap.example.ru", "username": "mx",
                         "password": "p", "source": "AVITO"}]}
    assert setup_apply(on, environ={}).has_changes
    mx.refresh_from_db()
    assert (mx.imap_enabled, mx.host, mx.address) == (True, "imap.example.ru", "Sales@okna-plus.ru")


@pytest.mark.django_db
def test_imap_keys_required_unless_imap_is_off():
    document = {"mailboxes": [
        {"name": "A", "source": "AVITO"},
        {"name": "B", "imap": True, "host": "h", "source": "AVITO"},
        {"name": "C", "imap": False, "source": "AVITO"},
        {"name": "D", "imap": False, "username": "d@okna-plus.ru", "source": "AVITO"}]}
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, environ={})
    paths = {issue.path for issue in caught.value.issues}
    assert paths == {"mailboxes[0].host", "mailboxes[0].username", "mailboxes[0].password",
                     "mailboxes[1].username", "mailboxes[1].password", "mailboxes[2].address"}
    assert not Mailbox.objects.exists()


@pytest.mark.django_db
def test_imap_key_must_be_a_boolean():
    document = {"mailboxes": [{"name": "A", "imap": "maybe", "address": "a@b.ru",
                               "source": "AVITO"}]}
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, environ={})
    assert [issue.path for issue in caught.value.issues] == ["mailboxes[0].imap"]
