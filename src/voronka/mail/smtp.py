"""Receiving mail over SMTP (`voronka smtpd`) for those who run their own MX.

RCPT TO is accepted only for an address of an active Mailbox (its `address`, or its
`username` when that is an e-mail address; compared lower-cased). On DATA the message is
stored with the IMAP poller's `email_event_store` — same InboundEvent, same idempotency by
Message-ID or sha256 — once per matching mailbox, then processed. `250` is sent only after
the event is committed; a processing failure still answers 250 (the event stays `failed`
for `voronka intake retry`), a storage failure answers 451 so the sender retries.

The database work runs in the event loop's executor threads (Django's ORM is synchronous);
each unit of work closes its thread's connections when done.

Optionally STARTTLS (a certificate and key) and SMTP AUTH (PLAIN/LOGIN) against one dedicated
login and password from the environment, `VORONKA_SMTPD_USER` / `VORONKA_SMTPD_PASSWORD`.
AUTH is offered only inside TLS unless explicitly allowed in plain text.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.db import connections
from django.utils.translation import gettext as _

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


class SmtpConfigError(ValueError):
    """`voronka smtpd` options that cannot work together; the message is for the user."""


@dataclass(frozen=True, repr=False)
class Credentials:
    """The one login and password `voronka smtpd --auth` accepts."""

    username: str
    password: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        environ = os.environ if environ is None else environ
        username = environ.get("VORONKA_SMTPD_USER", "")
        password = environ.get("VORONKA_SMTPD_PASSWORD", "")
        if not username or not password:
            raise SmtpConfigError(_("Для --auth задайте переменные окружения VORONKA_SMTPD_USER "
                                    "и VORONKA_SMTPD_PASSWORD."))
        return cls(username, password)

    def __repr__(self) -> str:  # the password never reaches a log
        return f"Credentials(username={self.username!r}, password=...)"

    def authenticator(self, server, session, envelope, mechanism: str, auth_data) -> AuthResult:
        """aiosmtpd `authenticator`: PLAIN and LOGIN give a LoginPassword of bytes."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        # Both compared, in constant time, so the reply time tells nothing about either.
        login_ok = hmac.compare_digest(auth_data.login, self.username.encode("utf-8"))
        password_ok = hmac.compare_digest(auth_data.password, self.password.encode("utf-8"))
        if not (login_ok and password_ok):
            log.warning("smtpd: failed AUTH %s from %s", mechanism, session.peer)
            return AuthResult(success=False, handled=False)  # 535 5.7.8
        return AuthResult(success=True, auth_data=auth_data)


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server-side context for STARTTLS; clients are not asked for certificates."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SmtpConfigError(_("Не удалось загрузить сертификат TLS: %(error)s")
                              % {"error": exc}) from exc
    return context


def smtp_controller(host: str = "127.0.0.1", port: int = 2525,
                    data_size_limit: int = DATA_SIZE_LIMIT, *, tls_cert: str | None = None,
                    tls_key: str | None = None, require_starttls: bool = False,
                    auth: Credentials | None = None,
                    auth_plaintext_ok: bool = False) -> Controller:
    """An unstarted aiosmtpd Controller serving `MailboxHandler`; `.start()` / `.stop()` it.

    `tls_cert` + `tls_key` offer STARTTLS (`require_starttls`: nothing but EHLO/STARTTLS/QUIT
    before it, 530). `auth` makes AUTH compulsory before MAIL (530 without it, 535 for a wrong
    password); AUTH is offered only after STARTTLS unless `auth_plaintext_ok`.
    Raises SmtpConfigError for options that cannot work together.
    """
    if bool(tls_cert) != bool(tls_key):
        raise SmtpConfigError(_("Укажите и --tls-cert, и --tls-key."))
    context = tls_context(tls_cert, tls_key) if tls_cert and tls_key else None
    if require_starttls and context is None:
        raise SmtpConfigError(_("--require-starttls требует --tls-cert и --tls-key."))
    if auth is not None and context is None and not auth_plaintext_ok:
        # AUTH would never be offered: no client could ever send.
        raise SmtpConfigError(_("--auth требует TLS (--tls-cert и --tls-key); без TLS пароль "
                                "пойдёт открытым текстом — если это допустимо, добавьте "
                                "--auth-plaintext-ok."))
    extra = {}
    if auth is not None:
        extra = {"auth_required": True, "authenticator": auth.authenticator}
    return Controller(MailboxHandler(), hostname=host, port=port,
                      data_size_limit=data_size_limit, ident="Voronka smtpd",
                      tls_context=context, require_starttls=require_starttls,
                      auth_require_tls=not auth_plaintext_ok, **extra)
