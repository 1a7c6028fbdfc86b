"""Receiving mail over SMTP (`voronka smtpd`) for those who run their own MX.

RCPT TO is accepted only for an address of an active Mailbox (its `address`, or its
`username` when that is an e-mail address; compared lower-cased). On DATA the message is
stored with the IMAP poller's `email_event_store` — same InboundEvent, same idempotency by
Message-ID or sha256 — once per matching mailbox, then processed. `250` is sent only after
the event is committed; a processing failure still answers 250 (the event stays `failed`
for `voronka intake retry`), a storage failure answers 451 so the sender retries.

The database work runs in the event loop's executor threads (Django's ORM is synchronous);
each unit of work closes its thread's connections when done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from aiosmtpd.controller import Controller
from django.db import connections

from voronka.intake.models import EventState
from voronka.intake.services.events import process_event
from voronka.mail.imap import email_event_store
from voronka.mail.models import Mailbox

log = logging.getLogger(__name__)

DATA_SIZE_LIMIT = 25 * 1024 * 1024
UNKNOWN_RECIPIENT = "550 5.1.1 No such mailbox here"
STORE_FAILED = "451 4.3.0 Temporary failure storing the message, try again later"

T = TypeVar("T")


def mailboxes_for(address: str) -> list[Mailbox]:
    """Active mailboxes that `address` belongs to (their `address`, or an address-like login)."""
    wanted = address.strip().lower()
    if not wanted:
        return []
    found = []
    for mailbox in Mailbox.objects.filter(is_active=True).order_by("pk"):
        own = {mailbox.address.strip().lower()}
        if "@" in mailbox.username:
            own.add(mailbox.username.strip().lower())
        if wanted in own:
            found.append(mailbox)
    return found


def message_deliver(raw: bytes, recipients: list[str], mail_from: str = "") -> list[int]:
    """Store `raw` once per mailbox among `recipients`, then process; return the event ids.

    Raises if storing fails (nothing is answered 250 then); a processing failure is logged
    and leaves the event `failed`.
    """
    mailboxes: dict[int, Mailbox] = {}
    for address in recipients:
        for mailbox in mailboxes_for(address):
            mailboxes.setdefault(mailbox.pk, mailbox)
    stored = []
    for mailbox in mailboxes.values():
        # The key is the Message-ID, shared across mailboxes (as with IMAP): the same message
        # to two mailboxes is one event, on the first of them.
        event, _created = email_event_store(
            mailbox, raw, smtp={"mail_from": mail_from, "rcpt_to": recipients})
        stored.append(event)
    for event in stored:
        if event.state == EventState.RECEIVED:
            try:
                process_event(event)
            except Exception:  # the event is committed; a retry will pick it up
                log.exception("smtpd: processing inbound event %s failed", event.pk)
    return [event.pk for event in stored]


def _closing(func: Callable[..., T], *args) -> Callable[[], T]:
    def run() -> T:
        try:
            return func(*args)
        finally:
            connections.close_all()  # this executor thread's connections only
    return run


class MailboxHandler:
    """aiosmtpd handler: recipients checked against mailboxes, DATA stored as events."""

    async def _db(self, func: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, _closing(func, *args))

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options):
        try:
            known = await self._db(mailboxes_for, address)
        except Exception:
            log.exception("smtpd: looking up recipient %r failed", address)
            return "451 4.3.0 Temporary failure, try again later"
        if not known:
            return UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await self._db(message_deliver, raw, list(envelope.rcpt_tos), envelope.mail_from or "")
        except Exception:
            log.exception("smtpd: storing a message for %s failed", envelope.rcpt_tos)
            return STORE_FAILED
        return "250 OK"


def smtp_controller(host: str = "127.0.0.1", port: int = 2525,
                    data_size_limit: int = DATA_SIZE_LIMIT) -> Controller:
    """An unstarted aiosmtpd Controller serving `MailboxHandler`; `.start()` / `.stop()` it."""
    return Controller(MailboxHandler(), hostname=host, port=port,
                      data_size_limit=data_size_limit, ident="Voronka smtpd")
