"""Waiting for new mail with IMAP IDLE (RFC 2177) instead of sleeping between polls.

`voronka worker` runs `mailboxes_watch`: one thread per active IMAP mailbox, each running
`mailbox_idle_loop`. A loop keeps one connection with the folder selected read-only and waits
on IDLE; on `* N EXISTS` it runs `mailbox_poll`, which stays the only code that fetches and
stores (UIDVALIDITY and the last UID are tracked there alone). The IDLE connection is opened
and its folder selected *before* the first poll, so a message that arrives while a poll runs
is reported when IDLE is next issued: nothing falls between a poll and the wait.

A server without IDLE in its CAPABILITY is polled every `VORONKA_POLL_SECONDS` instead.
Errors are written to `Mailbox.last_error` and retried with a growing pause.

imaplib has `idle()` only from Python 3.14, so the command is spoken here by hand.
"""

from __future__ import annotations

import contextlib
import imaplib
import itertools
import logging
import os
import re
import socket
import threading
import time

from django.db import connection
from django.utils import timezone

from voronka.mail.imap import (
    TIMEOUT,
    MailError,
    folder_examine,
    imap_connect,
    mailbox_poll,
    mailboxes_pollable,
)
from voronka.mail.models import Mailbox

log = logging.getLogger(__name__)

# RFC 2177: a server may drop a client idle for 30 minutes, so IDLE is re-issued before that.
IDLE_RENEW = 29 * 60
BACKOFF_MIN, BACKOFF_MAX = 5.0, 300.0
# How often a wait looks at its stop event: the worker stops within about this long.
STOP_CHECK = 1.0

_EXISTS = re.compile(rb"^\* \d+ EXISTS\b", re.IGNORECASE)
_tags = itertools.count(1)


def poll_seconds_default() -> float:
    return float(os.environ.get("VORONKA_POLL_SECONDS", "60"))


def idle_supported(conn: imaplib.IMAP4) -> bool:
    """Whether the server advertises IDLE, asked after login (capabilities may change then)."""
    typ, data = conn.capability()
    if typ == "OK" and data and data[-1]:
        return "IDLE" in data[-1].decode("ascii", "replace").upper().split()
    return "IDLE" in conn.capabilities


class _Lines:
    """Response lines read straight from the socket, each read with its own deadline.

    Not through `conn.readline()`: imaplib reads a `sock.makefile()`, and once a read on it
    times out it refuses every later read ("cannot read from timed out object"). Before IDLE
    imaplib's buffer is empty: the server sends nothing after a tagged reply until the next
    command.
    """

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""

    def readline(self, timeout: float) -> bytes | None:
        """The next line without CRLF, or None when nothing complete came within `timeout`."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            previous = self.sock.gettimeout()
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return None
            finally:
                self.sock.settimeout(previous)
            if not chunk:
                raise MailError("IDLE: the server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r")

    def expect(self, what: str) -> bytes:
        line = self.readline(TIMEOUT)
        if line is None:
            raise MailError(f"IDLE: no answer to {what} in {TIMEOUT} s")
        if line.upper().startswith(b"* BYE"):
            raise MailError(f"IDLE: the server said {line.decode('utf-8', 'replace')}")
        return line


def idle_wait(conn: imaplib.IMAP4, timeout: float, stop: threading.Event | None = None) -> bool:
    """IDLE on the selected folder for up to `timeout` s, or until `stop` is set.

    Returns True as soon as the server reports `* N EXISTS` (new mail), False otherwise.
    Always ends with DONE and the tagged OK, so the connection can be used again.
    """
    reader = _Lines(conn.sock)
    tag = b"VI%d" % next(_tags)
    conn.send(tag + b" IDLE\r\n")
    new = False
    # Untagged updates pending since the last command may come before the continuation.
    line = reader.expect("IDLE")
    while not line.startswith(b"+"):
        if line.startswith(tag + b" "):
            raise MailError(f"IDLE refused: {line.decode('utf-8', 'replace')}")
        new = new or bool(_EXISTS.match(line))
        line = reader.expect("IDLE")
    deadline = time.monotonic() + timeout
    while not new and not (stop is not None and stop.is_set()):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        line = reader.readline(min(STOP_CHECK, remaining))
        if line is None:
            continue
        if line.upper().startswith(b"* BYE"):
            raise MailError(f"IDLE: the server said {line.decode('utf-8', 'replace')}")
        # Anything else (`* OK Still here`, flag changes, EXPUNGE) needs no poll.
        new = bool(_EXISTS.match(line))
    conn.send(b"DONE\r\n")
    while True:
        line = reader.expect("DONE")
        if line.startswith(tag + b" "):
            if not line[len(tag) + 1:].upper().startswith(b"OK"):
                raise MailError(f"IDLE failed: {line.decode('utf-8', 'replace')}")
            return new
        new = new or bool(_EXISTS.match(line))


class _Backoff:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delay = BACKOFF_MIN

    def wait(self, stop: threading.Event) -> None:
        stop.wait(self.delay)
        self.delay = min(self.delay * 2, BACKOFF_MAX)


def _mailbox(mailbox_id: int) -> Mailbox | None:
    """The mailbox as it is now, or None when it was deleted, deactivated or set to SMTP only."""
    try:
        return mailboxes_pollable().filter(pk=mailbox_id).first()
    finally:
        # A wait can last 29 minutes: no database connection is held through it.
        connection.close()


def _poll(mailbox_id: int) -> bool:
    """One `mailbox_poll` on a fresh copy (another process may have moved `last_uid`)."""
    mailbox = _mailbox(mailbox_id)
    if mailbox is None:
        return False
    try:
        mailbox_poll(mailbox)
    finally:
        connection.close()
    return True


def _session(mailbox_id: int, stop: threading.Event, poll_seconds: float, idle_seconds: float,
             backoff: _Backoff) -> bool:
    """One connection's life; False when the mailbox is no longer to be read."""
    mailbox = _mailbox(mailbox_id)
    if mailbox is None:
        return False
    conn = imap_connect(mailbox)
    try:
        idle = idle_supported(conn)
        if idle:
            folder_examine(conn, mailbox)
    except BaseException:
        _logout(conn)
        raise
    if not idle:
        _logout(conn)
        log.info("mailbox %s: the server has no IDLE, polling every %s s", mailbox_id,
                 poll_seconds)
        while not stop.is_set():
            if not _poll(mailbox_id):
                return False
            backoff.reset()
            stop.wait(poll_seconds)
        return True
    try:
        if not _poll(mailbox_id):
            return False
        backoff.reset()
        while not stop.is_set():
            idle_wait(conn, idle_seconds, stop)
            # On new mail, and after each renewal too: a cheap check against a lost notice.
            if not stop.is_set() and not _poll(mailbox_id):
                return False
        return True
    finally:
        _logout(conn)


def _logout(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        conn.logout()


def _error_record(mailbox_id: int, exc: BaseException) -> None:
    try:
        Mailbox.objects.filter(pk=mailbox_id).update(
            last_polled_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}"[:2000])
    except Exception:
        log.exception("mailbox %s: recording the error failed", mailbox_id)
    finally:
        connection.close()


def mailbox_idle_loop(mailbox_id: int, stop: threading.Event, *, poll_seconds: float | None = None,
                      idle_seconds: float = IDLE_RENEW) -> None:
    """Read one mailbox until `stop` is set or it is no longer an active IMAP mailbox.

    Polls once, then waits on IDLE and polls on new mail; without IDLE on the server, polls
    every `poll_seconds` (default `VORONKA_POLL_SECONDS`). Never raises: an error is recorded
    in `Mailbox.last_error` and the loop reconnects after 5, 10, … up to 300 s.
    """
    poll_seconds = poll_seconds_default() if poll_seconds is None else poll_seconds
    backoff = _Backoff()
    try:
        while not stop.is_set():
            try:
                if not _session(mailbox_id, stop, poll_seconds, idle_seconds, backoff):
                    return
            except Exception as exc:  # this thread is the mailbox's only reader: it must live on
                if not isinstance(exc, (OSError, imaplib.IMAP4.error, MailError)):
                    log.exception("mailbox %s: unexpected error", mailbox_id)
                else:
                    log.warning("mailbox %s: %s: %s", mailbox_id, type(exc).__name__, exc)
                _error_record(mailbox_id, exc)
                backoff.wait(stop)
    finally:
        connection.close()


def _settings(mailbox: Mailbox) -> tuple:
    # A change to any of these restarts the mailbox's thread with the new values.
    return (mailbox.host, mailbox.port, mailbox.ssl, mailbox.username, mailbox.password,
            mailbox.folder)


def mailboxes_watch(stop: threading.Event, *, poll_seconds: float | None = None,
                    idle_seconds: float = IDLE_RENEW) -> None:
    """Keep one `mailbox_idle_loop` thread per active IMAP mailbox until `stop` is set.

    The list is re-read every `poll_seconds`: a new mailbox gets a thread, a deleted,
    deactivated or SMTP-only one has its thread stopped, changed settings restart it.
    """
    poll_seconds = poll_seconds_default() if poll_seconds is None else poll_seconds
    running: dict[int, tuple[tuple, threading.Event, threading.Thread]] = {}
    # Threads told to stop but maybe still in a poll: no second reader starts beside one.
    stopping: dict[int, threading.Thread] = {}
    try:
        while not stop.is_set():
            try:
                wanted = {mailbox.pk: _settings(mailbox) for mailbox in mailboxes_pollable()}
            except Exception:
                log.exception("reading the mailboxes failed")
                wanted = None
            finally:
                connection.close()
            stopping = {pk: thread for pk, thread in stopping.items() if thread.is_alive()}
            if wanted is not None:
                for pk, (settings, own_stop, thread) in list(running.items()):
                    if wanted.get(pk) != settings or not thread.is_alive():
                        own_stop.set()
                        stopping[pk] = thread
                        del running[pk]
                for pk, settings in wanted.items():
                    if pk not in running and pk not in stopping:
                        running[pk] = _start(pk, settings, poll_seconds, idle_seconds)
            # Sooner while a restart waits for the old thread to finish.
            stop.wait(STOP_CHECK if stopping else poll_seconds)
    finally:
        for _, own_stop, _ in running.values():
            own_stop.set()
        for thread in [*stopping.values(), *(thread for *_, thread in running.values())]:
            thread.join(timeout=TIMEOUT)


def _start(pk: int, settings: tuple, poll_seconds: float,
           idle_seconds: float) -> tuple[tuple, threading.Event, threading.Thread]:
    own_stop = threading.Event()
    thread = threading.Thread(
        target=mailbox_idle_loop, args=(pk, own_stop),
        kwargs={"poll_seconds": poll_seconds, "idle_seconds": idle_seconds},
        name=f"voronka-mailbox-{pk}", daemon=True)
    thread.start()
    return settings, own_stop, thread
