"""Daily rollups: counts per local day (company time zone) × source × campaign × responsible ×
pipeline × new/repeat, so a year of a busy company is a few thousand rows to add up.

They stay exact without touching the CRM services: signals on Lead and Deal mark the local
days a change can affect (RollupDirtyDay), and every read first recounts those days from
scratch with range queries (`rollups_refresh`). Writes that bypass signals (queryset.update,
bulk_create, raw SQL) must call `rollups_mark_dirty(date_from, date_to)` or be followed by
`voronka analytics rebuild`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from voronka.analytics.models import LeadFact, RollupDay, RollupDirtyDay
from voronka.analytics.periods import company_zone, local_day, local_midnight
from voronka.analytics.scope import Scope
from voronka.analytics.selectors import deals_with_origin, facts_count, stage_ids, status_ids
from voronka.core.batch_cache import batch_cache_forget, batch_first_time
from voronka.crm.models import Deal, Lead, Semantics

ROLLUP_DIMS = ("source", "campaign", "responsible", "pipeline", "is_repeat")
_BATCH = 500


_DIRTY_MARK = "rollup_dirty_day"  # a batch's memory of the days it has marked


def rollups_mark_days(days: Iterable[dt.date | None]) -> None:
    """Insert-or-ignore: marking a day twice is one mark (and inside a batch, one statement)."""
    marks = [RollupDirtyDay(day=day) for day in sorted({d for d in days if d is not None})
             if batch_first_time((_DIRTY_MARK, day))]
    if marks:
        RollupDirtyDay.objects.bulk_create(marks, ignore_conflicts=True, batch_size=_BATCH)


def rollups_mark_dirty(date_from: dt.date, date_to: dt.date | None = None) -> None:
    """Every local day from date_from to date_to (inclusive) will be recounted before the next read.

    For bulk writes that send no signals: mark the days of the created_at of the leads and
    deals written, and of the closed_on of the deals.
    """
    date_to = date_to or date_from
    rollups_mark_days(date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1))


def data_date_range() -> tuple[dt.date, dt.date] | None:
    """The first and last local day that has a lead, a deal or a deal closing."""
    days: list[dt.date] = []
    for model in (Lead, Deal):
        bounds = model.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is not None:
            days += [local_day(bounds["first"]), local_day(bounds["last"])]
    days += [d for d in Deal.objects.aggregate(a=Min("closed_on"), b=Max("closed_on")).values() if d]
    return (min(days), max(days)) if days else None


def rollups_mark_all_dirty() -> None:
    bounds = data_date_range()
    if bounds:
        rollups_mark_dirty(*bounds)


def _kop(amount) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


def _extra_count(start: dt.datetime, end: dt.datetime) -> dict[tuple, dict[str, int]]:
    """The columns facts_count does not know: SLA breaches of handled leads (lead rows), and the
    cohort of the day's leads: their deals, by the deal's own dimensions (deal rows)."""
    out: dict[tuple, dict[str, int]] = {}
    late = Lead.objects.filter(created_at__gte=start, created_at__lt=end, sla_deadline__isnull=False,
                               first_handled_at__gt=F("sla_deadline"))
    for row in late.values("source_id", "utm_campaign", "responsible_id", "is_repeat").annotate(
            n=Count("id")).order_by():
        key = (row["source_id"], row["utm_campaign"], row["responsible_id"], None, row["is_repeat"])
        out.setdefault(key, {})["sla_late"] = row["n"]
    won = stage_ids(Semantics.SUCCESS)
    cohort = deals_with_origin(Deal.objects.filter(lead__created_at__gte=start, lead__created_at__lt=end))
    for row in cohort.values("d_source", "d_campaign", "responsible_id", "pipeline_id", "is_repeat").annotate(
            n=Count("id"), won=Count("id", filter=Q(stage_id__in=won)),
            revenue=Sum("amount", filter=Q(stage_id__in=won))).order_by():
        key = (row["d_source"], row["d_campaign"], row["responsible_id"], row["pipeline_id"],
               row["is_repeat"])
        out.setdefault(key, {}).update(cohort_deals=row["n"], cohort_won=row["won"],
                                       cohort_revenue_kop=_kop(row["revenue"]))
    return out


def lead_facts_count(day: dt.date) -> list[LeadFact]:
    """The LeadFact rows of the leads created on one local day."""
    zone = company_zone()
    start, end = local_midnight(day, zone), local_midnight(day + dt.timedelta(days=1), zone)
    converted = set(status_ids(Semantics.SUCCESS))
    rows = []
    for (status_id, source_id, campaign, responsible_id, is_repeat, created, handled, closed,
         deadline) in Lead.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "status_id", "source_id", "utm_campaign", "responsible_id", "is_repeat", "created_at",
            "first_handled_at", "closed_at", "sla_deadline").order_by():
        response = None
        if handled is not None:
            delta = handled - created
            response = max((delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds, 0)
        rows.append(LeadFact(day=day, status_id=status_id, source_id=source_id, campaign=campaign or "",
                             responsible_id=responsible_id, is_repeat=bool(is_repeat), handled_at=handled,
                             converted_at=closed if status_id in converted else None,
                             sla_deadline=deadline, response_us=response))
    return rows


def rollup_rows_count(day: dt.date) -> list[RollupDay]:
    """The rollup rows of one local day, counted from the CRM rows."""
    zone = company_zone()
    start, end = local_midnight(day, zone), local_midnight(day + dt.timedelta(days=1), zone)
    found = facts_count(start, end, day, day, Scope(), ROLLUP_DIMS)
    extra = _extra_count(start, end)
    zero = {"leads": 0, "junk_leads": 0, "handled_leads": 0, "converted_leads": 0, "deals": 0,
            "won_deals": 0, "revenue": 0, "new_customers": 0}
    for key in extra:
        if key not in found:
            found[key] = dict(zero)
    rows = []
    for key, m in found.items():
        source_id, campaign, responsible_id, pipeline_id, is_repeat = key
        more = extra.get(key, {})
        rows.append(RollupDay(
            sla_late=more.get("sla_late", 0), cohort_deals=more.get("cohort_deals", 0),
            cohort_won=more.get("cohort_won", 0), cohort_revenue_kop=more.get("cohort_revenue_kop", 0),
            day=day, source_id=source_id, campaign=campaign or "", responsible_id=responsible_id,
            pipeline_id=pipeline_id, is_repeat=bool(is_repeat), leads=m["leads"],
            junk_leads=m["junk_leads"], handled_leads=m["handled_leads"],
            converted_leads=m["converted_leads"], deals=m["deals"], won_deals=m["won_deals"],
            revenue_kop=int((Decimal(m["revenue"]) * 100).to_integral_value()),
            new_customers=m["new_customers"]))
    return rows


def _dirty_marks_forget() -> None:
    """Days unmarked here must be marked again by the next change, even inside a batch."""
    batch_cache_forget(_DIRTY_MARK)


def _recount(days: list[dt.date]) -> None:
    for day in days:
        RollupDay.objects.filter(day=day).delete()
        RollupDay.objects.bulk_create(rollup_rows_count(day), batch_size=_BATCH)
        LeadFact.objects.filter(day=day).delete()
        LeadFact.objects.bulk_create(lead_facts_count(day), batch_size=_BATCH)


def rollups_refresh() -> int:
    """Recount the dirty days; returns how many. Cheap (one query) when nothing is dirty."""
    if not RollupDirtyDay.objects.exists():
        return 0
    with transaction.atomic():
        days = list(RollupDirtyDay.objects.order_by("day").values_list("day", flat=True))
        # Unmark first: a change that commits while we count marks its day again.
        for start in range(0, len(days), _BATCH):
            RollupDirtyDay.objects.filter(day__in=days[start:start + _BATCH]).delete()
        _dirty_marks_forget()
        _recount(days)
    return len(days)


def rollups_rebuild(date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Recount every day from scratch (all the data when no dates are given); returns days counted."""
    bounds = data_date_range()
    if bounds is None and (date_from is None or date_to is None):
        with transaction.atomic():
            RollupDay.objects.all().delete()
            LeadFact.objects.all().delete()
            RollupDirtyDay.objects.all().delete()
        _dirty_marks_forget()
        return 0
    date_from = date_from or bounds[0]
    date_to = date_to or bounds[1]
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    with transaction.atomic():
        RollupDirtyDay.objects.filter(day__gte=date_from, day__lte=date_to).delete()
        _dirty_marks_forget()
        RollupDay.objects.filter(day__gte=date_from, day__lte=date_to).delete()
        LeadFact.objects.filter(day__gte=date_from, day__lte=date_to).delete()
        rows: list[RollupDay] = []
        for day in days:
            rows += rollup_rows_count(day)
            if len(rows) >= 5000:
                RollupDay.objects.bulk_create(rows, batch_size=_BATCH)
                rows = []
            LeadFact.objects.bulk_create(lead_facts_count(day), batch_size=_BATCH)
        RollupDay.objects.bulk_create(rows, batch_size=_BATCH)
    return len(days)
