"""Operations on the spend ledger: VAT, spreading a period's amount, replacing a period, batches.

The ledger's one convention: `SpendRow.amount` is VAT-included. Amounts that come without
VAT (a form with "без НДС", a report requested without VAT) are converted on input with
`vat_included`, at the rate `settings.VORONKA_SPEND_VAT_RATE` (percent, default 20).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from voronka.crm.models import Source
from voronka.spend.models import Origin, SpendBatch, SpendRow

KOPECK = Decimal("0.01")
DEFAULT_VAT_RATE = Decimal("20")
MAX_PERIOD_DAYS = 366 * 2
BULK = 2000


def vat_rate() -> Decimal:
    return Decimal(str(getattr(settings, "VORONKA_SPEND_VAT_RATE", DEFAULT_VAT_RATE)))


def vat_included(amount: Decimal, *, has_vat: bool) -> Decimal:
    """The amount with VAT, to the kopeck: as it is when it has VAT, else plus the rate."""
    if has_vat:
        return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)
    return (amount * (1 + vat_rate() / 100)).quantize(KOPECK, rounding=ROUND_HALF_UP)


def days_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    return [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def spread_amount(total: Decimal, days: int) -> list[Decimal]:
    """`total` split over `days` in kopecks: equal parts ±1 kopeck that sum to `total` exactly.

    The remainder kopecks go to the first days (deterministic: the same input, the same split).
    """
    if days < 1:
        raise ValueError("days must be positive")
    kopecks = int((total.quantize(KOPECK, rounding=ROUND_HALF_UP) * 100).to_integral_value())
    base, rest = divmod(kopecks, days)
    return [Decimal(base + (1 if i < rest else 0)) / 100 for i in range(days)]


def spread_count(total: int, days: int) -> list[int]:
    base, rest = divmod(total, days)
    return [base + (1 if i < rest else 0) for i in range(days)]


@dataclass
class SpendInput:
    """One spend as entered or read: a day (date_from == date_to) or a whole period."""

    source: Source
    date_from: dt.date
    date_to: dt.date
    amount: Decimal  # VAT-included (convert with vat_included before)
    campaign_id: str = ""
    campaign_name: str = ""
    clicks: int = 0
    impressions: int = 0
    currency: str = "RUB"


def rows_for(item: SpendInput, *, origin: str, batch: SpendBatch | None = None) -> list[SpendRow]:
    """The ledger rows of one spend: one per day of its period, the amount spread evenly."""
    days = days_between(item.date_from, item.date_to)
    amounts = spread_amount(item.amount, len(days))
    clicks = spread_count(item.clicks, len(days))
    shows = spread_count(item.impressions, len(days))
    return [SpendRow(day=day, source=item.source, campaign_id=item.campaign_id[:64],
                     campaign_name=item.campaign_name[:255], amount=amounts[i],
                     currency=item.currency, clicks=clicks[i], impressions=shows[i],
                     origin=origin, batch=batch)
            for i, day in enumerate(days)]


def spend_replace(*, origin: str, source: Source, date_from: dt.date, date_to: dt.date,
                  rows: Iterable[SpendRow], campaign_name: str | None = None) -> tuple[int, int]:
    """Replace this origin's rows of this source for the period (one transaction).

    `campaign_name` narrows the replaced rows to one campaign (manual entries). Returns
    (rows deleted, rows written). Re-importing a period never counts anything twice.
    """
    rows = list(rows)
    with transaction.atomic():
        old = SpendRow.objects.filter(origin=origin, source=source, day__gte=date_from,
                                      day__lte=date_to)
        if campaign_name is not None:
            old = old.filter(campaign_name=campaign_name)
        deleted, _by_model = old.delete()
        SpendRow.objects.bulk_create(rows, batch_size=BULK)
    return deleted, len(rows)


# -- batches: one per entry, upload or sync ---------------------------------------------------

def batch_start(*, origin: str, date_from: dt.date, date_to: dt.date, source: Source | None = None,
                user=None, file_name: str = "", connector=None, dry_run: bool = False,
                status: str = SpendBatch.Status.RUNNING) -> SpendBatch:
    return SpendBatch.objects.create(origin=origin, source=source, date_from=date_from,
                                     date_to=date_to, status=status, created_by=user,
                                     file_name=file_name[:255], connector=connector, dry_run=dry_run)


def _stamp(line: str) -> str:
    now = timezone.localtime().strftime("%d.%m.%Y %H:%M:%S")
    return f"{now} {line}\n"


def batch_log(batch: SpendBatch, line: str, *, progress: int | None = None) -> None:
    """Append a line to the batch's log (committed at once, so a polling page sees it)."""
    batch.log += _stamp(line)
    fields = ["log"]
    if progress is not None:
        batch.progress = max(0, min(100, progress))
        fields.append("progress")
    SpendBatch.objects.filter(pk=batch.pk).update(**{f: getattr(batch, f) for f in fields})


def batch_finish(batch: SpendBatch, *, rows: int, line: str = "") -> SpendBatch:
    if line:
        batch.log += _stamp(line)
    batch.status, batch.progress, batch.rows = SpendBatch.Status.DONE, 100, rows
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "progress", "rows", "log", "finished_at", "report"])
    return batch


def batch_fail(batch: SpendBatch, error: str) -> SpendBatch:
    batch.log += _stamp(error)
    batch.status, batch.error = SpendBatch.Status.FAILED, error[:5000]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "log", "finished_at", "report"])
    return batch


# -- manual entry -----------------------------------------------------------------------------

def spend_manual_enter(item: SpendInput, *, user=None) -> SpendBatch:
    """Enter one spend by hand; it replaces an earlier manual entry of the same campaign
    and source for the same days."""
    if item.date_to < item.date_from:
        raise ValueError("Дата «по» раньше даты «с».")
    if (item.date_to - item.date_from).days >= MAX_PERIOD_DAYS:
        raise ValueError("Период длиннее двух лет.")
    with transaction.atomic():
        batch = batch_start(origin=Origin.MANUAL, source=item.source, date_from=item.date_from,
                            date_to=item.date_to, user=user)
        rows = rows_for(item, origin=Origin.MANUAL, batch=batch)
        deleted, written = spend_replace(origin=Origin.MANUAL, source=item.source,
                                         date_from=item.date_from, date_to=item.date_to,
                                         rows=rows, campaign_name=item.campaign_name)
        line = f"Введено вручную: {item.amount} ₽ за {len(rows)} дн."
        if deleted:
            line += f" Заменено прежних строк: {deleted}."
        return batch_finish(batch, rows=written, line=line)
