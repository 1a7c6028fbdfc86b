"""`voronka intake retry [--id N | --failed]`: re-run inbound events."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from voronka.intake.models import EventState
from voronka.intake.services.events import events_retry


class Command(BaseCommand):
    help = "Re-run failed or unprocessed inbound events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="Process events again.")
        which = retry.add_mutually_exclusive_group(required=True)
        which.add_argument("--id", type=int, dest="event_id", help="One event by its id.")
        which.add_argument("--failed", action="store_true",
                           help="Every failed event and every one never processed.")

    def handle(self, *args, **options):
        events = events_retry(event_id=options["event_id"], failed=options["failed"])
        if options["event_id"] and not events:
            raise CommandError(f"Нет события с id {options['event_id']}.")
        failed = [e for e in events if e.state == EventState.FAILED]
        for event in failed:
            self.stderr.write(f"#{event.pk} {event.provider}: {event.error}")
        self.stdout.write(f"Обработано: {len(events) - len(failed)}, с ошибкой: {len(failed)}.")
        if failed:
            raise CommandError("Часть событий снова завершилась ошибкой.")
