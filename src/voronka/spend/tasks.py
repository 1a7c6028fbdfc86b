"""The background task behind "sync now" (`voronka worker` picks it up)."""

from __future__ import annotations

from django_tasks import task


@task()
def spend_sync_task(batch_id: int) -> None:
    from voronka.spend.models import SpendBatch
    from voronka.spend.sync import connector_sync

    batch = SpendBatch.objects.select_related("connector__source").get(pk=batch_id)
    if batch.connector is not None and batch.status == SpendBatch.Status.PENDING:
        connector_sync(batch.connector, batch=batch)
