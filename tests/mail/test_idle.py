"""IMAP IDLE against the real Dovecot: new mail is read within seconds, not at the next poll."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command

from tests.concurrency import shared_database
from tests.mail.conftest import PASSWORD, USER
from tests.mail.test_imap import message
from voronka.crm.models import Lead, Source
from voronka.mail import idle
from voronka.mail.imap import folder_examine, imap_connect
from voronka.mail.models import Mailbox

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Long enough that only IDLE, never the polling interval, can explain a quick pick-up.
NEVER = 3600.0


def wait_for(predicate, timeout: float = 5.0) -> float:
    """Seconds until `predicate()` held; fails the test after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def lead_exists(address: str):
    return lambda: Lead.objects.filter(communications__value=address).exists()


@pytest.fixture
def shared(tmp_path):
    # The loop runs in threads: they must see this test's rows.
    with shared_database(tmp_path):
        yield


def make_mailbox(dovecot, imap, **fields) -> Mailbox:
    values = {"name": f"Продажи {imap.folder}", "host": dovecot["host"], "port": dovecot["port"],
              "ssl": False, "username": USER, "password": PASSWORD, "folder": imap.folder,
              "source": Source.objects.get(code="AVITO"), **fields}
    return Mailbox.objects.create(**values)


@pytest.fixture
def box(shared, dovecot, imap) -> Mailbox:
    return make_mailbox(dovecot, imap)


class Loop:
    """`mailbox_idle_loop` in a thread, stopped and joined at the end of the test."""

    def __init__(self, mailbox: Mailbox, **kwargs):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=idle.mailbox_idle_loop,
                                       args=(mailbox.pk, self.stop), kwargs=kwargs, daemon=True)
        self.thread.start()

    def close(self) -> float:
        """Stop the loop; return how long it took."""
        start = time.monotonic()
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the IDLE loop did not stop"
        return time.monotonic() - start


@pytest.fixture
def run_loop():
    loops: list[Loop] = []

    def start(mailbox: Mailbox, **kwargs) -> Loop:
        loops.append(Loop(mailbox, **kwargs))
        return loops[-1]

    yield start
    for loop in loops:
        loop.close()


def polled(mailbox: Mailbox):
    return lambda: Mailbox.objects.get(pk=mailbox.pk).last_polled_at is not None


def test_dovecot_advertises_idle(box):
    conn = imap_connect(box)
    try:
        assert idle.idle_supported(conn)
    finally:
        conn.logout()


def test_idle_wait_returns_on_new_mail_and_leaves_the_connection_usable(box, imap):
    conn = imap_connect(box)
    try:
        folder_examine(conn, box)
        assert idle.idle_wait(conn, 0.3) is False  # nothing new: the timeout ends the wait
        timer = threading.Timer(0.3, imap.append, args=(message(sender="w@x.ru"),))
        timer.start()
        start = time.monotonic()
        assert idle.idle_wait(conn, 30) is True
        assert time.monotonic() - start < 5
        timer.join()
        assert conn.noop()[0] == "OK"  # DONE was answered and read: the next command works
        stop = threading.Event()
        stop.set()
        assert idle.idle_wait(conn, 30, stop) is False  # a stop request ends the wait at once
    finally:
        conn.logout()


def test_loop_picks_new_mail_up_within_seconds(box, imap, run_loop):
    imap.append(message(sender="before@x.ru"))
    loop = run_loop(box, poll_seconds=NEVER)
    wait_for(lead_exists("before@x.ru"))  # the first poll, before any IDLE
    for sender in ("first@x.ru", "second@x.ru"):
        imap.append(message(sender=sender))
        assert wait_for(lead_exists(sender)) < 5  # about 0.5 s on an idle machine
    box.refresh_from_db()
    assert box.last_uid == 3 and box.last_error == ""
    assert loop.close() < 3


def test_idle_over_ssl(shared, dovecot, imap, run_loop):
    # IMAPS: the wait reads an SSL socket, whose timeouts and buffering differ from a plain one.
    box = make_mailbox(dovecot, imap, ssl=True, port=dovecot["ssl_port"])
    loop = run_loop(box, poll_seconds=NEVER)
    wait_for(polled(box))
    imap.append(message(sender="tls@x.ru"))
    wait_for(lead_exists("tls@x.ru"))
    assert Mailbox.objects.get(pk=box.pk).last_error == ""
    assert loop.close() < 3


def test_server_without_idle_is_polled(box, imap, run_loop, monkeypatch):
    monkeypatch.setattr(idle, "idle_supported", lambda conn: False)

    def no_idle(*args, **kwargs):
        raise AssertionError("IDLE issued to a server without it")

    monkeypatch.setattr(idle, "idle_wait", no_idle)
    run_loop(box, poll_seconds=0.3)
    wait_for(polled(box))
    imap.append(message(sender="polled@x.ru"))
    wait_for(lead_exists("polled@x.ru"))
    assert Mailbox.objects.get(pk=box.pk).last_error == ""


def test_error_recorded_then_recovered(box, imap, run_loop, monkeypatch):
    monkeypatch.setattr(idle, "BACKOFF_MIN", 0.1)
    Mailbox.objects.filter(pk=box.pk).update(password="wrong")
    run_loop(box, poll_seconds=NEVER)
    wait_for(lambda: Mailbox.objects.get(pk=box.pk).last_error != "")
    Mailbox.objects.filter(pk=box.pk).update(password=PASSWORD)  # each retry reads the mailbox
    imap.append(message(sender="after-fix@x.ru"))
    wait_for(lead_exists("after-fix@x.ru"))
    # the poll clears the error once it has processed its messages, a moment after the lead
    wait_for(lambda: Mailbox.objects.get(pk=box.pk).last_error == "")


def test_loop_ends_when_the_mailbox_is_switched_to_smtp_only(box, imap, run_loop):
    loop = run_loop(box, poll_seconds=NEVER)
    wait_for(polled(box))
    Mailbox.objects.filter(pk=box.pk).update(imap_enabled=False, address="sales@okna-plus.ru")
    imap.append(message(sender="late@x.ru"))  # wakes the IDLE; the poll finds the switch off
    wait_for(lambda: not loop.thread.is_alive())
    assert not lead_exists("late@x.ru")()


def mailbox_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("voronka-mailbox-")}


def test_watch_runs_a_thread_per_imap_mailbox(shared, dovecot, imap):
    box = make_mailbox(dovecot, imap)
    smtp_only = Mailbox.objects.create(name="MX", imap_enabled=False, address="mx@okna-plus.ru",
                                       source=Source.objects.get(code="AVITO"))
    stop = threading.Event()
    watcher = threading.Thread(target=idle.mailboxes_watch, args=(stop,),
                               kwargs={"poll_seconds": 0.2}, daemon=True)
    watcher.start()
    try:
        wait_for(lambda: f"voronka-mailbox-{box.pk}" in mailbox_threads())
        imap.append(message(sender="watched@x.ru"))
        wait_for(lead_exists("watched@x.ru"))
        assert f"voronka-mailbox-{smtp_only.pk}" not in mailbox_threads()
        # a changed setting restarts the mailbox's reader; a deactivated mailbox loses it
        first = next(t for t in threading.enumerate() if t.name == f"voronka-mailbox-{box.pk}")
        Mailbox.objects.filter(pk=box.pk).update(password="changed")
        wait_for(lambda: not first.is_alive() and f"voronka-mailbox-{box.pk}" in mailbox_threads())
        Mailbox.objects.filter(pk=box.pk).update(is_active=False)
        wait_for(lambda: f"voronka-mailbox-{box.pk}" not in mailbox_threads(), timeout=10)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()
    assert not mailbox_threads()


def test_worker_reads_mail_over_idle(box, imap, monkeypatch):
    """`voronka worker` itself: the mailbox threads beside the task worker."""
    from voronka.core.management.commands import worker

    seen = {}

    def fake_call_command(name, *args, **kwargs):
        if name == "db_worker":  # stands in for the task queue while the mail threads run
            wait_for(lambda: f"voronka-mailbox-{box.pk}" in mailbox_threads())
            imap.append(message(sender="worker@x.ru"))
            seen["seconds"] = wait_for(lead_exists("worker@x.ru"))

    monkeypatch.setattr(worker, "call_command", fake_call_command)
    monkeypatch.setenv("VORONKA_POLL_SECONDS", str(NEVER))
    call_command("worker", "--interval", str(NEVER))
    assert seen["seconds"] < 5
    wait_for(lambda: not mailbox_threads())
