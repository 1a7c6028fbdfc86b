"""A real Dovecot IMAP server for the mail tests, started once per test process."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from voronka.crm.models import Source
from voronka.mail.models import Mailbox

USER, PASSWORD = "crm", "secret-Voronka"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(root: Path, port: int, ssl_port: int, certificate: dict[str, str]) -> str:
    if os.getuid() == 0:
        # Dovecot refuses uid 0 for mail processes: run them as its own user.
        internal, login = "dovecot", "dovenull"
        mail_user = pwd.getpwnam("dovecot")
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwuid(os.getuid())
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{certificate["cert"]}
ssl_key = <{certificate["key"]}
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""", mail_user


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> dict[str, str]:
    """A self-signed certificate for 127.0.0.1 (IMAPS here, STARTTLS in the smtpd tests)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed: the mail tests make their certificate with it",
                    pytrace=False)
    root = tmp_path_factory.mktemp("tls")
    root.chmod(0o755)
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return {"cert": str(cert), "key": str(key)}


@pytest.fixture(scope="session")
def dovecot(certificate):
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists()
                                         else None)
    if binary is None:
        pytest.fail("Dovecot is not installed: the mail tests need a real IMAP server. "
                    "Install the Debian package: apt-get install dovecot-imapd "
                    "(scripts/test does it).", pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="voronka-dovecot-"))
    root.chmod(0o755)
    port = ssl_port = _free_port()
    while ssl_port == port:
        ssl_port = _free_port()
    text, mail_user = _config(root, port, ssl_port, certificate)
    (root / "dovecot.conf").write_text(text)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    for sub in ("mail", "home"):
        (root / sub).mkdir()
        if os.getuid() == 0:
            os.chown(root / sub, mail_user.pw_uid, mail_user.pw_gid)
    proc = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                proc.kill()
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"Dovecot did not start on port {port}:\n{out}\n{log}", pytrace=False)
            time.sleep(0.05)
    yield {"host": "127.0.0.1", "port": port, "ssl_port": ssl_port, "root": root}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(root, ignore_errors=True)


class Imap:
    """Delivering messages the way a mail server would: APPEND over IMAP."""

    def __init__(self, server: dict, folder: str):
        self.server, self.folder = server, folder
        self.create()

    def _conn(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.server["host"], self.server["port"])
        conn.login(USER, PASSWORD)
        return conn

    def create(self) -> None:
        conn = self._conn()
        assert conn.create(self.folder)[0] == "OK"
        conn.logout()

    def delete(self) -> None:
        conn = self._conn()
        assert conn.delete(self.folder)[0] == "OK"
        conn.logout()

    def append(self, raw: bytes | str) -> None:
        if isinstance(raw, str):
            raw = raw.encode()
        conn = self._conn()
        typ, data = conn.append(self.folder, None, None, raw)
        assert typ == "OK", data
        conn.logout()


@pytest.fixture
def imap(dovecot) -> Imap:
    return Imap(dovecot, f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def mailbox(db, dovecot, imap) -> Mailbox:
    return Mailbox.objects.create(
        name=f"Продажи {imap.folder}", host=dovecot["host"], port=dovecot["port"], ssl=False,
        username=USER, password=PASSWORD, folder=imap.folder,
        source=Source.objects.get(code="AVITO"))
