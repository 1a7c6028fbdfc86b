"""The background tasks of automation (any django-tasks backend runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def robot_run_task(run_id: int) -> str:
    from voronka.automation.engine import run_execute

    return run_execute(run_id)
