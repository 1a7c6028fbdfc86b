"""`voronka smtpd [--host 127.0.0.1] [--port 2525]`: accept mail for the mailboxes over SMTP.

`--tls-cert FILE --tls-key FILE` offer STARTTLS; `--auth` requires SMTP AUTH with
`VORONKA_SMTPD_USER` / `VORONKA_SMTPD_PASSWORD` from the environment (over TLS only, unless
`--auth-plaintext-ok`).
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from voronka.mail.smtp import DATA_SIZE_LIMIT, Credentials, SmtpConfigError, smtp_controller


class Command(BaseCommand):
    help = "Receive e-mail over SMTP (your own MX) and turn it into leads."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on.")
        parser.add_argument("--max-size", type=int, default=DATA_SIZE_LIMIT,
                            help="Largest message accepted, bytes (default 25 MB).")
        parser.add_argument("--tls-cert", metavar="FILE",
                            help="Certificate (PEM, with its chain) for STARTTLS.")
        parser.add_argument("--tls-key", metavar="FILE", help="Private key (PEM) for STARTTLS.")
        parser.add_argument("--require-starttls", action="store_true",
                            help="Refuse everything but EHLO/STARTTLS/QUIT before STARTTLS.")
        parser.add_argument("--auth", action="store_true",
                            help="Require SMTP AUTH (PLAIN/LOGIN) with VORONKA_SMTPD_USER and "
                                 "VORONKA_SMTPD_PASSWORD from the environment.")
        parser.add_argument("--auth-plaintext-ok", action="store_true",
                            help="Allow AUTH without TLS (only on a trusted network).")

    def handle(self, *args, **options):
        try:
            controller = smtp_controller(
                options["host"], options["port"], options["max_size"],
                tls_cert=options["tls_cert"], tls_key=options["tls_key"],
                require_starttls=options["require_starttls"],
                auth=Credentials.from_environ() if options["auth"] else None,
                auth_plaintext_ok=options["auth_plaintext_ok"])
        except SmtpConfigError as exc:
            raise CommandError(str(exc)) from exc
        try:
            controller.start()
        except Exception as exc:
            raise CommandError(f"Не удалось запустить SMTP-сервер: {exc}") from exc
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        features = [name for name, on in (("STARTTLS", options["tls_cert"]),
                                          ("AUTH", options["auth"])) if on]
        self.stdout.write(f"smtpd слушает {options['host']}:{options['port']}"
                          + (f" ({', '.join(features)})" if features else "") + ".")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
        self.stdout.write("smtpd остановлен.")
