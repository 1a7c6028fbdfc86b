"""The background task that runs an ImportJob (`voronka worker` picks it up)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_job_task(job_id: int) -> None:
    from voronka.intake.imports.service import job_run

    job_run(job_id)
