"""/imports/: upload a file → map its columns → read the dry-run report → import → watch progress.

Both runs (the dry run and the import) are ImportJobs run by the background task, as
`voronka import --background` runs them; the job page polls the job's progress over HTMX.
Importing is for admins and the head of sales, as the import API (`can_read_events`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from voronka.api.auth import can_read_events
from voronka.imports.models import ImportJob, JobStatus
from voronka.imports.tasks import import_job_task
from voronka.intake.imports.reader import ImportFileError
from voronka.web.imports.forms import MappingForm, UploadForm
from voronka.web.imports.report import job_view
from voronka.web.imports.uploads import preview_load, upload_store

RECENT_JOBS = 20


def import_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_read_events(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return guarded


@import_access
def index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = upload_store(form.cleaned_data["file"], request.user)
        except (ImportFileError, ValueError, OSError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:mapping", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by").order_by("-pk")[:RECENT_JOBS]
    return render(request, "web/imports/index.html", {"form": form, "jobs": jobs},
                  status=400 if form.is_bound else 200)


@import_access
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, dry_run=True)
    preview = preview_load(job)
    if request.method == "POST" and not job.report.get("awaiting_mapping"):
        # The mapping of a finished dry run is changed by running a new one on the same file.
        job = ImportJob.objects.create(created_by=request.user, file_name=job.file_name,
                                       file_path=job.file_path, sha256=job.sha256, dry_run=True)
    initial = _stored_initial(job, preview["headers"])
    form = MappingForm(request.POST or None, headers=preview["headers"], initial=initial)
    if request.method == "POST" and form.is_valid():
        job.mapping = form.cleaned_data["mapping"]
        job.source_code = form.cleaned_data["source_code"]
        job.responsible = form.cleaned_data["responsible"]
        job.report, job.status = {}, JobStatus.QUEUED
        job.save()
        import_job_task.enqueue(job.pk)
        return redirect("imports:job", pk=job.pk)
    columns = [(field, [row[i] if i < len(row) else "" for row in preview["sample"]])
               for i, field in enumerate(form.column_fields())]
    return render(request, "web/imports/mapping.html",
                  {"job": job, "form": form, "columns": columns, "rows": preview["rows"]},
                  status=400 if form.is_bound else 200)


def _stored_initial(job: ImportJob, headers: list[str]) -> dict:
    """A re-opened mapping page shows the choices made last time."""
    initial = {f"col_{i}": job.mapping[h] for i, h in enumerate(headers) if h in (job.mapping or {})}
    initial.update(source_code=job.source_code, responsible=job.responsible_id)
    return initial


@import_access
def job(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(ImportJob.objects.select_related("responsible"), pk=pk)
    if current.report.get("awaiting_mapping"):
        return redirect("imports:mapping", pk=current.pk)
    return render(request, "web/imports/job.html", job_view(current))


@import_access
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polled fragment: the bar while the job runs, the report once it is done."""
    current = get_object_or_404(ImportJob, pk=pk)
    return render(request, "web/imports/_job.html", job_view(current))


@import_access
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real what the dry run checked: a new job with the same file and choices."""
    dry = get_object_or_404(ImportJob, pk=pk, dry_run=True, status=JobStatus.DONE)
    real = ImportJob.objects.create(
        created_by=request.user, file_name=dry.file_name, file_path=dry.file_path, sha256=dry.sha256,
        dry_run=False, mapping=dry.mapping, source_code=dry.source_code, responsible=dry.responsible)
    import_job_task.enqueue(real.pk)
    return redirect("imports:job", pk=real.pk)
