"""/reports/: the list, one report, the builder and saved reports, the dashboard.

Every page needs a login (voronka.web.access); what a user sees is narrowed by the analytics
backend itself (`report_run(..., user=request.user)`: a manager gets only their own leads and deals).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.analytics.builder import builder_run, dimension_label, measure_label, saved_report_run
from voronka.analytics.reports import REPORTS, ReportResult, report_run
from voronka.web.reports.catalog import DESCRIPTIONS, MODEL_FIELD_LABELS
from voronka.web.reports.charts import report_chart
from voronka.web.reports.dashboards import DASHBOARD_PRESETS, DEFAULT_DASHBOARD_PRESET, dashboard_context
from voronka.web.reports.exports import export_format, export_response
from voronka.web.reports.forms import BuilderForm, ReportForm, SaveForm
from voronka.web.reports.presets import PRESETS
from voronka.web.reports.saving import (
    saved_report_create,
    saved_report_delete,
    saved_report_get,
    saved_reports_for,
)
from voronka.web.reports.tables import table_build

BUILDER_DEFAULTS = {"dimensions": ["source"], "measures": ["leads", "won_deals", "revenue"]}


def index(request: HttpRequest) -> HttpResponse:
    cards = [{"name": name, "title": spec.title, "description": DESCRIPTIONS.get(name, "")}
             for name, spec in REPORTS.items()]
    return render(request, "web/reports/index.html",
                  {"cards": cards, "saved": saved_reports_for(request.user)})


def _run(form: ReportForm, run: Callable[[], ReportResult]) -> ReportResult | None:
    """The result when the form is valid and the backend accepts it; its refusal goes on the form."""
    if not form.is_valid():
        return None
    try:
        return run()
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and not set(exc.error_dict) <= set(form.fields):
            exc = ValidationError(exc.messages)  # e.g. a saved report's choice: no such field here
        form.add_error(None, exc)
        return None


def _page(request: HttpRequest, template: str, form: ReportForm, result: ReportResult | None,
          **extra) -> HttpResponse:
    context = {"form": form, "result": result, "presets": PRESETS,
               "table": table_build(result) if result else None,
               "chart": report_chart(result) if result else None, **extra}
    return render(request, template, context, status=400 if form.errors else 200)


def report(request: HttpRequest, name: str) -> HttpResponse:
    spec = REPORTS.get(name)
    if spec is None:
        raise Http404
    form = ReportForm(request.GET, user=request.user, models=spec.models, default_model=spec.default_model,
                      model_label=str(MODEL_FIELD_LABELS.get(name, "")))
    result = _run(form, lambda: report_run(name, period=form.period(), user=request.user,
                                           filters=form.filters(), model=form.report_model()))
    fmt = export_format(request)
    if result is not None and fmt:
        return export_response(result, fmt, name)
    return _page(request, "web/reports/report.html", form, result, spec=spec,
                 description=DESCRIPTIONS.get(name, ""))


def _builder_form(request: HttpRequest) -> BuilderForm:
    """The builder's choice from the query string; a first visit shows an example."""
    data: QueryDict = request.GET.copy()
    if "run" not in data:
        for key, values in BUILDER_DEFAULTS.items():
            data.setlist(key, values)
    return BuilderForm(data, user=request.user)


def _builder_result(form: BuilderForm, user) -> ReportResult | None:
    return _run(form, lambda: builder_run(
        dimensions=form.cleaned_data["dimensions"], measures=form.cleaned_data["measures"],
        period=form.period(), user=user, filters=form.filters()))


def builder(request: HttpRequest) -> HttpResponse:
    form = _builder_form(request)
    result = _builder_result(form, request.user)
    fmt = export_format(request)
    if result is not None and fmt:
        return export_response(result, fmt, "builder")
    return _page(request, "web/reports/builder.html", form, result, save_form=SaveForm())


@require_POST
def builder_save(request: HttpRequest) -> HttpResponse:
    """POST name / roles / pin; the dimensions, measures and filters come in the query string."""
    form = _builder_form(request)
    save_form = SaveForm(request.POST)
    if form.is_valid() and save_form.is_valid():
        saved = saved_report_create(owner=request.user, dimensions=form.cleaned_data["dimensions"],
                                    measures=form.cleaned_data["measures"], filters=form.filters(),
                                    **save_form.cleaned_data)
        messages.success(request, _("Отчёт «%(name)s» сохранён.") % {"name": saved.name})
        return redirect("reports:saved", pk=saved.pk)
    result = _builder_result(form, request.user)
    response = _page(request, "web/reports/builder.html", form, result, save_form=save_form)
    response.status_code = 400
    return response


def saved(request: HttpRequest, pk: int) -> HttpResponse:
    report_row = saved_report_get(request.user, pk)
    form = ReportForm(request.GET, user=request.user, with_filters=False)
    result = _run(form, lambda: saved_report_run(report_row, period=form.period(), user=request.user))
    fmt = export_format(request)
    if result is not None and fmt:
        return export_response(result, fmt, report_row.name)
    return _page(request, "web/reports/saved.html", form, result, saved=report_row,
                 dimension_names=[dimension_label(d) for d in report_row.dimensions],
                 measure_names=[measure_label(m) for m in report_row.measures],
                 builder_query=_builder_query(report_row))


def _builder_query(report_row) -> str:
    """The builder's query string that reproduces a saved report (to change and save anew)."""
    query = QueryDict(mutable=True)
    query["run"] = "1"
    query.setlist("dimensions", list(report_row.dimensions))
    query.setlist("measures", list(report_row.measures))
    for key, value in (report_row.filters or {}).items():
        if isinstance(value, list):
            if value:
                query[key] = ",".join(str(v) for v in value)
        elif value not in ("", None):
            query[key] = str(value)
    return query.urlencode()


@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved_report_delete(request.user, pk)
    messages.success(request, _("Отчёт удалён."))
    return redirect("reports:index")


def dashboard_page(request: HttpRequest) -> HttpResponse:
    preset = request.GET.get("preset", "")
    if preset not in DASHBOARD_PRESETS:
        preset = DEFAULT_DASHBOARD_PRESET
    return render(request, "web/reports/dashboard.html", dashboard_context(request.user, preset))
