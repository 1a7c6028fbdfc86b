"""Running an import: read, map, validate, then store and process each row on its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from voronka.crm.models import Source
from voronka.intake.imports import handler as _handler  # noqa: F401  (registers "import")
from voronka.intake.imports.mapping import mapping_build
from voronka.intake.imports.reader import ImportFileError, read_table
from voronka.intake.imports.validation import (
    CREATED,
    DUPLICATE,
    ERROR,
    EXISTS,
    FAILED,
    IMPORTED,
    OK,
    PROVIDER,
    RowResult,
    idempotency_key,
    table_validate,
)
from voronka.intake.models import Channel, EventState
from voronka.intake.services.events import inbound_event_store, process_event

Progress = Callable[[int, int], None]
REPORT_ROWS_LIMIT = 20_000

__all__ = ["ImportFileError", "ImportReport", "import_run", "job_run"]


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    dry_run: bool
    mapping: dict[str, str]
    encoding: str = ""
    delimiter: str = ""
    rows: list[RowResult] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        counts = dict.fromkeys((OK, ERROR, DUPLICATE, EXISTS, IMPORTED, CREATED, FAILED), 0)
        for row in self.rows:
            counts[row.status] += 1
        counts["total"] = len(self.rows)
        counts["skipped"] = counts[DUPLICATE] + counts[EXISTS] + counts[IMPORTED]
        return counts

    def as_dict(self) -> dict[str, Any]:
        rows = [r.as_dict() for r in self.rows if r.status not in (OK, CREATED)]
        return {"file": self.file_name, "sha256": self.sha256, "dry_run": self.dry_run,
                "encoding": self.encoding, "delimiter": self.delimiter, "mapping": self.mapping,
                "totals": self.totals(), "rows": rows[:REPORT_ROWS_LIMIT],
                "rows_truncated": len(rows) > REPORT_ROWS_LIMIT}


def _row_import(result: RowResult, *, sha256: str, file_name: str) -> None:
    """Store the row as an event and process it; never raises (failures land in the result)."""
    try:
        event, _created = inbound_event_store(
            channel=Channel.IMPORT, provider=PROVIDER,
            idempotency_key=idempotency_key(sha256, result.row),
            payload={"data": result.data, "file": file_name, "row": result.row})
        result.event_id = event.pk
        if event.state in (EventState.PROCESSED, EventState.DUPLICATE):
            result.status = IMPORTED
            result.messages = [f"Строка уже импортирована (событие #{event.pk})."]
            return
        event = process_event(event)
    except Exception as exc:
        result.status, result.messages = FAILED, [f"{type(exc).__name__}: {exc}"[:1000]]
        return
    if event.state == EventState.FAILED:
        result.status, result.messages = FAILED, [event.error[:1000]]
    else:
        result.status, result.lead_id = CREATED, event.lead_id
        if event.outcome not in ("new_lead", "repeat_lead"):
            result.messages = [f"Итог маршрутизации: {event.outcome}."]


def import_run(source: str | Path | bytes, *, file_name: str = "", mapping: dict[str, str] | None = None,
               source_code: str = "", dry_run: bool = False, progress: Progress | None = None,
               job=None) -> ImportReport:
    """Import a file. Raises ImportFileError/ValueError only for the file as a whole."""
    if source_code and not Source.objects.filter(code=source_code).exists():
        raise ValueError(f"Нет источника с кодом «{source_code}».")
    table = read_table(source)
    columns = mapping_build(table.headers, mapping)
    if not any(f in ("phone", "email") for f in columns.values()):
        raise ValueError("Не найдена колонка с телефоном или e-mail: укажите её через --map.")
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "")
    report = ImportReport(name, table.sha256, dry_run, columns, table.encoding, table.delimiter)
    report.rows = table_validate(table, columns, default_source=source_code)
    total = len(report.rows)
    tracker = _Tracker(total, progress, job)
    if job is not None:
        job.sha256, job.total = table.sha256, total
        job.save(update_fields=["sha256", "total"])
    for done, result in enumerate(report.rows, start=1):
        if result.status == OK and not dry_run:
            _row_import(result, sha256=table.sha256, file_name=name)
        tracker.step(done, report)
    tracker.step(total, report, force=True, notify=total == 0)
    return report


class _Tracker:
    """Progress to the callback (every row) and to the job row (at most twice a second)."""

    def __init__(self, total: int, progress: Progress | None, job) -> None:
        self.total, self.progress, self.job = total, progress, job
        self.last_save = 0.0

    def step(self, done: int, report: ImportReport, force: bool = False, notify: bool = True) -> None:
        if self.progress is not None and notify:
            self.progress(done, self.total)
        now = time.monotonic()
        if self.job is None or (not force and now - self.last_save < 0.5):
            return
        self.last_save = now
        counts: dict[str, int] = {CREATED: 0, ERROR: 0, FAILED: 0, DUPLICATE: 0, EXISTS: 0,
                                  IMPORTED: 0}
        for row in report.rows[:done]:
            if row.status in counts:
                counts[row.status] += 1
        self.job.processed = done
        self.job.created = counts[CREATED]
        self.job.failed = counts[ERROR] + counts[FAILED]
        self.job.skipped = counts[DUPLICATE] + counts[EXISTS] + counts[IMPORTED]
        self.job.save(update_fields=["processed", "created", "failed", "skipped"])


def job_run(job_id: int, *, progress: Progress | None = None):
    """Run a stored ImportJob (from the CLI in-process, or from the background task)."""
    from voronka.imports.models import ImportJob, JobStatus

    job = ImportJob.objects.get(pk=job_id)
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        report = import_run(job.file_path, file_name=job.file_name, mapping=job.mapping or None,
                            source_code=job.source_code, dry_run=job.dry_run, progress=progress,
                            job=job)
    except (ImportFileError, ValueError, OSError) as exc:
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc), timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status, job.report, job.finished_at = JobStatus.DONE, report.as_dict(), timezone.now()
    job.save(update_fields=["status", "report", "finished_at"])
    return job
