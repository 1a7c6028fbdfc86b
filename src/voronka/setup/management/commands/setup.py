"""`voronka setup apply FILE [--dry-run]`: apply a configuration file (see docs/setup-file.md)."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from voronka.setup.errors import SetupValidationError
from voronka.setup.services import setup_apply_file


class Command(BaseCommand):
    help = "Apply the CRM set-up from a YAML or JSON file (configuration as code)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser(
            "apply", help="Create or update what the file names; validate it all first.")
        apply.add_argument("file", help="Path to the YAML or JSON set-up file.")
        apply.add_argument("--dry-run", action="store_true",
                           help="Validate and print what would change, writing nothing.")
        # Django's -v belongs to the parent parser, so `setup apply FILE -v 2` would be refused;
        # SUPPRESS keeps the parent's value when it is not given here.
        apply.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS,
                           help="2 lists every change.")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        try:
            report = setup_apply_file(options["file"], dry_run=dry_run)
        except SetupValidationError as exc:
            count = len(exc.issues)
            lines = "\n".join(f"  {issue}" for issue in exc.issues)
            raise CommandError(
                f"{options['file']}: {count} error(s), nothing was written:\n{lines}") from None
        if dry_run:
            self.stdout.write("Dry run: nothing was written. Would apply:")
        for line in report.lines(details=dry_run or options["verbosity"] >= 2):
            self.stdout.write(line)
