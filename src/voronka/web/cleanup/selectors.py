"""Reads for the status clean-up pages: a job as the job page shows it, the recent jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from voronka.automation import cleanup
from voronka.automation.models import CleanupState, StatusCleanupJob
from voronka.crm.models import LeadStatus, Pipeline

RECENT_JOBS = 10


@dataclass
class MappingLine:
    code: str
    status_name: str
    target: str


def mapping_lines(job: StatusCleanupJob) -> list[MappingLine]:
    """What the job moves where, readable even after its statuses were deleted (then the
    code stands in for the name) or its pipeline renamed."""
    names = dict(LeadStatus.objects.filter(code__in=list(job.mapping)).values_list("code", "name"))
    return [MappingLine(code, names.get(code, code), cleanup.target_label(spec, job.pipeline))
            for code, spec in job.mapping.items()]


def _rerun_pipeline(job: StatusCleanupJob) -> str:
    """The pipeline to post again with the job's mapping: its own, else the one its stage
    targets name (a CLI run may give none), else the default."""
    if job.pipeline_id:
        return job.pipeline.code
    for spec in job.mapping.values():
        if ":" in spec and not spec.upper().startswith(cleanup.JUNK_PREFIX):
            return spec.split(":", 1)[0]
    default = Pipeline.objects.filter(is_default=True).first()
    return default.code if default else ""


def job_view(job: StatusCleanupJob) -> dict[str, Any]:
    """The context of the job page and of its polled fragment. A finished job that left leads
    behind offers to run again with the same choices (only those leads are still there)."""
    rerun = job.state == CleanupState.DONE and job.failed > 0
    return {
        "job": job,
        "running": job.state in (CleanupState.QUEUED, CleanupState.RUNNING),
        "resume_offered": cleanup.job_resume_offered(job),
        "mapping": mapping_lines(job),
        "deprecated": cleanup.deprecated_statuses(),
        "rerun": {"pipeline": _rerun_pipeline(job), "mapping": job.mapping} if rerun else None,
    }


def jobs_recent() -> QuerySet[StatusCleanupJob]:
    return StatusCleanupJob.objects.select_related("created_by")[:RECENT_JOBS]
