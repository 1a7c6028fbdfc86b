"""Rules about the meaning (semantics) of statuses and stages, as the set-up file keeps them.

Reports count leads and deals by the meaning of their status or stage, so a meaning in use
cannot change, and a pipeline must keep a process, a success and a failure stage
(see voronka.setup.sections.lead_statuses / pipelines).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from voronka.crm.models import LeadStatus, Pipeline, Semantics, Stage
from voronka.crm.services.dictionaries import PROTECTED_STATUS_CODES


def status_semantics_locked(status: LeadStatus) -> str | None:
    """Why this status's meaning may not change (None: it may)."""
    if not status.pk:
        return None
    if status.code in PROTECTED_STATUS_CODES:
        return _("Системный статус: его семантику менять нельзя.")
    if status.leads.exists():
        return _("В статусе есть лиды: его семантику менять нельзя, иначе изменятся отчёты.")
    return None


def stage_semantics_locked(stage: Stage) -> str | None:
    if stage.pk and stage.deals.exists():
        return _("На стадии есть сделки: её семантику менять нельзя, иначе изменятся отчёты.")
    return None


def pipeline_missing_meanings(pipeline: Pipeline, *, without: Stage | None = None,
                              replaced_by: str | None = None) -> list[str]:
    """The meanings the pipeline would lack if `without` were removed (or changed to `replaced_by`)."""
    stages = pipeline.stages.all()
    if without is not None and without.pk:
        stages = stages.exclude(pk=without.pk)
    present = set(stages.values_list("semantics", flat=True))
    if replaced_by:
        present.add(replaced_by)
    return [str(label) for value, label in Semantics.choices if value not in present]
