"""`voronka statuses cleanup`: the lead-status clean-up from the command line (docs/statuses-cleanup.md).

    voronka statuses cleanup                              the statuses with their leads
    voronka statuses cleanup --map CODE=TARGET … [--pipeline P]   the dry-run report
    voronka statuses cleanup --map … --apply [--batch-size N]     run it, with a progress line
    voronka statuses cleanup --resume JOB_ID              go on with an interrupted run
    voronka statuses cleanup --delete-unused              delete deprecated statuses no lead uses
"""

from __future__ import annotations

import importlib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.automation import cleanup
from voronka.automation.models import StatusCleanupJob
from voronka.crm.models import Pipeline

# The lead import's progress line, shared (its module is named after a keyword).
ProgressBar = importlib.import_module("voronka.intake.management.commands.import").ProgressBar


def mapping_parse(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        code, sep, target = pair.partition("=")
        code, target = code.strip(), target.strip()
        if not sep or not code or not target:
            raise CommandError(f"--map «{pair}»: нужно КОД_СТАТУСА=КУДА, "
                               "например FIRST_CALL=MAIN:PREPARATION.")
        if code in mapping:
            raise CommandError(f"--map: статус {code} указан дважды.")
        mapping[code] = target
    return mapping


def _refused(error: ValidationError) -> CommandError:
    return CommandError("\n".join(error.messages))


class Command(BaseCommand):
    help = ("Очистка статусов лидов: перенести лиды из промежуточных статусов в сделки "
            "(docs/statuses-cleanup.md).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("cleanup", help="статусы с числом лидов, проверка и перенос")
        run.add_argument("--map", action="append", default=[], dest="mapping", metavar="КОД=КУДА",
                         help="куда перенести лиды статуса: НАПРАВЛЕНИЕ:СТАДИЯ, стадия выбранного "
                              "направления, NEW, IN_PROCESS или JUNK:ПРИЧИНА (можно повторять)")
        run.add_argument("--pipeline", default="", metavar="КОД",
                         help="направление для стадий, записанных без него")
        run.add_argument("--apply", action="store_true",
                         help="выполнить перенос (без него — только отчёт, ничего не меняется)")
        run.add_argument("--batch-size", type=int, default=cleanup.DEFAULT_BATCH,
                         help=f"лидов в одной транзакции (по умолчанию {cleanup.DEFAULT_BATCH})")
        run.add_argument("--resume", type=int, default=None, metavar="JOB_ID",
                         help="продолжить прерванную очистку")
        run.add_argument("--delete-unused", action="store_true",
                         help="удалить устаревшие статусы, в которых не осталось лидов")

    def handle(self, *args, **options) -> None:
        chosen = [name for name, on in (("--map", options["mapping"]), ("--resume", options["resume"]),
                                         ("--delete-unused", options["delete_unused"])) if on]
        if len(chosen) > 1:
            raise CommandError(f"{' и '.join(chosen)} не используются вместе.")
        if options["apply"] and not options["mapping"]:
            raise CommandError("--apply выполняет перенос по --map: укажите, куда переносить лиды.")
        if options["pipeline"] and not options["mapping"]:
            raise CommandError("--pipeline нужен только вместе с --map.")
        try:
            if options["resume"] is not None:
                self._resume(options["resume"])
            elif options["delete_unused"]:
                self._delete_unused()
            elif options["mapping"]:
                self._map(options)
            else:
                self._list()
        except ValidationError as error:
            raise _refused(error) from error

    # -- listing --------------------------------------------------------------------------

    def _list(self) -> None:
        self.stdout.write(f"{'КОД':<20} {'ОТКРЫТЫХ':>9} {'ВСЕГО':>7}  СТАТУС")
        for line in cleanup.status_counts():
            status = line.status
            mark = ("устаревший" if status.deprecated
                    else "можно перенести" if line.mappable else "системный")
            self.stdout.write(f"{status.code:<20} {line.open:>9} {line.total:>7}  {status.name} ({mark})")
        self.stdout.write("\nКуда можно переносить (--map КОД=КУДА): НАПРАВЛЕНИЕ:СТАДИЯ — сделка на этой "
                          "стадии; NEW, IN_PROCESS — рабочий статус лида; JUNK:ПРИЧИНА — некачественный.")
        for code, label in cleanup.target_choices(Pipeline.objects.filter(is_default=True).first()):
            self.stdout.write(f"  {code:<24} {label}")
        jobs = StatusCleanupJob.objects.all()[:5]
        if jobs:
            self.stdout.write("\nПоследние очистки:")
            for job in jobs:
                self._job_line(job)

    def _job_line(self, job: StatusCleanupJob) -> None:
        self.stdout.write(f"  #{job.pk} {job.get_state_display()}: перенесено {job.processed} из "
                          f"{job.total}, не перенесено {job.failed}"
                          + (f" ({job.error})" if job.error else ""))

    # -- the dry run and the run ----------------------------------------------------------

    def _map(self, options) -> None:
        plan = cleanup.plan_parse(mapping_parse(options["mapping"]), options["pipeline"])
        if not options["apply"]:
            self._report(cleanup.cleanup_preview(plan))
            self.stdout.write("\nЭто проверка: ничего не изменено. Чтобы выполнить, добавьте --apply.")
            return
        job = cleanup.job_create(plan, batch_size=options["batch_size"])
        self.stdout.write(f"Очистка #{job.pk}: статусы помечены «Не использовать», перенос лидов…")
        self._run(job)

    def _report(self, preview: cleanup.Preview) -> None:
        for line in preview.lines:
            self.stdout.write(f"{line.status.code} «{line.status.name}» → {line.target.label}: "
                              f"лидов {line.leads}")
            if line.target.kind == cleanup.TargetKind.STAGE:
                self.stdout.write(
                    f"    контакты: новых {line.new_contacts}, найдено {line.existing_contacts}; "
                    f"компании: новых {line.new_companies}, найдено {line.existing_companies}; "
                    f"без суммы (получат минимальную) {line.without_amount}; не пройдут {line.refused}")
        self.stdout.write(f"Всего лидов: {preview.leads}")
        if preview.problems:
            self.stdout.write("\nПроблемы:")
            for problem in preview.problems:
                self.stdout.write(f"  - {problem}")

    def _run(self, job: StatusCleanupJob) -> None:
        bar, shown = ProgressBar(self.stdout), [-1]

        def progress(current: StatusCleanupJob) -> None:
            done = current.processed + current.failed
            if done != shown[0]:  # the closing call repeats the last batch's figures
                shown[0] = done
                bar(done, current.total)

        try:
            job = cleanup.job_run(job, progress=progress)
        except KeyboardInterrupt:
            raise CommandError(f"Прервано. Продолжить: voronka statuses cleanup --resume {job.pk}") from None
        except ValidationError:
            raise
        except Exception as error:
            raise CommandError(f"Очистка #{job.pk} прервана: {error}. Продолжить: "
                               f"voronka statuses cleanup --resume {job.pk}") from error
        self.stdout.write(f"Очистка #{job.pk} завершена: в сделки {job.converted}, в рабочие статусы "
                          f"{job.moved}, некачественными {job.junked}, не перенесено {job.failed}.")
        for error in job.errors:
            self.stderr.write(f"  лид #{error['lead']} «{error['title']}»: {error['error']}")
        if job.failed:
            raise CommandError("Часть лидов не перенесена: исправьте причину и запустите ту же команду "
                               "ещё раз (перенесённые лиды она не тронет) или перенесите их вручную.")
        self.stdout.write("Когда в устаревших статусах не останется лидов: "
                          "voronka statuses cleanup --delete-unused")

    def _resume(self, job_id: int) -> None:
        job = StatusCleanupJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"Нет очистки с номером {job_id}.")
        cleanup.job_resume_check(job)
        self.stdout.write(f"Очистка #{job.pk}: продолжаю, уже перенесено {job.processed} из {job.total}.")
        self._run(job)

    # -- step 4 ---------------------------------------------------------------------------

    def _delete_unused(self) -> None:
        deleted, kept = cleanup.deprecated_unused_delete()
        for name in deleted:
            self.stdout.write(f"Удалён статус «{name}».")
        for line in kept:
            self.stdout.write(f"Оставлен «{line.status.name}» ({line.status.code}): "
                              f"в нём лидов {line.leads}.")
        if not deleted and not kept:
            self.stdout.write("Устаревших статусов нет.")
        elif not deleted:
            self.stdout.write("Удалять нечего: в устаревших статусах ещё есть лиды.")

