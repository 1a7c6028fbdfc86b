"""Running a connector: fetch the period, replace its rows in the ledger, log every step.

`spend_sync_due()` is the periodic job: it syncs each enabled connector whose last sync is
older than its interval, over its last `days_back` days.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from voronka.spend.connectors import ConnectorError, avito, yandex_direct
from voronka.spend.connectors.avito_calls import calls_store
from voronka.spend.models import ConnectorKind, Origin, SpendBatch, SpendConnector
from voronka.spend.services import (
    SpendInput,
    batch_fail,
    batch_finish,
    batch_log,
    batch_start,
    rows_for,
    spend_replace,
)

Sleep = Callable[[float], None]
ORIGINS = {ConnectorKind.YANDEX_DIRECT: Origin.YANDEX_DIRECT, ConnectorKind.AVITO: Origin.AVITO}


def sync_period(connector: SpendConnector, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The default period: the last `days_back` days up to yesterday (today is not over yet)."""
    today = today or timezone.localdate()
    days = max(1, connector.days_back)
    return today - dt.timedelta(days=days), today - dt.timedelta(days=1)


def sync_batch_create(connector: SpendConnector, date_from: dt.date | None = None,
                      date_to: dt.date | None = None, *, user=None) -> SpendBatch:
    """A pending batch for a sync about to run (the page polls it)."""
    default_from, default_to = sync_period(connector)
    return batch_start(origin=ORIGINS[ConnectorKind(connector.kind)], source=connector.source,
                       date_from=date_from or default_from, date_to=date_to or default_to, user=user,
                       connector=connector, status=SpendBatch.Status.PENDING)


def _fetch(connector: SpendConnector, batch: SpendBatch, sleep: Sleep) -> list[SpendInput]:
    def log(line: str) -> None:
        batch_log(batch, line, progress=min(60, batch.progress + 5))

    if connector.kind == ConnectorKind.YANDEX_DIRECT:
        return yandex_direct.fetch(connector, batch.date_from, batch.date_to, sleep=sleep, log=log)
    token = avito.access_token(connector)
    batch_log(batch, "Получен токен доступа Авито.", progress=20)
    items = avito.spendings_fetch(connector, token, batch.date_from, batch.date_to)
    batch_log(batch, f"Получена статистика расходов: строк {len(items)}.", progress=40)
    if connector.import_calls:
        tz = timezone.get_current_timezone()
        since = dt.datetime.combine(batch.date_from, dt.time.min, tzinfo=tz)
        until = min(timezone.now(), dt.datetime.combine(batch.date_to + dt.timedelta(days=1),
                                                        dt.time.min, tzinfo=tz))
        calls = avito.calls_fetch(connector, token, since, until)
        new, known, failed = calls_store(connector, calls)
        batch_log(batch, f"Звонки Авито: новых {new}, уже загруженных {known}, с ошибкой {failed}.",
                  progress=60)
    return items


def connector_sync(connector: SpendConnector, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, *, batch: SpendBatch | None = None,
                   sleep: Sleep = time.sleep, user=None) -> SpendBatch:
    """Fetch and write one period; the batch ends done or failed (with the reason)."""
    batch = batch or sync_batch_create(connector, date_from, date_to, user=user)
    batch.status = SpendBatch.Status.RUNNING
    batch.save(update_fields=["status"])
    batch_log(batch, f"Синхронизация «{connector}» за {batch.date_from:%d.%m.%Y}–{batch.date_to:%d.%m.%Y}.",
              progress=5)
    try:
        items = _fetch(connector, batch, sleep)
        with transaction.atomic():
            rows = [row for item in items for row in rows_for(item, origin=batch.origin, batch=batch)]
            deleted, written = spend_replace(origin=batch.origin, source=connector.source,
                                             date_from=batch.date_from, date_to=batch.date_to, rows=rows)
            batch_finish(batch, rows=written, line=f"Записано строк расходов: {written} "
                                                   f"(заменено прежних: {deleted}).")
    except ConnectorError as exc:
        batch_fail(batch, str(exc))
    except Exception as exc:  # a bug: the sync fails visibly, the worker goes on
        batch_fail(batch, f"Внутренняя ошибка синхронизации: {type(exc).__name__}: {exc}")
    SpendConnector.objects.filter(pk=connector.pk).update(last_sync_at=timezone.now(),
                                                          last_status=batch.status)
    return batch


def connectors_due(now: dt.datetime | None = None) -> list[SpendConnector]:
    now = now or timezone.now()
    due = []
    for connector in SpendConnector.objects.filter(enabled=True).select_related("source"):
        if connector.last_sync_at is None or (
                connector.last_sync_at <= now - dt.timedelta(hours=max(1, connector.interval_hours))):
            due.append(connector)
    return due


def spend_sync_due(*, sleep: Sleep = time.sleep) -> int:
    """The periodic job: sync every enabled connector that is due; return how many ran."""
    running = SpendBatch.objects.filter(status__in=[SpendBatch.Status.RUNNING, SpendBatch.Status.PENDING])
    count = 0
    for connector in connectors_due():
        recent = timezone.now() - dt.timedelta(hours=1)
        if running.filter(connector=connector, created_at__gte=recent).exists():
            continue  # a sync of it is under way (started from the page)
        connector_sync(connector, sleep=sleep)
        count += 1
    return count
