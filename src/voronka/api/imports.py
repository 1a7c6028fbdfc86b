"""/imports/{id}: the status and report of an import job (admins and the head of sales)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from voronka.api.auth import can_read_events
from voronka.api.schemas import Id, MessageOut
from voronka.imports.models import ImportJob

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    id: int
    file_name: str
    status: str
    dry_run: bool
    total: int
    processed: int
    percent: int
    created: int
    skipped: int
    failed: int
    error: str
    report: dict[str, Any]


@router.get("/{int:job_id}", response={200: ImportJobOut, 401: MessageOut, 403: MessageOut,
                                       404: MessageOut},
            summary="Import job status (admins, head of sales)")
def import_job_get(request: HttpRequest, job_id: Id):
    if not can_read_events(request.auth):
        raise HttpError(403, "Импорты видят только администратор и руководитель.")
    job = get_object_or_404(ImportJob, pk=job_id)
    return {"id": job.pk, "file_name": job.file_name, "status": job.status, "dry_run": job.dry_run,
            "total": job.total, "processed": job.processed,
            "percent": 100 if not job.total and job.status == "done"
            else (job.processed * 100 // job.total if job.total else 0),
            "created": job.created, "skipped": job.skipped, "failed": job.failed,
            "error": job.error, "report": job.report or {}}
