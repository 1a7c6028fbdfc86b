"""Running an import: read, map, validate, then write the ok rows in bulk chunks (bulk.py)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from voronka.accounts.models import User
from voronka.crm.models import Source
from voronka.intake.imports import handler as _handler  # noqa: F401  (registers "import")
from voronka.intake.imports.bulk import CHUNK_ROWS, BulkContext, chunk_write
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

log = logging.getLogger(__name__)
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


def _chunk_import(chunk: list[RowResult], ctx: BulkContext | None, *, sha256: str,
                  file_name: str) -> None:
    """The chunk's ok rows in bulk; if that fails as a whole (or --slow), row by row."""
    ok = [r for r in chunk if r.status == OK]
    if not ok:
        return
    if ctx is not None:
        try:
            chunk_write(ok, ctx)
            return
        except Exception:
            log.warning("import: bulk write of rows %s-%s failed, importing them row by row",
                        ok[0].row, ok[-1].row, exc_info=True)
    for result in ok:
        if result.status == OK:
            _row_import(result, sha256=sha256, file_name=file_name)


def import_run(source: str | Path | bytes, *, file_name: str = "", mapping: dict[str, str] | None = None,
               source_code: str = "", dry_run: bool = False, progress: Progress | None = None,
               job=None, slow: bool = False, responsible: str = "") -> ImportReport:
    """Import a file. Raises ImportFileError/ValueError only for the file as a whole.

    The ok rows are written in bulk, CHUNK_ROWS per transaction (see bulk.py); `slow` sends
    each through the intake on its own instead. `responsible` (a username) gets every lead
    of the bulk path.
    """
    if source_code and not Source.objects.filter(code=source_code).exists():
        raise ValueError(f"Нет источника с кодом «{source_code}».")
    user = None
    if responsible:
        if slow:
            raise ValueError("Ответственного можно указать только без --slow.")
        user = User.objects.filter(username=responsible, is_active=True).first()
        if user is None:
            raise ValueError(f"Нет активного пользователя «{responsible}».")
    table = read_table(source)
    columns = mapping_build(table.headers, mapping)
    if not any(f in ("phone", "email") for f in columns.values()):
        raise ValueError("Не найдена колонка с телефоном или e-mail: укажите её через --map.")
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "")
    report = ImportReport(name, table.sha256, dry_run, columns, table.encoding, table.delimiter)
    report.rows = table_validate(table, columns, default_source=source_code)
    del table  # the raw rows are no longer needed; the results keep the cleaned data
    total = len(report.rows)
    tracker = _Tracker(total, progress, job)
    if job is not None:
        job.sha256, job.total = report.sha256, total
        job.save(update_fields=["sha256", "total"])
    ctx = None if dry_run or slow else BulkContext.load(report.sha256, name, user)
    size = 1 if slow else CHUNK_ROWS
    for start in range(0, total, size):
        chunk = report.rows[start : start + size]
        if not dry_run:
            _chunk_import(chunk, ctx, sha256=report.sha256, file_name=name)
        tracker.advance(chunk)
    tracker.finish()
    return report


class _Tracker:
    """Progress to the callback (every chunk) and to the job row (at most twice a second)."""

    def __init__(self, total: int, progress: Progress | None, job) -> None:
        self.total, self.progress, self.job = total, progress, job
        self.last_save = 0.0
        self.done = 0
        self.counts: dict[str, int] = dict.fromkeys(
            (OK, CREATED, ERROR, FAILED, DUPLICATE, EXISTS, IMPORTED), 0)

    def advance(self, rows: list[RowResult]) -> None:
        self.done += len(rows)
        for row in rows:
            self.counts[row.status] = self.counts.get(row.status, 0) + 1
        if self.progress is not None:
            self.progress(self.done, self.total)
        if time.monotonic() - self.last_save >= 0.5:
            self._save()

    def finish(self) -> None:
        if self.progress is not None and self.total == 0:
            self.progress(0, 0)
        self._save()

    def _save(self) -> None:
        self.last_save = time.monotonic()
        if self.job is None:
            return
        counts = self.counts
        self.job.processed = self.done
        self.job.created = counts[CREATED]
        self.job.failed = counts[ERROR] + counts[FAILED]
        self.job.skipped = counts[DUPLICATE] + counts[EXISTS] + counts[IMPORTED]
        self.job.heartbeat_at = timezone.now()
        self.job.save(update_fields=["processed", "created", "failed", "skipped", "heartbeat_at"])


def job_run(job_id: int, *, progress: Progress | None = None):
    """Run a stored ImportJob (from the CLI in-process, or from the background task)."""
    from voronka.imports.models import ImportJob, JobStatus

    job = ImportJob.objects.get(pk=job_id)
    if job.status in (JobStatus.DONE, JobStatus.FAILED):  # a task delivered twice
        return job
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.heartbeat_at = job.started_at
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    try:
        report = import_run(job.file_path, file_name=job.file_name, mapping=job.mapping or None,
                            source_code=job.source_code, dry_run=job.dry_run, progress=progress,
                            job=job, slow=job.slow,
                            responsible=job.responsible.username if job.responsible else "")
    except (ImportFileError, ValueError, OSError) as exc:
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc), timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status, job.report, job.finished_at = JobStatus.DONE, report.as_dict(), timezone.now()
    job.save(update_fields=["status", "report", "finished_at"])
    return job


STALE_AFTER = dt.timedelta(minutes=10)


def jobs_stale_requeue(now: dt.datetime | None = None) -> int:
    """Queue again the import jobs whose worker died mid-run (silent for STALE_AFTER).

    Running a job again is safe: the rows it already wrote are recognised (by the file's
    checksum and by their phones and e-mails) and skipped, so nothing is imported twice.
    """
    from voronka.imports.models import ImportJob, JobStatus
    from voronka.imports.tasks import import_job_task

    now = now or timezone.now()
    stale = list(ImportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER))
    for job in stale:
        job.status, job.heartbeat_at = JobStatus.QUEUED, now
        job.save(update_fields=["status", "heartbeat_at"])
        import_job_task.enqueue(job.pk)
    return len(stale)
