"""/settings/statuses/cleanup/…: map the intermediate statuses → read the dry run → run the job in
the background and watch it → delete the statuses left empty (seed 002, docs/statuses-cleanup.md).

The mapping travels in the query string until «Запустить»: the dry run is a GET and writes
nothing. Admin only: urls.py wraps every view in `admin_required`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.automation import cleanup
from voronka.automation.models import StatusCleanupJob
from voronka.crm.models import LeadStatus
from voronka.web.cleanup.forms import MappingForm
from voronka.web.cleanup.selectors import job_view, jobs_recent
from voronka.web.navigation import next_url


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    crumb = {"url": "/settings/statuses/", "title": _("Статусы лидов")}
    return render(request, template, {"parent": crumb, **context}, status=status)


def _mapping_page(request: HttpRequest, form: MappingForm, status: int = 200) -> HttpResponse:
    return _page(request, "web/cleanup/index.html",
                 {"form": form, "jobs": jobs_recent(), "active": cleanup.job_active(),
                  "deprecated": cleanup.deprecated_statuses()}, status=status)


def index(request: HttpRequest) -> HttpResponse:
    # The query string (pipeline changed, «Изменить» from the report) only pre-fills the form.
    return _mapping_page(request, MappingForm(counts=cleanup.status_counts(), initial=request.GET))


def preview(request: HttpRequest) -> HttpResponse:
    form = MappingForm(request.GET, counts=cleanup.status_counts())
    if not form.is_valid():
        return _mapping_page(request, form, status=400)
    return _page(request, "web/cleanup/preview.html",
                 {"form": form, "preview": cleanup.cleanup_preview(form.plan),
                  "active": cleanup.job_active(), "query": request.GET.urlencode()})


@require_POST
def run(request: HttpRequest) -> HttpResponse:
    # Checked again: statuses and stages may have changed since the dry run was read.
    form = MappingForm(request.POST, counts=cleanup.status_counts())
    if form.is_valid():
        try:
            job = cleanup.job_create(form.plan, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            cleanup.job_enqueue(job)
            return redirect("cleanup:job", pk=job.pk)
    return _mapping_page(request, form, status=400)


def job(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, "web/cleanup/job.html", job_view(get_object_or_404(StatusCleanupJob, pk=pk)))


def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polled fragment: the bar while the job runs, the outcome once it is done."""
    return render(request, "web/cleanup/_job.html", job_view(get_object_or_404(StatusCleanupJob, pk=pk)))


@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(StatusCleanupJob, pk=pk)
    if not cleanup.job_resume_offered(current):
        messages.error(request, _("Очистку #%(id)s сейчас продолжать не нужно: она завершена или "
                                  "ещё идёт.") % {"id": current.pk})
    else:
        cleanup.job_enqueue(current)
        messages.success(request, _("Очистка #%(id)s продолжится с того места, где остановилась.")
                         % {"id": current.pk})
    return redirect("cleanup:job", pk=current.pk)


@require_POST
def status_delete(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(LeadStatus, pk=pk)
    try:
        cleanup.deprecated_status_delete(status, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Статус «%(s)s» удалён вместе с его роботом-стражем.")
                         % {"s": status.name})
    return redirect(next_url(request, reverse("cleanup:index")))
