"""Polling a mailbox over IMAP: each new message is stored as an InboundEvent, then processed.

The store and the advance of `Mailbox.last_uid` commit in one transaction, so a crash never
skips a message; re-fetching one already stored is a no-op (idempotency by Message-ID).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import imaplib
import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from voronka.intake.models import Channel, EventState, InboundEvent
from voronka.intake.services.events import inbound_event_store, process_event
from voronka.mail.models import Mailbox
from voronka.mail.parsing import ParseError, email_parse

log = logging.getLogger(__name__)

PROVIDER = "email"
TIMEOUT = 30


class MailError(Exception):
    """The IMAP server refused or failed a command."""


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0


def _check(typ: str, data, what: str):
    if typ != "OK":
        raise MailError(f"{what}: {typ} {data!r}")
    return data


def imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if mailbox.ssl else imaplib.IMAP4
    conn = cls(mailbox.host, mailbox.port, timeout=TIMEOUT)
    _check(*conn.login(mailbox.username, mailbox.password), "LOGIN")
    return conn


def idempotency_key(raw: bytes) -> str:
    try:
        message_id = email_parse(raw).message_id
    except ParseError:
        message_id = ""
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def email_event_store(mailbox: Mailbox, raw: bytes, **extra) -> tuple[InboundEvent, bool]:
    """Commit one received message as an InboundEvent of `mailbox`; return (event, created).

    Shared by the IMAP poller and `voronka smtpd`. Idempotent by Message-ID (else sha256 of
    the bytes); `extra` goes into the payload next to `mailbox` and `raw`.
    """
    key = idempotency_key(raw)
    return inbound_event_store(
        channel=Channel.EMAIL, provider=PROVIDER, idempotency_key=key,
        connection=str(mailbox.pk), kind="message", thread_key=key,
        payload={"mailbox": mailbox.pk, **extra, "raw": base64.b64encode(raw).decode("ascii")},
    )


def message_store(mailbox: Mailbox, uid: int, raw: bytes) -> tuple[InboundEvent, bool]:
    """Store one fetched message and advance the mailbox's last UID, atomically."""
    with transaction.atomic():
        event, created = email_event_store(mailbox, raw, uid=uid)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
        mailbox.last_uid = uid
    return event, created


def _uidvalidity(conn: imaplib.IMAP4) -> int | None:
    _typ, data = conn.response("UIDVALIDITY")
    for item in data or []:
        if item:
            try:
                return int(item)
            except (TypeError, ValueError):
                continue
    return None


def _raw_from_fetch(data) -> bytes | None:
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def mailbox_poll(mailbox: Mailbox) -> PollResult:
    """Fetch and store every message after `last_uid`; process each stored one."""
    if not mailbox.imap_enabled:
        raise MailError(f"mailbox {mailbox.pk}: IMAP is off (an SMTP-only mailbox)")
    result = PollResult()
    try:
        conn = imap_connect(mailbox)
        try:
            _poll(conn, mailbox, result)
        finally:
            with contextlib.suppress(Exception):
                conn.logout()
    except (OSError, imaplib.IMAP4.error, MailError) as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise MailError(str(exc)) from exc
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    return result


def folder_examine(conn: imaplib.IMAP4, mailbox: Mailbox) -> None:
    """SELECT the mailbox's folder read-only (EXAMINE): messages are not marked as read."""
    folder = mailbox.folder or "INBOX"
    quoted = '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
    _check(*conn.select(quoted, readonly=True), "SELECT")


def _poll(conn: imaplib.IMAP4, mailbox: Mailbox, result: PollResult) -> None:
    folder_examine(conn, mailbox)
    validity = _uidvalidity(conn)
    if validity is not None and validity != mailbox.uidvalidity:
        if mailbox.uidvalidity is not None:
            log.warning("mailbox %s: UIDVALIDITY changed %s → %s, reading from the start",
                        mailbox.pk, mailbox.uidvalidity, validity)
        mailbox.uidvalidity, mailbox.last_uid = validity, 0
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
    data = _check(*conn.uid("SEARCH", None, f"UID {mailbox.last_uid + 1}:*"), "UID SEARCH")
    uids = sorted({int(x) for x in re.findall(rb"\d+", b" ".join(d for d in data if d))})
    # `N:*` always matches the last message, even when its UID is below N.
    uids = [uid for uid in uids if uid > mailbox.last_uid]
    for uid in uids:
        data = _check(*conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "UID FETCH")
        raw = _raw_from_fetch(data)
        if raw is None:
            continue
        result.fetched += 1
        event, created = message_store(mailbox, uid, raw)
        if created:
            result.stored += 1
        else:
            result.duplicates += 1
        if event.state == EventState.RECEIVED:
            process_event(event)


def mailboxes_pollable():
    """Active mailboxes read over IMAP; SMTP-only ones (`imap_enabled` off) are left out."""
    return Mailbox.objects.filter(is_active=True, imap_enabled=True).order_by("pk")


def mailboxes_poll() -> dict[str, PollResult | str]:
    """Poll every active IMAP mailbox; one failing does not stop the others."""
    results: dict[str, PollResult | str] = {}
    for mailbox in mailboxes_pollable():
        try:
            results[mailbox.name] = mailbox_poll(mailbox)
        except MailError as exc:
            results[mailbox.name] = f"error: {exc}"
    return results
