"""Every read of the analytics app. Reports, the builder and the dashboard read only through here.

Two paths give the same numbers ("facts"): daily rollups, when the period is in the company's
time zone (fast), and range queries over leads and deals otherwise (slower, still correct).
Neither applies a function per row: periods become ranges on indexed columns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Sum, When

from voronka.accounts.models import User
from voronka.analytics.models import LeadFact, RollupDay, SavedReport
from voronka.analytics.periods import Period, local_midnight
from voronka.analytics.scope import Scope
from voronka.crm.models import (
    Call,
    Contact,
    CustomFieldDefinition,
    Deal,
    Entity,
    Lead,
    LeadStatus,
    Pipeline,
    Semantics,
    Source,
    Stage,
)
from voronka.intake.models import TrackedNumber
from voronka.spend.models import SpendRow

FACT_DIMS = ("source", "campaign", "responsible", "pipeline", "is_repeat", "day")
COUNT_MEASURES = ("leads", "junk_leads", "handled_leads", "converted_leads", "deals", "won_deals",
                  "new_customers")
FACT_MEASURES = (*COUNT_MEASURES, "revenue")
_IN_CHUNK = 900  # ids per IN (...) list: under SQLite's old 999-parameter limit


# --- dictionaries -------------------------------------------------------------------------------

def status_ids(semantics: str) -> list[int]:
    return list(LeadStatus.objects.filter(semantics=semantics).values_list("id", flat=True))


def stage_ids(semantics: str) -> list[int]:
    return list(Stage.objects.filter(semantics=semantics).values_list("id", flat=True))


@dataclass(frozen=True)
class Names:
    """Codes and names for the ids a report shows."""

    sources: dict[int, tuple[str, str]]
    users: dict[int, str]
    pipelines: dict[int, tuple[str, str]]
    statuses: dict[int, tuple[str, str, str]]
    stages: dict[int, str] = dataclass_field(default_factory=dict)

    def source_code(self, pk: int | None) -> str:
        return self.sources[pk][0] if pk in self.sources else ""

    def source_name(self, pk: int | None) -> str:
        return self.sources[pk][1] if pk in self.sources else "Без источника"

    def user_name(self, pk: int | None) -> str:
        return self.users.get(pk, "Без ответственного") if pk is not None else "Без ответственного"

    def pipeline_name(self, pk: int | None) -> str:
        return self.pipelines[pk][1] if pk in self.pipelines else ""

    def stage_name(self, pk: int | None) -> str:
        return self.stages.get(pk, "—") if pk is not None else "—"


def names_load() -> Names:
    users = {u.pk: u.display_name for u in User.objects.only("id", "full_name", "first_name",
                                                               "last_name", "username")}
    return Names(
        sources={pk: (code, name) for pk, code, name in Source.objects.values_list("id", "code", "name")},
        users=users,
        pipelines={pk: (code, name) for pk, code, name in Pipeline.objects.values_list("id", "code", "name")},
        statuses={pk: (code, name, sem) for pk, code, name, sem in
                  LeadStatus.objects.values_list("id", "code", "name", "semantics")},
        stages=_stage_names(),
    )


def _stage_names() -> dict[int, str]:
    """Stage names; with several pipelines each is prefixed by its pipeline («Опт: Счёт»)."""
    stages = list(Stage.objects.values_list("id", "name", "pipeline__name"))
    several = len({pipeline for _pk, _name, pipeline in stages}) > 1
    return {pk: f"{pipeline}: {name}" if several else name for pk, name, pipeline in stages}


# --- scoped querysets -----------------------------------------------------------------------------

def _lead_filters(qs: QuerySet, scope: Scope, *, campaign_field: str) -> QuerySet:
    """Source, campaign, manager and new/repeat filters, for leads and for their LeadFact rows."""
    if scope.source_ids is not None:
        qs = qs.filter(source_id__in=scope.source_ids)
    if scope.filters.campaign:
        qs = qs.filter(**{campaign_field: scope.filters.campaign})
    if scope.manager_ids is not None:
        qs = qs.filter(responsible_id__in=scope.manager_ids)
    if scope.filters.repeat is not None:
        qs = qs.filter(is_repeat=scope.filters.repeat)
    return qs


def leads_scoped(qs: QuerySet[Lead], scope: Scope) -> QuerySet[Lead]:
    """The scope's lead filters; a pipeline filter does not apply to leads."""
    return _lead_filters(qs, scope, campaign_field="utm_campaign")


def deals_with_origin(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    """A deal's source and campaign are its lead's, or its own where it had no lead."""
    return qs.annotate(
        d_source=Case(When(lead_id__isnull=False, then=F("lead__source_id")), default=F("source_id")),
        d_campaign=Case(When(lead_id__isnull=False, then=F("lead__utm_campaign")),
                        default=F("utm_campaign")),
    )


def deals_scoped(qs: QuerySet[Deal], scope: Scope) -> QuerySet[Deal]:
    qs = deals_with_origin(qs)
    if scope.source_ids is not None:
        qs = qs.filter(d_source__in=scope.source_ids)
    if scope.filters.campaign:
        qs = qs.filter(d_campaign=scope.filters.campaign)
    if scope.manager_ids is not None:
        qs = qs.filter(responsible_id__in=scope.manager_ids)
    if scope.pipeline_id is not None:
        qs = qs.filter(pipeline_id=scope.pipeline_id)
    if scope.filters.repeat is not None:
        qs = qs.filter(is_repeat=scope.filters.repeat)
    return qs


def leads_created(start: dt.datetime, end: dt.datetime, scope: Scope) -> QuerySet[Lead]:
    return leads_scoped(Lead.objects.filter(created_at__gte=start, created_at__lt=end), scope)


def deals_created(start: dt.datetime, end: dt.datetime, scope: Scope) -> QuerySet[Deal]:
    return deals_scoped(Deal.objects.filter(created_at__gte=start, created_at__lt=end), scope)


def deals_won(date_from: dt.date, date_to: dt.date, scope: Scope) -> QuerySet[Deal]:
    """Won deals closed on these dates (closed_on is a calendar date: no time zone applies)."""
    return deals_scoped(Deal.objects.filter(closed_on__gte=date_from, closed_on__lte=date_to,
                                            stage_id__in=stage_ids(Semantics.SUCCESS)), scope)


# --- facts: the counts behind channels, managers, the builder and the dashboard ----------------

_LEAD_DIM_FIELDS = {"source": "source_id", "campaign": "utm_campaign", "responsible": "responsible_id",
                    "is_repeat": "is_repeat"}
_DEAL_DIM_FIELDS = {"source": "d_source", "campaign": "d_campaign", "responsible": "responsible_id",
                    "pipeline": "pipeline_id", "is_repeat": "is_repeat"}
_ROLLUP_DIM_FIELDS = {"source": "source_id", "campaign": "campaign", "responsible": "responsible_id",
                      "pipeline": "pipeline_id", "is_repeat": "is_repeat", "day": "day"}


def _empty_measures() -> dict[str, Any]:
    return {**dict.fromkeys(COUNT_MEASURES, 0), "revenue": Decimal("0.00")}


def facts_count(start: dt.datetime, end: dt.datetime, date_from: dt.date, date_to: dt.date,
                scope: Scope, group_by: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Counts from the CRM rows themselves: leads and deals created in [start, end), deals won
    with closed_on in [date_from, date_to]. Keyed by the values of `group_by` (no "day")."""
    out: dict[tuple, dict[str, Any]] = defaultdict(_empty_measures)
    junk, converted = status_ids(Semantics.FAILURE), status_ids(Semantics.SUCCESS)
    lead_fields = [_LEAD_DIM_FIELDS.get(d) for d in group_by]
    rows = leads_created(start, end, scope).values(*[f for f in lead_fields if f]).annotate(
        n=Count("id"), junk=Count("id", filter=Q(status_id__in=junk)),
        handled=Count("id", filter=Q(first_handled_at__isnull=False)),
        converted=Count("id", filter=Q(status_id__in=converted)),
    ).order_by()
    for row in rows:
        bucket = out[tuple(row[f] if f else None for f in lead_fields)]
        bucket["leads"] += row["n"]
        bucket["junk_leads"] += row["junk"]
        bucket["handled_leads"] += row["handled"]
        bucket["converted_leads"] += row["converted"]
    deal_fields = [_DEAL_DIM_FIELDS[d] for d in group_by]
    for row in deals_created(start, end, scope).values(*deal_fields).annotate(n=Count("id")).order_by():
        out[tuple(row[f] for f in deal_fields)]["deals"] += row["n"]
    won = deals_won(date_from, date_to, scope).values(*deal_fields).annotate(
        n=Count("id"), revenue=Sum("amount"), new=Count("id", filter=Q(is_repeat=False))).order_by()
    for row in won:
        bucket = out[tuple(row[f] for f in deal_fields)]
        bucket["won_deals"] += row["n"]
        bucket["revenue"] += row["revenue"] or Decimal("0")
        bucket["new_customers"] += row["new"]
    return dict(out)


def _rollup_qs(period: Period, scope: Scope) -> QuerySet[RollupDay]:
    from voronka.analytics.rollups import rollups_refresh

    rollups_refresh()
    qs = RollupDay.objects.filter(day__gte=period.date_from, day__lte=period.date_to)
    if scope.source_ids is not None:
        qs = qs.filter(source_id__in=scope.source_ids)
    if scope.filters.campaign:
        qs = qs.filter(campaign=scope.filters.campaign)
    if scope.manager_ids is not None:
        qs = qs.filter(responsible_id__in=scope.manager_ids)
    if scope.pipeline_id is not None:
        qs = qs.filter(Q(pipeline_id__isnull=True) | Q(pipeline_id=scope.pipeline_id))
    if scope.filters.repeat is not None:
        qs = qs.filter(is_repeat=scope.filters.repeat)
    return qs


def _rollup_read(period: Period, scope: Scope, group_by: Sequence[str]) -> list[dict[str, Any]]:
    qs = _rollup_qs(period, scope)
    fields = [_ROLLUP_DIM_FIELDS[d] for d in group_by]
    sums = {m: Sum(m) for m in COUNT_MEASURES}
    rows = []
    for row in qs.values(*fields).annotate(**sums, revenue_sum=Sum("revenue_kop")).order_by():
        result = {d: row[f] for d, f in zip(group_by, fields, strict=True)}
        result.update({m: row[m] or 0 for m in COUNT_MEASURES})
        result["revenue"] = Decimal(row["revenue_sum"] or 0) / 100
        rows.append(result)
    return rows


def _facts_rows(found: dict[tuple, dict[str, Any]], group_by: Sequence[str],
                extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [{**dict(zip(group_by, key, strict=True)), **(extra or {}), **measures}
            for key, measures in found.items()]


def facts(period: Period, scope: Scope, group_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One dict per combination of `group_by` (names from FACT_DIMS) with every FACT_MEASURE.

    "pipeline" is None on the lead side: a lead has no pipeline, so with "pipeline" in
    group_by the lead counts come back in rows of their own.
    """
    group_by = tuple(group_by)
    unknown = set(group_by) - set(FACT_DIMS)
    if unknown:
        raise ValueError(f"unknown fact dimensions: {sorted(unknown)}")
    if period.in_company_zone:
        return _rollup_read(period, scope, group_by)
    if "day" not in group_by:
        return _facts_rows(facts_count(period.start, period.end, period.date_from, period.date_to,
                                       scope, group_by), group_by)
    rest = tuple(d for d in group_by if d != "day")
    rows: list[dict[str, Any]] = []
    for day in period.days():
        start, end = local_midnight(day, period.zone), local_midnight(day + dt.timedelta(days=1),
                                                                      period.zone)
        rows += _facts_rows(facts_count(start, end, day, day, scope, rest), rest, {"day": day})
    return rows


def facts_total(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    total = _empty_measures()
    for row in rows:
        for m in FACT_MEASURES:
            total[m] += row[m]
    return total


# --- spend ------------------------------------------------------------------------------------------

SPEND_DIMS = ("source", "campaign", "day")


def spend_by(period: Period, scope: Scope, group_by: Sequence[str] = ()) -> list[dict[str, Any]] | None:
    """Spend rows summed by `group_by` (source id, campaign, day). None when the scope is one
    manager's: spend belongs to no manager. Pipeline and new/repeat filters do not apply to it."""
    if scope.by_manager:
        return None
    qs = SpendRow.objects.filter(day__gte=period.date_from, day__lte=period.date_to)
    if scope.source_ids is not None:
        qs = qs.filter(source_id__in=scope.source_ids)
    if scope.filters.campaign:
        qs = qs.filter(Q(campaign_name=scope.filters.campaign) | Q(campaign_id=scope.filters.campaign))
    qs = qs.annotate(s_campaign=Case(When(campaign_name="", then=F("campaign_id")),
                                     default=F("campaign_name")))
    fields = {"source": "source_id", "campaign": "s_campaign", "day": "day"}
    names = [fields[d] for d in group_by]
    rows = []
    for row in qs.values(*names).annotate(spend=Sum("amount"), clicks=Sum("clicks"),
                                          impressions=Sum("impressions")).order_by():
        result = {d: row[f] for d, f in zip(group_by, names, strict=True)}
        result.update(spend=row["spend"] or Decimal("0.00"), clicks=row["clicks"] or 0,
                      impressions=row["impressions"] or 0)
        rows.append(result)
    return rows


# --- leads by status, the funnel ------------------------------------------------------------------

def _rows_indexed(qs: QuerySet, index: str) -> list[tuple]:
    """Run `qs` (a values_list) through this index: SQLite's planner, with statistics, prefers
    the day index and then sorts a million rows. Other databases get the query as it is."""
    sql, params = qs.query.sql_with_params()
    if connection.vendor == "sqlite":
        table = connection.ops.quote_name(LeadFact._meta.db_table)
        sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {connection.ops.quote_name(index)}", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def lead_counts_by_status(period: Period, scope: Scope) -> dict[int, int]:
    if period.in_company_zone:
        qs = _lead_facts_created(period, scope).values_list("status_id").annotate(n=Count("id")).order_by()
        return dict(_rows_indexed(qs, "leadfact_status_day"))
    rows = leads_created(period.start, period.end, scope).values("status_id").annotate(n=Count("id"))
    return {row["status_id"]: row["n"] for row in rows.order_by()}


def lead_facts(period: Period, scope: Scope) -> QuerySet[LeadFact]:
    """LeadFact rows (all leads, whenever created) with the lead filters of the scope. Only for
    periods in the company's zone, after a refresh (the rollup readers refresh first)."""
    from voronka.analytics.rollups import rollups_refresh

    rollups_refresh()
    return _lead_filters(LeadFact.objects.all(), scope, campaign_field="campaign")


def _lead_facts_created(period: Period, scope: Scope) -> QuerySet[LeadFact]:
    return lead_facts(period, scope).filter(day__gte=period.date_from, day__lte=period.date_to)


def _funnel_cohort_rollup(period: Period, scope: Scope) -> dict[str, Any]:
    sums = _rollup_qs(period, scope).aggregate(
        leads=Sum("leads"), handled=Sum("handled_leads"), converted=Sum("converted_leads"),
        deals=Sum("cohort_deals"), won=Sum("cohort_won"), revenue=Sum("cohort_revenue_kop"))
    out = {k: sums[k] or 0 for k in ("leads", "handled", "converted", "deals", "won")}
    out["revenue"] = Decimal(sums["revenue"] or 0) / 100
    return out


def funnel_cohort(period: Period, scope: Scope) -> dict[str, Any]:
    """Of the leads created in the period: how many were handled, converted, became deals, won."""
    # The cohort rollup holds the deal's own responsible and new/repeat: with those filters the
    # lead's must match as well, so count from the rows.
    if period.in_company_zone and scope.manager_ids is None and scope.filters.repeat is None:
        return _funnel_cohort_rollup(period, scope)
    leads = leads_created(period.start, period.end, scope)
    counts = leads.aggregate(leads=Count("id"),
                             handled=Count("id", filter=Q(first_handled_at__isnull=False)),
                             converted=Count("id", filter=Q(status_id__in=status_ids(Semantics.SUCCESS))))
    deals = deals_scoped(Deal.objects.filter(lead_id__in=leads.values("id")), scope)
    deal_counts = deals.aggregate(deals=Count("id"),
                                  won=Count("id", filter=Q(stage_id__in=stage_ids(Semantics.SUCCESS))),
                                  revenue=Sum("amount", filter=Q(stage_id__in=stage_ids(Semantics.SUCCESS))))
    return {**counts, **deal_counts, "revenue": deal_counts["revenue"] or Decimal("0.00")}


def funnel_events(period: Period, scope: Scope) -> dict[str, Any]:
    """What happened in the period, whenever the lead came."""
    start, end = period.start, period.end
    if period.in_company_zone:
        sums = _rollup_qs(period, scope).aggregate(leads=Sum("leads"), deals=Sum("deals"),
                                                   won=Sum("won_deals"), revenue=Sum("revenue_kop"))
        facts_qs = lead_facts(period, scope)
        return {"leads": sums["leads"] or 0,
                "handled": facts_qs.filter(handled_at__gte=start, handled_at__lt=end).count(),
                "converted": facts_qs.filter(converted_at__gte=start, converted_at__lt=end).count(),
                "deals": sums["deals"] or 0, "won": sums["won"] or 0,
                "revenue": Decimal(sums["revenue"] or 0) / 100}
    leads = leads_created(start, end, scope).count()
    handled = leads_scoped(Lead.objects.filter(first_handled_at__gte=start, first_handled_at__lt=end),
                           scope).count()
    converted = leads_scoped(Lead.objects.filter(closed_at__gte=start, closed_at__lt=end,
                                                 status_id__in=status_ids(Semantics.SUCCESS)),
                             scope).count()
    deals = deals_created(start, end, scope).count()
    won = deals_won(period.date_from, period.date_to, scope).aggregate(n=Count("id"), revenue=Sum("amount"))
    return {"leads": leads, "handled": handled, "converted": converted, "deals": deals,
            "won": won["n"], "revenue": won["revenue"] or Decimal("0.00")}


# --- managers --------------------------------------------------------------------------------------

def lead_response_rows(period: Period, scope: Scope) -> list[tuple[int | None, dt.datetime,
                                                               dt.datetime | None, dt.datetime | None]]:
    """(responsible, created_at, first_handled_at, sla_deadline) of the leads created in the period."""
    return list(leads_created(period.start, period.end, scope).values_list(
        "responsible_id", "created_at", "first_handled_at", "sla_deadline").order_by())


def manager_sla_late(period: Period, scope: Scope) -> dict[int | None, int]:
    """Leads created in the period and handled after their SLA deadline, per responsible (rollups)."""
    rows = _rollup_qs(period, scope).filter(sla_late__gt=0).values("responsible_id").annotate(
        n=Sum("sla_late")).order_by()
    return {r["responsible_id"]: r["n"] for r in rows}


def manager_sla_open(period: Period, scope: Scope, now: dt.datetime) -> dict[int | None, int]:
    """Leads created in the period, still unhandled, whose SLA deadline has passed."""
    qs = _lead_facts_created(period, scope).filter(
        handled_at__isnull=True, sla_deadline__isnull=False, sla_deadline__lt=now).values_list(
        "responsible_id").annotate(n=Count("id")).order_by()
    return dict(_rows_indexed(qs, "leadfact_handled"))


def response_ranks(period: Period, scope: Scope, manager: int | None, ranks: Sequence[int],
                   everyone: bool = False) -> dict[int, int]:
    """First response times (microseconds) at these 0-based ranks of the sorted handled leads
    created in the period: of one responsible, or of everyone in the scope. Read through the
    (responsible, response, day) index, so no sort."""
    qs = _lead_facts_created(period, scope).filter(response_us__isnull=False)
    if not everyone:
        qs = qs.filter(responsible_id=manager)
    qs = qs.order_by("response_us").values_list("response_us", flat=True)
    index = "leadfact_response" if everyone else "leadfact_resp_response"
    out: dict[int, int] = {}
    for rank in sorted(set(ranks)):
        if rank in out:
            continue
        found = [row[0] for row in _rows_indexed(qs[rank:rank + 2], index)]
        for i, value in enumerate(found):
            out[rank + i] = value
    return out


def upsell_by_manager(period: Period, scope: Scope) -> dict[int, dict[str, Any]]:
    """Won repeat deals with a recorded upsell manager, credited to that manager."""
    manager_ids = scope.manager_ids
    qs = deals_won(period.date_from, period.date_to, scope_without_managers(scope)).filter(
        is_repeat=True, upsell_manager_id__isnull=False)
    if manager_ids is not None:
        qs = qs.filter(upsell_manager_id__in=manager_ids)
    rows = qs.values("upsell_manager_id").annotate(n=Count("id"), revenue=Sum("amount")).order_by()
    return {r["upsell_manager_id"]: {"deals": r["n"], "revenue": r["revenue"] or Decimal("0")}
            for r in rows}


def scope_without_managers(scope: Scope) -> Scope:
    from voronka.analytics.scope import scope_with

    return scope_with(scope, manager_ids=None)


# --- customer lifetime value ---------------------------------------------------------------------

def ltv_clients(period: Period, scope: Scope) -> QuerySet[Contact]:
    """Contacts whose first touch (or, lacking it, creation) falls in the period."""
    qs = Contact.objects.filter(
        Q(first_touch_at__gte=period.start, first_touch_at__lt=period.end)
        | Q(first_touch_at__isnull=True, created_at__gte=period.start, created_at__lt=period.end))
    if scope.source_ids is not None:
        qs = qs.filter(first_touch_source_id__in=scope.source_ids)
    if scope.manager_ids is not None:
        qs = qs.filter(responsible_id__in=scope.manager_ids)
    return qs


def ltv_client_counts(period: Period, scope: Scope) -> dict[int | None, int]:
    rows = ltv_clients(period, scope).values("first_touch_source_id").annotate(n=Count("id")).order_by()
    return {r["first_touch_source_id"]: r["n"] for r in rows}


def ltv_won_deals(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Every won deal (any date) of those clients, with the client's first touch."""
    clients = ltv_clients(period, scope)
    qs = Deal.objects.filter(contact_id__in=clients.values("id"), stage_id__in=stage_ids(Semantics.SUCCESS))
    if scope.pipeline_id is not None:
        qs = qs.filter(pipeline_id=scope.pipeline_id)
    return list(qs.values("contact_id", "amount", "closed_on", "closed_at",
                          "contact__first_touch_source_id", "contact__first_touch_at",
                          "contact__created_at").order_by())


def _sql_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    if not ids:
        return "0 = 1", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def ltv_revenue(period: Period, scope: Scope, horizons: Sequence[int]
                ) -> dict[int | None, dict[str, int]] | None:
    """One aggregate (SQLite) over the won deals of the LTV clients, per first-touch source:
    paying clients, won deals, revenue and revenue within each horizon (days after the first
    touch), money in kopecks. Deals without closed_at are left out of the horizon sums: the
    caller adds them (`ltv_won_deals_unclosed`). None on other databases."""
    if connection.vendor != "sqlite":
        return None
    adapt = connection.ops.adapt_datetimefield_value
    start, end = adapt(period.start), adapt(period.end)
    success = stage_ids(Semantics.SUCCESS)
    first = "COALESCE(c.first_touch_at, c.created_at)"
    kop = "CAST(ROUND(d.amount * 100) AS INTEGER)"
    horizon_sql = ", ".join(
        f"SUM(CASE WHEN d.closed_at IS NOT NULL AND d.closed_at < "
        f"date({first}, '+{int(h)} days') || substr({first}, 11) THEN {kop} ELSE 0 END)"
        for h in horizons)
    where = ["((c.first_touch_at >= %s AND c.first_touch_at < %s) OR "
             "(c.first_touch_at IS NULL AND c.created_at >= %s AND c.created_at < %s))"]
    params: list[Any] = [start, end, start, end]
    clause, extra = _sql_in("d.stage_id", success)
    where.append(clause)
    params += extra
    if scope.source_ids is not None:
        clause, extra = _sql_in("c.first_touch_source_id", scope.source_ids)
        where.append(clause)
        params += extra
    if scope.manager_ids is not None:
        clause, extra = _sql_in("c.responsible_id", scope.manager_ids)
        where.append(clause)
        params += extra
    if scope.pipeline_id is not None:
        where.append("d.pipeline_id = %s")
        params.append(scope.pipeline_id)
    deal_t = connection.ops.quote_name(Deal._meta.db_table)
    contact_t = connection.ops.quote_name(Contact._meta.db_table)
    sql = (f"SELECT c.first_touch_source_id, COUNT(DISTINCT d.contact_id), COUNT(*), SUM({kop}), "
           f"{horizon_sql} FROM {deal_t} d JOIN {contact_t} c ON c.id = d.contact_id "
           f"WHERE {' AND '.join(where)} GROUP BY c.first_touch_source_id")
    out: dict[int | None, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for source_id, paying, won, revenue, *within in cursor.fetchall():
            out[source_id] = {"paying_clients": paying, "won_deals": won, "revenue_kop": revenue or 0,
                              **{f"revenue_{h}d_kop": v or 0 for h, v in zip(horizons, within, strict=True)}}
    return out


def ltv_won_deals_unclosed(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """The won deals of the LTV clients that have no closed_at (their win moment is a date)."""
    clients = ltv_clients(period, scope)
    qs = Deal.objects.filter(contact_id__in=clients.values("id"), stage_id__in=stage_ids(Semantics.SUCCESS),
                             closed_at__isnull=True)
    if scope.pipeline_id is not None:
        qs = qs.filter(pipeline_id=scope.pipeline_id)
    return list(qs.values("contact_id", "amount", "closed_on", "contact__first_touch_source_id",
                          "contact__first_touch_at", "contact__created_at").order_by())


# --- attribution ---------------------------------------------------------------------------------

def attribution_deals(period: Period, scope: Scope) -> list[dict[str, Any]]:
    return list(deals_won(period.date_from, period.date_to, scope).values(
        "id", "amount", "closed_at", "closed_on", "contact_id", "company_id", "d_source").order_by("id"))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def client_touches(contact_ids: Iterable[int], company_ids: Iterable[int], since: dt.datetime,
                   until: dt.datetime) -> list[dict[str, Any]]:
    """Touches of these clients in [since, until]: their leads (each with its source) and their
    calls that made no lead of their own (source from the tracked line they rang)."""
    touches: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()  # a lead of contact C and company K is asked for twice
    lines = dict(TrackedNumber.objects.values_list("number", "source_id"))
    for field, ids in (("contact_id", sorted(set(contact_ids))), ("company_id", sorted(set(company_ids)))):
        for chunk in _chunks(ids):
            leads = Lead.objects.filter(**{f"{field}__in": chunk}, created_at__gte=since,
                                        created_at__lte=until)
            for row in leads.values("id", "contact_id", "company_id", "created_at",
                                    "source_id").order_by():
                if ("lead", row["id"]) not in seen:
                    seen.add(("lead", row["id"]))
                    touches.append({"contact_id": row["contact_id"], "company_id": row["company_id"],
                                    "at": row["created_at"], "source_id": row["source_id"],
                                    "kind": "lead"})
            # Only the client's ids go to the database: with the time range or "made no lead"
            # there, SQLite walked the index of all calls of the year (1.8 s a chunk at 1M leads,
            # against 12 ms through the client's index). A client has few calls.
            calls = Call.objects.filter(**{f"{field}__in": chunk})
            for row in calls.values("id", "lead_id", "contact_id", "company_id", "started_at",
                                    "line_number").order_by():
                if row["lead_id"] is not None or not since <= row["started_at"] <= until:
                    continue
                source_id = lines.get(row["line_number"])
                if source_id is not None and ("call", row["id"]) not in seen:
                    seen.add(("call", row["id"]))
                    touches.append({"contact_id": row["contact_id"], "company_id": row["company_id"],
                                    "at": row["started_at"], "source_id": source_id, "kind": "call"})
    return touches


def source_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    return dict(Source.objects.filter(code__in=list(codes)).values_list("code", "id"))


def pipeline_id_by_code(code: str) -> int | None:
    return Pipeline.objects.filter(code=code).values_list("id", flat=True).first()


def lead_custom_fields() -> list[CustomFieldDefinition]:
    """The custom fields of leads, in their order (read fresh: they change in the settings)."""
    return list(CustomFieldDefinition.objects.filter(entity=Entity.LEAD).order_by("sort", "id"))


def direct_source_ids() -> set[int]:
    return set(Source.objects.filter(code="DIRECT").values_list("id", flat=True))


# --- saved reports -------------------------------------------------------------------------------

def saved_reports_visible_to(user) -> QuerySet[SavedReport]:
    """Own reports, and those shared with the user's role (admins see every report)."""
    if user.is_crm_admin:
        return SavedReport.objects.all()
    # JSON "contains" is not portable to SQLite; the table is small, so filter the roles here.
    others = SavedReport.objects.exclude(owner=user).values_list("id", "shared_with_roles")
    shared = [pk for pk, roles in others if user.role in (roles or [])]
    return SavedReport.objects.filter(Q(owner=user) | Q(pk__in=shared))
