"""`voronka serve`: migrate, collect static files, then run gunicorn."""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply migrations and serve Voronka over HTTP with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("VORONKA_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrations.")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Events acknowledged just before a crash were stored but maybe not processed.
        from voronka.intake.services.events import events_pending_process

        events_pending_process()
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Voronka: http://{bind}/  (Ctrl+C to stop)")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "voronka.wsgi:application",
            "--bind", bind,
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--worker-class", "gthread",
            "--access-logfile", "-",
            "--graceful-timeout", "10",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
        os.execv(sys.executable, argv)
