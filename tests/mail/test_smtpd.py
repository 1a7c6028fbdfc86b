"""`voronka smtpd` over real SMTP: smtplib against the aiosmtpd server on a loopback port."""

from __future__ import annotations

import smtplib
import socket
import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from tests.concurrency import shared_database
from voronka.crm.models import Lead, Source
from voronka.intake.models import EventState, InboundEvent
from voronka.mail import smtp
from voronka.mail.models import Mailbox

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIMIT = 64 * 1024
_counter = iter(range(10**6))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def message(*, to="sales@okna-plus.ru", sender="Иван Петров <ivan@example.ru>",
            subject="Нужны окна", body="Здравствуйте, нужны окна", message_id=None,
            headers=None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0300"
    msg["Message-ID"] = message_id or f"<s{next(_counter)}.{time.time_ns()}@example.ru>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes(policy=SMTP)  # CRLF: smtplib sends bytes as they are


@pytest.fixture
def server(tmp_path):
    with shared_database(tmp_path):
        controller = smtp.smtp_controller("127.0.0.1", _free_port(), data_size_limit=LIMIT)
        controller.start()
        try:
            yield controller
        finally:
            controller.stop()


@pytest.fixture
def mailbox(server) -> Mailbox:
    return Mailbox.objects.create(
        name="Продажи", host="imap.invalid", username="crm", address="Sales@Okna-Plus.ru",
        source=Source.objects.get(code="AVITO"))


def client(server) -> smtplib.SMTP:
    return smtplib.SMTP(server.hostname, server.port, timeout=30)


def send(server, raw: bytes, to: list[str], sender="ivan@example.ru") -> dict:
    with client(server) as conn:
        return conn.sendmail(sender, to, raw)


def leads_of(address: str):
    return Lead.objects.filter(communications__value=address).distinct()


def test_message_to_mailbox_address_creates_lead_with_its_source(server, mailbox):
    assert send(server, message(body="Нужны окна в дом, 3 штуки"), ["sales@okna-plus.ru"]) == {}
    event = InboundEvent.objects.get(provider="email")
    lead = leads_of("ivan@example.ru").get()
    assert lead.source == mailbox.source
    assert event.state == EventState.PROCESSED and event.lead == lead
    assert event.connection == str(mailbox.pk)
    assert event.payload["mailbox"] == mailbox.pk
    assert event.payload["smtp"]["rcpt_to"] == ["sales@okna-plus.ru"]


def test_login_that_is_an_address_matches_case_insensitively(server):
    box = Mailbox.objects.create(name="Инфо", host="imap.invalid", username="Info@Okna-Plus.ru",
                                 source=Source.objects.get(code="AVITO"))
    assert send(server, message(to="INFO@okna-plus.ru"), ["INFO@okna-plus.ru"]) == {}
    assert InboundEvent.objects.get(provider="email").connection == str(box.pk)


def test_unknown_recipient_refused_550_and_nothing_stored(server, mailbox):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        send(server, message(to="nobody@okna-plus.ru"), ["nobody@okna-plus.ru"])
    code, text = info.value.recipients["nobody@okna-plus.ru"]
    assert code == 550 and text.startswith(b"5.1.1")
    assert not InboundEvent.objects.exists()


def test_inactive_mailbox_refused(server, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(server, message(), ["sales@okna-plus.ru"])
    assert not InboundEvent.objects.exists()


def test_mixed_recipients_store_once_for_the_known_one(server, mailbox):
    refused = send(server, message(), ["sales@okna-plus.ru", "nobody@okna-plus.ru"])
    assert refused["nobody@okna-plus.ru"][0] == 550
    assert InboundEvent.objects.filter(provider="email").count() == 1


def test_duplicate_message_id_stores_one_event(server, mailbox):
    raw = message(message_id="<same-1@example.ru>")
    assert send(server, raw, ["sales@okna-plus.ru"]) == {}
    assert send(server, raw, ["sales@okna-plus.ru"]) == {}
    event = InboundEvent.objects.get(provider="email")
    assert event.idempotency_key == "<same-1@example.ru>"
    assert leads_of("ivan@example.ru").count() == 1


def test_oversize_refused_552_in_data(server, mailbox):
    raw = message(body=("x" * 70 + "\n") * (LIMIT // 70 + 100))
    with client(server) as conn:
        conn.ehlo()
        assert conn.mail("ivan@example.ru")[0] == 250  # no SIZE= declared: refused in DATA
        assert conn.rcpt("sales@okna-plus.ru")[0] == 250
        code, text = conn.data(raw)
    assert code == 552, text
    assert not InboundEvent.objects.exists()


def test_oversize_declared_with_size_refused_552(server, mailbox):
    with pytest.raises(smtplib.SMTPSenderRefused) as info:
        send(server, message(body=("x" * 70 + "\n") * (LIMIT // 70 + 100)), ["sales@okna-plus.ru"])
    assert info.value.smtp_code == 552
    assert not InboundEvent.objects.exists()


def test_auto_reply_creates_nothing(server, mailbox):
    raw = message(subject="Автоответ: Нужны окна", headers={"Auto-Submitted": "auto-replied"})
    assert send(server, raw, ["sales@okna-plus.ru"]) == {}
    event = InboundEvent.objects.get(provider="email")
    assert (event.state, event.outcome, event.lead) == (EventState.PROCESSED, "ignored_auto", None)
    assert not Lead.objects.exists()


def test_processing_failure_still_250_and_event_kept_failed(server, mailbox, monkeypatch):
    def broken(request):
        raise RuntimeError("routing is down")

    monkeypatch.setattr("voronka.mail.handler.inbound_request_accept", broken)
    assert send(server, message(), ["sales@okna-plus.ru"]) == {}
    event = InboundEvent.objects.get(provider="email")
    assert event.state == EventState.FAILED and "routing is down" in event.error
    assert not Lead.objects.exists()


def test_storage_failure_answers_451(server, mailbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(smtp, "email_event_store", broken)
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(server, message(), ["sales@okna-plus.ru"])
    assert info.value.smtp_code == 451
    assert not InboundEvent.objects.exists()
