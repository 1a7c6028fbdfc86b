"""`voronka mail poll [--once]`: read new messages from every active mailbox."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from voronka.mail.imap import PollResult, mailboxes_poll


class Command(BaseCommand):
    help = "Poll the IMAP mailboxes and turn new messages into leads."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="Fetch new messages.")
        poll.add_argument("--once", action="store_true", help="Poll once and exit.")
        poll.add_argument("--interval", type=int, default=60, help="Seconds between polls.")

    def handle(self, *args, **options):
        while True:
            failed = self._poll_once()
            if options["once"]:
                if failed:
                    raise CommandError("Часть ящиков не удалось опросить.")
                return
            time.sleep(max(1, options["interval"]))

    def _poll_once(self) -> bool:
        failed = False
        for name, result in mailboxes_poll().items():
            if isinstance(result, PollResult):
                self.stdout.write(f"{name}: получено {result.fetched}, новых {result.stored}, "
                                  f"дублей {result.duplicates}.")
            else:
                failed = True
                self.stderr.write(f"{name}: {result}")
        return failed
