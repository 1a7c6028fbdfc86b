"""`voronka smtpd [--host 127.0.0.1] [--port 2525]`: accept mail for the mailboxes over SMTP."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from voronka.mail.smtp import DATA_SIZE_LIMIT, smtp_controller


class Command(BaseCommand):
    help = "Receive e-mail over SMTP (your own MX) and turn it into leads."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on.")
        parser.add_argument("--max-size", type=int, default=DATA_SIZE_LIMIT,
                            help="Largest message accepted, bytes (default 25 MB).")

    def handle(self, *args, **options):
        controller = smtp_controller(options["host"], options["port"], options["max_size"])
        try:
            controller.start()
        except Exception as exc:
            raise CommandError(f"Не удалось запустить SMTP-сервер: {exc}") from exc
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"smtpd слушает {options['host']}:{options['port']}.")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
        self.stdout.write("smtpd остановлен.")
