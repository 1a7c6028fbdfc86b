"""`voronka analytics rebuild [--from D] [--to D]` and `voronka analytics refresh`."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.analytics.periods import date_parse
from voronka.analytics.rollups import rollups_rebuild, rollups_refresh


class Command(BaseCommand):
    help = "Сводки аналитики: пересчитать дни с нуля (rebuild) или только помеченные (refresh)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="пересчитать все дни (или период) с нуля")
        rebuild.add_argument("--from", dest="date_from", default=None)
        rebuild.add_argument("--to", dest="date_to", default=None)
        sub.add_parser("refresh", help="пересчитать дни, помеченные изменениями")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            if options["action"] == "rebuild":
                date_from = date_parse(options["date_from"], "from") if options["date_from"] else None
                date_to = date_parse(options["date_to"], "to") if options["date_to"] else None
                days = rollups_rebuild(date_from, date_to)
            else:
                days = rollups_refresh()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Пересчитано дней: {days} за {time.perf_counter() - started:.1f} с")
