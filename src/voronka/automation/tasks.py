"""The background tasks of automation (any django-tasks backend runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def robot_run_task(run_id: int) -> str:
    from voronka.automation.engine import run_execute_and_deliver

    return run_execute_and_deliver(run_id)


@task()
def robot_effects_task(run_id: int, claim: str) -> int:
    from voronka.automation.effects import effects_deliver

    return effects_deliver(run_id, claim)
