"""/api/v1/reports: the reports by their stable names, as JSON, CSV or XLSX.

A manager gets only the leads and deals where they are responsible (and no spend);
the head of sales and administrators get everything.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from voronka.analytics.export import CONTENT_TYPES, result_dict, result_export
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import REPORTS, report_run
from voronka.analytics.scope import ReportFilters

router = Router(tags=["reports"])


class ReportInfo(Schema):
    name: str
    title: str
    models: list[str]
    default_model: str | None


class ReportQuery(Schema):
    date_from: str = Query(..., alias="from", description="ГГГГ-ММ-ДД, включительно")
    date_to: str = Query(..., alias="to", description="ГГГГ-ММ-ДД, включительно")
    tz: str | None = Query(None, description="часовой пояс периода; по умолчанию пояс пользователя "
                                             "(из его профиля), иначе пояс компании")
    format: Literal["json", "csv", "xlsx"] = "json"
    model: str | None = Query(None, description="модель атрибуции (attribution) или вид воронки")
    window: int | None = Query(None, description="attribution: дней касаний до выигрыша "
                                                 "(по умолчанию 28)")
    source: str | None = Query(None, description="коды источников через запятую")
    campaign: str | None = None
    manager: str | None = Query(None, description="id ответственных через запятую")
    pipeline: str | None = Query(None, description="код направления")
    repeat: Literal["all", "new", "repeat"] | None = None


@router.get("", response=list[ReportInfo], summary="Available reports")
def reports_list(request: HttpRequest) -> list[dict[str, Any]]:
    from voronka.analytics.reports import REPORTS as registry

    return [{"name": s.name, "title": str(s.title), "models": list(s.models),
             "default_model": s.default_model} for s in registry.values()]


@router.get("/{name}", summary="Run a report for a period", response={200: dict[str, Any]})
def report_get(request: HttpRequest, name: str, query: Query[ReportQuery]):
    if name not in REPORTS:
        raise Http404
    # Like the report pages: the period is the asking person's days unless the call says otherwise.
    period = period_parse(query.date_from, query.date_to, query.tz or request.user.time_zone or None)
    filters = ReportFilters.from_mapping(query.dict(include={"source", "campaign", "manager", "pipeline",
                                                             "repeat"}))
    result = report_run(name, period=period, user=request.user, filters=filters, model=query.model,
                        window_days=query.window)
    if query.format == "json":
        return result_dict(result)
    response = HttpResponse(result_export(result, query.format), content_type=CONTENT_TYPES[query.format])
    file_name = f"{name}_{period.date_from}_{period.date_to}.{query.format}"
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
