"""`?format=csv|xlsx` on a report page: the same result as a file download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from voronka.analytics.export import CONTENT_TYPES, result_export
from voronka.analytics.reports import ReportResult

FILE_FORMATS = ("csv", "xlsx")


def export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FILE_FORMATS else None


def export_file_name(stem: str, result: ReportResult, fmt: str) -> str:
    """`channels_2026-01-01_2026-12-31.xlsx`."""
    stem = slugify(stem, allow_unicode=True) or "report"
    return f"{stem}_{result.period.date_from.isoformat()}_{result.period.date_to.isoformat()}.{fmt}"


def export_response(result: ReportResult, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(result_export(result, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export_file_name(stem, result, fmt))
    return response
