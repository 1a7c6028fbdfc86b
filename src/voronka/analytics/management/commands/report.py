"""`voronka report NAME --from D --to D [--tz Z] [--format csv|json|xlsx] [--model M] [--output FILE]`."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.analytics.export import FORMATS, result_export
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import REPORTS, report_run
from voronka.analytics.scope import ReportFilters


class Command(BaseCommand):
    help = "Печатает отчёт аналитики за период (все данные, как у администратора)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Отчёт: " + ", ".join(sorted(REPORTS)))
        parser.add_argument("--from", dest="date_from", required=True, help="ГГГГ-ММ-ДД, включительно")
        parser.add_argument("--to", dest="date_to", required=True, help="ГГГГ-ММ-ДД, включительно")
        parser.add_argument("--tz", default=None, help="часовой пояс периода (по умолчанию TIME_ZONE)")
        parser.add_argument("--format", default="csv", choices=FORMATS)
        parser.add_argument("--model", default=None, help="модель атрибуции / вид воронки")
        parser.add_argument("--window", type=int, default=None,
                            help="attribution: дней касаний до выигрыша (по умолчанию 28)")
        parser.add_argument("--output", default=None, help="файл (по умолчанию stdout)")
        for name in ("source", "campaign", "manager", "pipeline", "repeat"):
            parser.add_argument(f"--{name}", default=None)

    def handle(self, *args, **options) -> None:
        try:
            period = period_parse(options["date_from"], options["date_to"], options["tz"])
            filters = ReportFilters.from_mapping(
                {k: options[k] for k in ("source", "campaign", "manager", "pipeline", "repeat")})
            result = report_run(options["name"], period=period, user=None, filters=filters,
                                model=options["model"], window_days=options["window"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        data = result_export(result, options["format"])
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(data)
        elif options["format"] == "xlsx" and sys.stdout.isatty():
            raise CommandError("XLSX не печатается в терминал: укажите --output FILE.")
        else:
            self.stdout.flush()
            stream = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(stream, "buffer"):
                stream.buffer.write(data)
                stream.flush()
            else:
                stream.write(data.decode("utf-8", errors="replace"))
