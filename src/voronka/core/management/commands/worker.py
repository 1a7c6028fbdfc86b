"""`voronka worker`: runs queued background tasks (the database queue by default)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Exit once the queue is empty.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", *extra)
