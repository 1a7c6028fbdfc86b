"""/spend/: the ad spend ledger, manual entry, file upload (check, then import), connectors.

For admins and the head of sales only, as the lead import (`import_access`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.intake.imports.reader import ImportFileError
from voronka.spend.imports import spend_file_check, spend_file_import
from voronka.spend.models import SpendBatch, SpendConnector
from voronka.spend.selectors import (
    batches_recent,
    connectors_with_last_batch,
    spend_grand_total,
    spend_rows,
    spend_totals_by_source,
)
from voronka.spend.services import SpendInput, spend_manual_enter, vat_included
from voronka.spend.sync import sync_batch_create
from voronka.spend.tasks import spend_sync_task
from voronka.web.imports.views import import_access as spend_access
from voronka.web.spend.forms import EntryForm, FilterForm, UploadForm

SHOWN_ROWS = 200


@spend_access
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    date_from, date_to, source = form.period()
    rows = spend_rows(date_from, date_to, source)
    totals = spend_totals_by_source(rows)
    return render(request, "web/spend/index.html", {
        "form": form, "date_from": date_from, "date_to": date_to, "totals": totals,
        "grand": spend_grand_total(totals),
        "rows": rows.order_by("-day", "source__name", "campaign_name")[:SHOWN_ROWS],
        "batches": batches_recent(10)})


@spend_access
def entry(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = SpendInput(source=data["source"], date_from=data["date_from"], date_to=data["date_to"],
                          amount=vat_included(data["amount"], has_vat=data["has_vat"]),
                          campaign_name=data["campaign_name"].strip(), clicks=data["clicks"],
                          impressions=data["impressions"])
        batch = spend_manual_enter(item, user=request.user)
        messages.success(request, _("Расход записан: %(amount)s ₽, дней: %(days)s.")
                         % {"amount": item.amount, "days": batch.rows})
        return redirect("spend:index")
    return render(request, "web/spend/entry.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _store(upload) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "spend" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / ("data" + Path(upload.name or "spend.csv").suffix.lower())
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@spend_access
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        path = _store(upload_file)
        try:
            batch = spend_file_check(path.read_bytes(), file_name=Path(upload_file.name).name,
                                     default_source=form.cleaned_data["source"],
                                     has_vat=form.cleaned_data["has_vat"], user=request.user,
                                     file_path=str(path))
        except (ImportFileError, ValueError, OSError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("spend:batch", pk=batch.pk)
    return render(request, "web/spend/upload.html", {"form": form},
                  status=400 if form.is_bound else 200)


@spend_access
@require_POST
def upload_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real what the dry run checked, with the same file and choices."""
    check = get_object_or_404(SpendBatch.objects.select_related("source"), pk=pk, dry_run=True)
    try:
        data = Path(check.file_path).read_bytes()
    except OSError:
        messages.error(request, _("Файл проверки больше недоступен: загрузите его снова."))
        return redirect("spend:upload")
    batch = spend_file_import(data, file_name=check.file_name, default_source=check.source,
                              has_vat=check.report.get("has_vat", True), user=request.user)
    return redirect("spend:batch", pk=batch.pk)


def _batch_context(batch: SpendBatch) -> dict:
    return {"batch": batch, "report": batch.report or {},
            "running": batch.status in (SpendBatch.Status.PENDING, SpendBatch.Status.RUNNING)}


@spend_access
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(SpendBatch.objects.select_related("source", "connector"), pk=pk)
    return render(request, "web/spend/batch.html", _batch_context(current))


@spend_access
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polled fragment: progress and log while the batch runs, the outcome once it ends."""
    current = get_object_or_404(SpendBatch.objects.select_related("source", "connector"), pk=pk)
    return render(request, "web/spend/_batch.html", _batch_context(current))


@spend_access
def connectors(request: HttpRequest) -> HttpResponse:
    return render(request, "web/spend/connectors.html", {"connectors": connectors_with_last_batch()})


@spend_access
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(SpendConnector.objects.select_related("source"), pk=pk)
    batch = sync_batch_create(connector, user=request.user)
    spend_sync_task.enqueue(batch.pk)
    return redirect("spend:batch", pk=batch.pk)
