"""What the job page shows: progress, totals and the rows that need attention."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.imports.models import ImportJob, JobStatus
from voronka.intake.imports.mapping import FIELDS

# The report keeps up to 20,000 rows; a page shows the first ones and says how many more.
SHOWN_ROWS = 200

FIELD_LABELS = {
    "phone": _("Телефон"), "email": _("E-mail"), "name": _("Имя"), "last_name": _("Фамилия"),
    "company_title": _("Компания"), "source": _("Источник"), "comments": _("Комментарий"),
    "title": _("Название лида"), "amount": _("Сумма"), "created_at": _("Дата создания"),
    **{name: name for name in FIELDS if name.startswith("utm_")},
}

ROW_STATUS_LABELS = {
    "ok": _("готова к импорту"), "error": _("ошибка"), "duplicate": _("дубль в файле"),
    "exists": _("уже есть в CRM"), "imported": _("уже импортирована"), "created": _("лид создан"),
    "failed": _("сбой"),
}


def job_percent(job: ImportJob) -> int:
    if job.status == JobStatus.DONE:
        return 100
    return min(99, job.processed * 100 // job.total) if job.total else 0


def job_view(job: ImportJob) -> dict[str, Any]:
    report = job.report or {}
    rows = report.get("rows", [])
    shown = [{**row, "label": ROW_STATUS_LABELS.get(row["status"], row["status"])}
             for row in rows[:SHOWN_ROWS]]
    return {
        "job": job,
        "percent": job_percent(job),
        "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "totals": report.get("totals"),
        "mapping": [(column, FIELD_LABELS.get(field, field))
                    for column, field in report.get("mapping", {}).items()],
        "rows": shown,
        "more_rows": max(0, len(rows) - SHOWN_ROWS),
        "truncated": bool(report.get("rows_truncated")),
    }
