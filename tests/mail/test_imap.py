"""Polling a real Dovecot: leads, encodings, attachments, idempotency, UIDVALIDITY, threads."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest

from voronka.crm.models import Lead, TimelineEvent
from voronka.intake.models import EventState, InboundEvent
from voronka.mail.imap import MailError, mailbox_poll
from voronka.mail.models import Attachment, Mailbox

_counter = iter(range(10**6))


def message(*, sender="Иван Петров <ivan@example.ru>", subject="Нужны окна", body="Здравствуйте",
            charset="utf-8", message_id=None, headers=None, html=False, attachment=None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "sales@okna-plus.ru"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0300"
    msg["Message-ID"] = message_id or f"<m{next(_counter)}.{time.time_ns()}@example.ru>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if html:
        msg.set_content(body, subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset, cte="8bit" if charset != "utf-8" else None)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="pdf",
                           filename=attachment[0])
    return msg.as_bytes()


def leads_of(address: str):
    return Lead.objects.filter(communications__value=address).distinct()


def test_new_message_creates_lead_with_mailbox_source(mailbox, imap):
    imap.append(message(body="Нужны окна в дом, 3 штуки"))
    result = mailbox_poll(mailbox)
    assert (result.fetched, result.stored) == (1, 1)
    lead = leads_of("ivan@example.ru").get()
    assert lead.source == mailbox.source
    event = InboundEvent.objects.get(provider="email")
    assert event.state == EventState.PROCESSED and event.lead == lead
    assert event.connection == str(mailbox.pk)
    entry = TimelineEvent.objects.get(lead=lead, kind="email")
    assert entry.payload["subject"] == "Нужны окна"
    assert entry.payload["from"] == "ivan@example.ru"
    assert entry.payload["mailbox"] == mailbox.name
    assert "3 штуки" in entry.text
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1 and mailbox.uidvalidity and mailbox.last_polled_at
    # nothing new the second time
    assert mailbox_poll(mailbox).fetched == 0


def test_cp1251_koi8_and_html_bodies(mailbox, imap):
    imap.append(message(sender="a@x.ru", body="Окна ПВХ", charset="windows-1251"))
    imap.append(message(sender="b@x.ru", body="Двери", charset="koi8-r"))
    imap.append(message(sender="c@x.ru", body="<p>Балкон</p><script>x()</script>", html=True))
    assert mailbox_poll(mailbox).stored == 3
    texts = {e.payload["from"]: e.text for e in TimelineEvent.objects.filter(kind="email")}
    assert texts == {"a@x.ru": "Окна ПВХ", "b@x.ru": "Двери", "c@x.ru": "Балкон"}


def test_attachment_stored_and_linked(mailbox, imap):
    imap.append(message(attachment=("Смета.pdf", b"%PDF-1.4 test")))
    mailbox_poll(mailbox)
    event = InboundEvent.objects.get(provider="email")
    attachment = Attachment.objects.get(event=event)
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "Смета.pdf", "application/pdf", 13)
    assert attachment.file.name.startswith(f"mail/{event.pk}/")
    with attachment.file.open("rb") as fh:
        assert fh.read() == b"%PDF-1.4 test"
    entry = TimelineEvent.objects.get(kind="email")
    assert entry.payload["attachments"] == [{"id": attachment.pk, "filename": "Смета.pdf",
                                             "size": 13}]


def test_restart_misses_nothing_and_duplicates_nothing(mailbox, imap):
    imap.append(message(sender="a@x.ru"))
    mailbox_poll(mailbox)
    imap.append(message(sender="b@x.ru"))
    imap.append(message(sender="c@x.ru"))
    fresh = Mailbox.objects.get(pk=mailbox.pk)
    result = mailbox_poll(fresh)
    assert (result.fetched, result.stored) == (2, 2)
    assert InboundEvent.objects.filter(provider="email").count() == 3
    # a crash after the store but before the UID moved on: the re-fetch is a no-op
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=1)
    result = mailbox_poll(Mailbox.objects.get(pk=mailbox.pk))
    assert (result.fetched, result.stored, result.duplicates) == (2, 0, 2)
    assert InboundEvent.objects.filter(provider="email").count() == 3
    assert Lead.objects.filter(communications__value__in=["a@x.ru", "b@x.ru", "c@x.ru"]).count() == 3


def test_uidvalidity_change_starts_over(mailbox, imap):
    first = message(sender="a@x.ru")
    imap.append(first)
    imap.append(message(sender="b@x.ru"))
    mailbox_poll(mailbox)
    mailbox.refresh_from_db()
    old_validity = mailbox.uidvalidity
    assert mailbox.last_uid == 2
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock
    imap.delete()
    imap.create()
    imap.append(first)  # the server re-delivers a message we already have
    imap.append(message(sender="c@x.ru"))
    result = mailbox_poll(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != old_validity
    assert mailbox.last_uid == 2
    assert (result.fetched, result.stored, result.duplicates) == (2, 1, 1)
    assert InboundEvent.objects.filter(provider="email").count() == 3


def test_auto_replies_bounces_and_bulk_create_nothing(mailbox, imap):
    imap.append(message(headers={"Auto-Submitted": "auto-replied"}))
    imap.append(message(headers={"Precedence": "bulk"}))
    imap.append(message(sender="MAILER-DAEMON@mx.example.ru", subject="Undelivered"))
    imap.append(message(headers={"X-Autoreply": "yes"}))
    before = Lead.objects.count()
    assert mailbox_poll(mailbox).stored == 4
    assert Lead.objects.count() == before
    events = InboundEvent.objects.filter(provider="email")
    assert {(e.state, e.outcome) for e in events} == {(EventState.PROCESSED, "ignored_auto")}
    assert not TimelineEvent.objects.filter(kind="email").exists()


def test_reply_and_second_message_land_on_the_same_lead(mailbox, imap):
    imap.append(message(sender="ivan@example.ru", message_id="<first@example.ru>"))
    mailbox_poll(mailbox)
    lead = leads_of("ivan@example.ru").get()
    # a reply from another address, threaded by In-Reply-To
    imap.append(message(sender="boss@example.ru", subject="Re: Нужны окна",
                        headers={"In-Reply-To": "<first@example.ru>"}))
    # the same sender again, not threaded: the open lead gets it
    imap.append(message(sender="ivan@example.ru", subject="Ещё вопрос"))
    # the lead number in the subject
    imap.append(message(sender="other@example.ru", subject=f"Счёт [#L{lead.pk}]"))
    mailbox_poll(mailbox)
    assert Lead.objects.filter(communications__value__in=[
        "ivan@example.ru", "boss@example.ru", "other@example.ru"]).distinct().count() == 1
    assert TimelineEvent.objects.filter(lead=lead, kind="email").count() == 4
    assert set(InboundEvent.objects.filter(provider="email").values_list("lead", flat=True)) == {
        lead.pk}


def test_login_failure_is_recorded(mailbox):
    mailbox.password = "wrong"
    mailbox.save()
    with pytest.raises(MailError):
        mailbox_poll(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.last_error
