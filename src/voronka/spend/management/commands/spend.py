"""`voronka spend sync [--connector SLUG] [--from D --to D]` and
`voronka spend import FILE [--source CODE] [--without-vat] [--dry-run]` (see docs/spend.md)."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from voronka.crm.models import Source
from voronka.intake.imports.reader import ImportFileError
from voronka.intake.imports.validation import date_parse
from voronka.spend.imports import spend_file_check, spend_file_import
from voronka.spend.models import SpendBatch, SpendConnector
from voronka.spend.sync import connector_sync

# The lead import's progress line, shared (its module is named after a keyword).
ProgressBar = importlib.import_module("voronka.intake.management.commands.import").ProgressBar


def _date(text: str | None, name: str):
    if not text:
        return None
    parsed = date_parse(text)
    if parsed is None:
        raise CommandError(f"{name}: «{text}» — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).")
    return parsed.date()


class Command(BaseCommand):
    help = "Ad spend: sync the connectors, or import a CSV/XLSX file of spend (docs/spend.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="Fetch spend from Yandex.Direct / Avito now.")
        sync.add_argument("--connector", default="", metavar="SLUG", help="Only this connector.")
        sync.add_argument("--from", dest="date_from", default="", help="First day (default: days_back ago).")
        sync.add_argument("--to", dest="date_to", default="", help="Last day (default: yesterday).")
        imp = sub.add_parser("import", help="Import spend from a CSV or XLSX file.")
        imp.add_argument("file")
        imp.add_argument("--source", default="", help="Source code for rows without one.")
        imp.add_argument("--without-vat", action="store_true", help="The file's amounts exclude VAT.")
        imp.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")

    def handle(self, *args, **options):
        if options["action"] == "sync":
            return self._sync(options)
        return self._import(options)

    def _print_batch(self, batch: SpendBatch) -> None:
        self.stdout.write(batch.log.rstrip())
        style = self.style.SUCCESS if batch.status == SpendBatch.Status.DONE else self.style.ERROR
        self.stdout.write(style(f"#{batch.pk}: {batch.get_status_display()}, строк {batch.rows}"))

    def _sync(self, options) -> None:
        connectors = SpendConnector.objects.select_related("source").order_by("slug")
        if options["connector"]:
            connectors = connectors.filter(slug=options["connector"])
            if not connectors:
                raise CommandError(f"Нет подключения «{options['connector']}».")
        else:
            connectors = connectors.filter(enabled=True)
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to") or date_from
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to раньше --from.")
        connectors = list(connectors)
        progress = ProgressBar(self.stdout)
        failed = 0
        for number, connector in enumerate(connectors):
            progress(number, len(connectors))
            batch = connector_sync(connector, date_from, date_to)
            self.stdout.write("")
            self._print_batch(batch)
            failed += batch.status != SpendBatch.Status.DONE
        progress(len(connectors), len(connectors))
        if failed:
            raise CommandError(f"Синхронизаций с ошибкой: {failed}.")

    def _import(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Нет файла {path}.")
        source = None
        if options["source"]:
            source = Source.objects.filter(code=options["source"]).first()
            if source is None:
                raise CommandError(f"Нет источника с кодом «{options['source']}».")
        run = spend_file_check if options["dry_run"] else spend_file_import
        try:
            batch = run(path.read_bytes(), file_name=path.name, default_source=source,
                        has_vat=not options["without_vat"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        report = batch.report
        for row in report.get("rows", []):
            self.stdout.write(f"строка {row['row']}: {' '.join(row['messages'])}")
        self.stdout.write(f"Строк: {report.get('total', 0)}, в порядке: {report.get('ok', 0)}, "
                          f"с ошибками: {report.get('error', 0)}, сумма: {report.get('amount', '0')} ₽")
        ProgressBar(self.stdout)(100 if batch.status == "done" else batch.progress, 100)
        self._print_batch(batch)
        if batch.status != SpendBatch.Status.DONE:
            raise CommandError(batch.error or "Файл не загружен.")
