"""`voronka import FILE [--dry-run] [--map "Колонка=поле" …] [--source CODE] [--responsible USER]
[--slow] [--background]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from voronka.accounts.models import User
from voronka.imports.models import ImportJob, JobStatus
from voronka.intake.imports.mapping import FIELDS, mapping_parse
from voronka.intake.imports.service import job_run


class ProgressBar:
    def __init__(self, stream, width: int = 30) -> None:
        self.stream, self.width, self.last = stream, width, -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if not total else done * 100 // total
        if percent == self.last and done != total:
            return
        self.last = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} ({percent}%)", ending="")
        if done >= total:
            self.stream.write("")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import leads from a CSV or XLSX file (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (any delimiter, UTF-8 or windows-1251) or XLSX.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check every row and print the report; write no leads.")
        parser.add_argument("--map", action="append", default=[], dest="mapping",
                            metavar="КОЛОНКА=ПОЛЕ",
                            help=f"Column to field ({', '.join(FIELDS)}; «-» ignores the column).")
        parser.add_argument("--source", default="", help="Source code for rows without one.")
        parser.add_argument("--responsible", default="", metavar="USERNAME",
                            help="Give every new lead to this user (default: round robin).")
        parser.add_argument("--slow", action="store_true",
                            help="Send each row through the intake on its own (no bulk writes).")
        parser.add_argument("--background", action="store_true",
                            help="Queue the import for `voronka worker` and print the job id.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Нет файла {path}.")
        try:
            mapping = mapping_parse(options["mapping"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        responsible = None
        if options["responsible"]:
            if options["slow"]:
                raise CommandError("--responsible работает только без --slow.")
            responsible = User.objects.filter(username=options["responsible"],
                                              is_active=True).first()
            if responsible is None:
                raise CommandError(f"Нет активного пользователя «{options['responsible']}».")
        job = ImportJob.objects.create(
            file_name=path.name, file_path=str(path.resolve()), dry_run=options["dry_run"],
            mapping=mapping, source_code=options["source"], slow=options["slow"],
            responsible=responsible)
        if options["background"]:
            from voronka.imports.tasks import import_job_task

            import_job_task.enqueue(job.pk)
            self.stdout.write(f"Импорт #{job.pk} поставлен в очередь "
                              f"(GET /api/v1/imports/{job.pk}).")
            return
        bar = ProgressBar(self.stderr)
        job = job_run(job.pk, progress=bar)
        if job.status == JobStatus.FAILED:
            raise CommandError(job.error)
        report = job.report
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write("Колонки: " + ", ".join(f"{c} → {f}" for c, f in report["mapping"].items()))
        for row in report["rows"]:
            self.stdout.write(f"строка {row['row']}: {row['status']} — "
                              + " ".join(row.get("messages", [])))
        totals = report["totals"]
        verb = "пробный прогон, ничего не записано" if report["dry_run"] else "импорт"
        self.stdout.write(
            f"Импорт #{job.pk} ({verb}): строк {totals['total']}, готовы {totals['ok']}, "
            f"создано {totals['created']}, пропущено {totals['skipped']} "
            f"(дубли {totals['duplicate']}, уже в базе {totals['exists']}, "
            f"уже импортированы {totals['imported']}), ошибок {totals['error'] + totals['failed']}.")
