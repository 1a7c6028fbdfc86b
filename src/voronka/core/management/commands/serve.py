"""`voronka serve`: migrate, collect static files, start the worker, then run gunicorn.

One command runs the whole product: the worker (background tasks, the inbound event loop,
mail) runs as a child process unless --no-worker, and leaves when the server does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply migrations and serve Voronka over HTTP with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("VORONKA_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "2")))
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrations.")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start `voronka worker` (run it yourself, e.g. elsewhere).")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Events acknowledged just before a crash were stored but maybe not processed.
        from voronka.intake.services.events import events_pending_process

        events_pending_process()
        if not options["no_worker"]:
            # gunicorn replaces this process below (same pid): the worker watches that pid.
            voronka = Path(sys.executable).with_name("voronka")
            subprocess.Popen([str(voronka), "worker", "--no-migrate", "--parent-pid", str(os.getpid())])
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
