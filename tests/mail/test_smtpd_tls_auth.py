"""`voronka smtpd` with STARTTLS and SMTP AUTH, over real SMTP with smtplib.

The certificate is self-signed, made by `openssl req` for 127.0.0.1 once per session
(tests/mail/conftest.py); the client verifies it, so the test would notice a server without TLS.
"""

from __future__ import annotations

import base64
import smtplib
import ssl

import pytest
from django.core.management import CommandError, call_command

from tests.concurrency import shared_database
from tests.mail.test_smtpd import _free_port, message
from voronka.crm.models import Lead, Source
from voronka.intake.models import EventState, InboundEvent
from voronka.mail import smtp
from voronka.mail.models import Mailbox

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

USER, PASSWORD = "relay", "s3cret-Relay-42"
CREDENTIALS = smtp.Credentials(USER, PASSWORD)
TO = "sales@okna-plus.ru"


@pytest.fixture
def start(tmp_path, certificate):
    """Start a server with the given options (TLS by default) on a free port."""
    controllers = []
    with shared_database(tmp_path):
        Mailbox.objects.create(name="Продажи", imap_enabled=False, address=TO,
                               source=Source.objects.get(code="AVITO"))

        def run(*, tls: bool = True, **options):
            if tls:
                options.update(tls_cert=certificate["cert"], tls_key=certificate["key"])
            controller = smtp.smtp_controller("127.0.0.1", _free_port(), **options)
            controller.start()
            controllers.append(controller)
            return controller

        try:
            yield run
        finally:
            for controller in controllers:
                controller.stop()


def client(server, certificate, *, tls: bool = True) -> smtplib.SMTP:
    conn = smtplib.SMTP(server.hostname, server.port, timeout=30)
    conn.ehlo()
    if tls:
        assert conn.has_extn("starttls")
        conn.starttls(context=ssl.create_default_context(cafile=certificate["cert"]))
        assert isinstance(conn.sock, ssl.SSLSocket)
        conn.ehlo()
    return conn


def test_starttls_and_good_auth_deliver(start, certificate):
    server = start(auth=CREDENTIALS)
    with client(server, certificate, tls=False) as conn:
        assert not conn.has_extn("auth")  # no AUTH offered before TLS
    with client(server, certificate) as conn:
        assert set(conn.esmtp_features["auth"].split()) == {"LOGIN", "PLAIN"}
        assert conn.login(USER, PASSWORD)[0] == 235
        assert conn.sendmail("ivan@example.ru", [TO], message()) == {}
    event = InboundEvent.objects.get(provider="email")
    assert event.state == EventState.PROCESSED
    assert Lead.objects.filter(communications__value="ivan@example.ru").exists()


def test_auth_login_mechanism(start, certificate):
    server = start(auth=CREDENTIALS)
    with client(server, certificate) as conn:
        conn.user, conn.password = USER, PASSWORD
        assert conn.auth("LOGIN", conn.auth_login)[0] == 235
        assert conn.sendmail("ivan@example.ru", [TO], message()) == {}
    assert InboundEvent.objects.filter(provider="email").count() == 1


@pytest.mark.parametrize(("user", "password"), [(USER, "wrong"), ("other", PASSWORD), ("", "")])
def test_wrong_credentials_refused_535(start, certificate, user, password):
    server = start(auth=CREDENTIALS)
    with client(server, certificate) as conn:
        with pytest.raises(smtplib.SMTPAuthenticationError) as info:
            conn.login(user, password)
        assert info.value.smtp_code == 535
        # and the session stays unauthenticated
        assert conn.mail("ivan@example.ru")[0] == 530
    assert not InboundEvent.objects.exists()


def test_mail_without_auth_refused_530(start, certificate):
    server = start(auth=CREDENTIALS)
    with client(server, certificate) as conn:
        with pytest.raises(smtplib.SMTPSenderRefused) as info:
            conn.sendmail("ivan@example.ru", [TO], message())
        assert info.value.smtp_code == 530
    with client(server, certificate, tls=False) as conn:
        code, _text = conn.mail("ivan@example.ru")
        assert code == 530
        assert conn.rcpt(TO)[0] == 530
    assert not InboundEvent.objects.exists()


def test_auth_in_plain_text_refused_538(start, certificate):
    server = start(auth=CREDENTIALS)
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    with client(server, certificate, tls=False) as conn:
        code, text = conn.docmd("AUTH", f"PLAIN {token}")
    assert code == 538, text


def test_auth_plaintext_ok_allows_auth_without_tls(start, certificate, recwarn):
    server = start(tls=False, auth=CREDENTIALS, auth_plaintext_ok=True)
    with client(server, certificate, tls=False) as conn:
        assert not conn.has_extn("starttls")
        assert conn.login(USER, PASSWORD)[0] == 235
        assert conn.sendmail("ivan@example.ru", [TO], message()) == {}
    assert InboundEvent.objects.filter(provider="email").count() == 1


def test_starttls_without_auth_still_delivers(start, certificate):
    server = start()
    with client(server, certificate) as conn:
        assert conn.sendmail("ivan@example.ru", [TO], message()) == {}
    with client(server, certificate, tls=False) as conn:  # TLS is offered, not required
        assert conn.sendmail("petr@example.ru", [TO], message()) == {}
    assert InboundEvent.objects.filter(provider="email").count() == 2


def test_require_starttls_refuses_mail_before_it(start, certificate):
    server = start(require_starttls=True)
    with client(server, certificate, tls=False) as conn:
        code, text = conn.mail("ivan@example.ru")
    assert code == 530 and b"STARTTLS" in text
    with client(server, certificate) as conn:
        assert conn.sendmail("ivan@example.ru", [TO], message()) == {}


def test_credentials_come_from_the_environment():
    assert smtp.Credentials.from_environ(
        {"VORONKA_SMTPD_USER": "u", "VORONKA_SMTPD_PASSWORD": "p"}) == smtp.Credentials("u", "p")
    assert "p" not in repr(smtp.Credentials("u", "p")).replace("password", "")
    for environ in ({}, {"VORONKA_SMTPD_USER": "u"}, {"VORONKA_SMTPD_PASSWORD": "p"}):
        with pytest.raises(smtp.SmtpConfigError, match="VORONKA_SMTPD_PASSWORD"):
            smtp.Credentials.from_environ(environ)


@pytest.mark.parametrize(("args", "error"), [
    (["--auth"], "VORONKA_SMTPD_USER"),
    (["--tls-cert", "/nonexistent.pem"], "--tls-key"),
    (["--require-starttls"], "--tls-cert"),
    (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"], "сертификат"),
])
def test_command_refuses_unworkable_options(monkeypatch, args, error):
    monkeypatch.delenv("VORONKA_SMTPD_USER", raising=False)
    monkeypatch.delenv("VORONKA_SMTPD_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=error):
        call_command("smtpd", "--port", str(_free_port()), *args)


def test_command_refuses_auth_without_tls(monkeypatch):
    monkeypatch.setenv("VORONKA_SMTPD_USER", USER)
    monkeypatch.setenv("VORONKA_SMTPD_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="--auth-plaintext-ok"):
        call_command("smtpd", "--port", str(_free_port()), "--auth")
