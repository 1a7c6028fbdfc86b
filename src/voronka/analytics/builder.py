"""The report builder: any dimensions × measures over the period and filters.

Dimensions of the daily facts (source, campaign, manager, pipeline, repeat, day, week, month)
come with every measure. Lead dimensions (status, UTM tags, custom fields of leads "uf:CODE")
are counted from the leads themselves and carry the lead measures only (other measures are
None); they combine with source, campaign, manager, repeat and day / week / month (the lead's
creation day in the report's time zone), not with pipeline (a lead has none).

Column labels come from here (DIMENSION_LABELS, MEASURE_LABELS, `dimension_label`): the web
pages, the files and the API show the same names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.analytics.models import SavedReport
from voronka.analytics.periods import Period
from voronka.analytics.ratios import money, money_ratios, per, ratio
from voronka.analytics.reports.base import Chart, Column, Kind, ReportResult, totals_sum
from voronka.analytics.scope import ReportFilters, scope_for
from voronka.analytics.selectors import (
    FACT_MEASURES,
    deals_created,
    deals_won,
    facts,
    lead_custom_fields,
    leads_created,
    names_load,
    spend_by,
    status_ids,
)
from voronka.crm.models import UTM_FIELDS, CustomFieldDefinition, CustomFieldType, Semantics

FACT_DIMENSIONS = {"source": "source", "campaign": "campaign", "manager": "responsible",
                   "pipeline": "pipeline", "repeat": "is_repeat", "day": "day", "week": "day", "month": "day"}
DATE_DIMENSIONS = ("day", "week", "month")
LEAD_DIMENSIONS = ("status", *UTM_FIELDS)
# The deal's current stage: deals created in the period by where they are now, and the deals
# won in the period (their stage is the won one) with their revenue.
DEAL_DIMENSIONS = ("stage",)
DEAL_MEASURES = ("deals", "won_deals", "revenue", "avg_deal")
_DEAL_FIELDS = {"stage": "stage_id", "source": "d_source", "campaign": "d_campaign",
                "manager": "responsible_id", "pipeline": "pipeline_id", "repeat": "is_repeat"}
CUSTOM_PREFIX = "uf:"
# Fact dimensions a lead has too (the others, only pipeline, have no meaning for a lead).
_LEAD_FIELDS = {"status": "status_id", "manager": "responsible_id", "source": "source_id",
                "campaign": "utm_campaign", "repeat": "is_repeat"}
SPEND_DIMENSIONS = {"source", "campaign", "day", "week", "month"}
RATIO_MEASURES = ("junk_share", "conversion", "cpl", "cost_per_good_lead", "cac", "avg_deal", "roi",
                  "romi", "roas", "drr")
MEASURES = (*FACT_MEASURES, "spend", "clicks", *RATIO_MEASURES)
LEAD_MEASURES = ("leads", "junk_leads", "handled_leads", "converted_leads", "junk_share", "conversion")
KINDS = {"revenue": Kind.MONEY, "spend": Kind.MONEY, "cpl": Kind.MONEY, "cost_per_good_lead": Kind.MONEY,
         "cac": Kind.MONEY, "avg_deal": Kind.MONEY, "junk_share": Kind.SHARE, "conversion": Kind.SHARE,
         "drr": Kind.SHARE, "roi": Kind.RATIO, "romi": Kind.RATIO, "roas": Kind.RATIO}

DIMENSION_LABELS: dict[str, str | Promise] = {
    "source": gettext_lazy("Источник"),
    "campaign": gettext_lazy("Кампания"),
    "manager": gettext_lazy("Менеджер"),
    "pipeline": gettext_lazy("Направление"),
    "repeat": gettext_lazy("Новый / повторный"),
    "day": gettext_lazy("День"),
    "week": gettext_lazy("Неделя"),
    "month": gettext_lazy("Месяц"),
    "status": gettext_lazy("Статус лида"),
    "stage": gettext_lazy("Стадия сделки"),
    **{f: f for f in UTM_FIELDS},
}

MEASURE_LABELS: dict[str, str | Promise] = {
    "leads": gettext_lazy("Лиды"),
    "junk_leads": gettext_lazy("Некачественные лиды"),
    "handled_leads": gettext_lazy("Обработанные лиды"),
    "converted_leads": gettext_lazy("Сконвертированные лиды"),
    "deals": gettext_lazy("Сделки"),
    "won_deals": gettext_lazy("Выигранные сделки"),
    "revenue": gettext_lazy("Выручка"),
    "new_customers": gettext_lazy("Новые клиенты"),
    "spend": gettext_lazy("Расход"),
    "clicks": gettext_lazy("Клики"),
    "junk_share": gettext_lazy("Доля некачественных"),
    "conversion": gettext_lazy("Конверсия в сделку"),
    "cpl": gettext_lazy("CPL"),
    "cost_per_good_lead": gettext_lazy("Цена качественного лида"),
    "cac": gettext_lazy("CAC"),
    "avg_deal": gettext_lazy("Средний чек"),
    "roi": gettext_lazy("ROI"),
    "romi": gettext_lazy("ROMI"),
    "roas": gettext_lazy("ROAS"),
    "drr": gettext_lazy("ДРР"),
}


# --- custom fields of leads ---------------------------------------------------------------------

def custom_fields_of_leads() -> dict[str, CustomFieldDefinition]:
    """Every custom field of leads by code (read fresh: definitions change in the settings)."""
    return {d.code: d for d in lead_custom_fields()}


def custom_dimensions() -> dict[str, str | Promise]:
    """The custom-field dimensions the builder offers: the list fields of leads, «Поле: …»."""
    return {f"{CUSTOM_PREFIX}{code}": _custom_label(d.label) for code, d in custom_fields_of_leads().items()
            if d.field_type == CustomFieldType.LIST}


def _custom_label(label: str) -> str | Promise:
    return format_lazy(gettext_lazy("Поле: {label}"), label=label)


def is_lead_dimension(name: str) -> bool:
    return name in LEAD_DIMENSIONS or name.startswith(CUSTOM_PREFIX)


def dimension_label(name: str, custom: dict[str, CustomFieldDefinition] | None = None) -> str | Promise:
    if name.startswith(CUSTOM_PREFIX):
        code = name[len(CUSTOM_PREFIX):]
        definition = (custom if custom is not None else custom_fields_of_leads()).get(code)
        return _custom_label(definition.label if definition else code)
    return DIMENSION_LABELS.get(name, name)


def measure_label(name: str) -> str | Promise:
    return MEASURE_LABELS.get(name, name)


# --- the choice -------------------------------------------------------------------------------

def builder_check(dimensions: list[str], measures: list[str]) -> dict[str, CustomFieldDefinition]:
    """Refuse what cannot be counted, in Russian: ValidationError({"dimensions" | "measures": …}).

    Returns the custom fields of leads (to label the "uf:" dimensions)."""
    custom = custom_fields_of_leads() if any(d.startswith(CUSTOM_PREFIX) for d in dimensions) else {}
    errors: dict[str, list[str]] = defaultdict(list)
    for d in dimensions:
        if d.startswith(CUSTOM_PREFIX):
            code = d[len(CUSTOM_PREFIX):]
            if code not in custom:
                errors["dimensions"].append(_("Нет пользовательского поля лидов с кодом «%(code)s».")
                                            % {"code": code})
        elif d not in FACT_DIMENSIONS and d not in LEAD_DIMENSIONS and d not in DEAL_DIMENSIONS:
            errors["dimensions"].append(_("Неизвестное измерение: %(name)s") % {"name": d})
    if len(set(dimensions)) != len(dimensions):
        errors["dimensions"].append(_("Измерение выбрано дважды."))
    if "pipeline" in dimensions and any(is_lead_dimension(d) for d in dimensions):
        errors["dimensions"].append(_("Статус, UTM-метки и пользовательские поля считаются по лидам, "
                                      "а у лида нет направления: уберите «Направление» или эти измерения."))
    if "stage" in dimensions:
        if any(is_lead_dimension(d) for d in dimensions):
            errors["dimensions"].append(_("Стадия — это сделки, а статус, UTM-метки и пользовательские "
                                          "поля — лиды: выберите что-то одно."))
        other = [m for m in measures if m in MEASURES and m not in DEAL_MEASURES]
        if other:
            errors["measures"].append(_("По стадиям считаются только сделки, выигранные сделки, выручка "
                                        "и средний чек; уберите: %(names)s.")
                                      % {"names": ", ".join(str(measure_label(m)) for m in other)})
    for m in measures:
        if m not in MEASURES:
            errors["measures"].append(_("Неизвестный показатель: %(name)s") % {"name": m})
    if not measures:
        errors["measures"].append(_("Нужен хотя бы один показатель."))
    if errors:
        raise ValidationError(dict(errors))
    return custom


def _bucket(day: dt.date, dimension: str) -> str:
    if dimension == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    if dimension == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


def _with_ratios(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("spend") is not None:  # a SUM of decimals comes back with long tails
        row["spend"] = money(row["spend"])
    if "revenue" in row and row["revenue"] is not None:
        row["revenue"] = money(row["revenue"])
        row.update(money_ratios(spend=row.get("spend"), revenue=row["revenue"], leads=row["leads"],
                                junk_leads=row["junk_leads"], won_deals=row["won_deals"],
                                new_customers=row["new_customers"]))
    row["junk_share"] = ratio(row["junk_leads"], row["leads"])
    row["conversion"] = ratio(row["converted_leads"], row["leads"])
    return row


def _fact_rows(dimensions: list[str], period: Period, scope) -> list[dict[str, Any]]:
    group = sorted({FACT_DIMENSIONS[d] for d in dimensions})
    found = facts(period, scope, group)
    with_spend = set(dimensions) <= SPEND_DIMENSIONS
    spend_dims = sorted({"day" if d in ("week", "month") else d for d in dimensions})
    spend_rows = spend_by(period, scope, spend_dims) if with_spend else None
    rows: dict[tuple, dict[str, Any]] = defaultdict(lambda: {
        **dict.fromkeys(FACT_MEASURES, 0), "revenue": Decimal("0"),
        "spend": Decimal("0") if spend_rows is not None else None,
        "clicks": 0 if spend_rows is not None else None})

    def key_of(row: dict[str, Any]) -> tuple:
        return tuple(_bucket(row["day"], d) if d in DATE_DIMENSIONS else row[FACT_DIMENSIONS[d]]
                     for d in dimensions)

    for row in found:
        bucket = rows[key_of(row)]
        for m in FACT_MEASURES:
            bucket[m] += row[m]
    for row in spend_rows or []:
        bucket = rows[key_of({**row, "responsible": None})]
        bucket["spend"] += row["spend"]
        bucket["clicks"] += row["clicks"]
    return [{**dict(zip(dimensions, key, strict=True)), **_with_ratios(m)} for key, m in rows.items()]


_LEAD_COUNTS = ("leads", "junk_leads", "handled_leads", "converted_leads")


def _custom_value(definition: CustomFieldDefinition, value: Any) -> str:
    """A stored value as text; missing, null and empty are one group «не заполнено»."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _("не заполнено")
    if definition.field_type == CustomFieldType.BOOLEAN:
        # SQLite gives 1 / 0 for JSON true / false, PostgreSQL 'true' / 'false'.
        return _("да") if str(value).lower() in ("1", "true") else _("нет")
    return str(value)


def _lead_rows(dimensions: list[str], period: Period, scope,
               custom: dict[str, CustomFieldDefinition]) -> list[dict[str, Any]]:
    """Leads created in the period grouped by their own fields, the custom fields (the JSON value as
    text) and their local creation day; week / month / empty values are merged here."""
    expressions: dict[str, Any] = {}
    for i, d in enumerate(dimensions):
        if d in DATE_DIMENSIONS:
            expressions[f"g{i}"] = TruncDate("created_at", tzinfo=period.zone)
        elif d.startswith(CUSTOM_PREFIX):
            code = d[len(CUSTOM_PREFIX):]
            expressions[f"g{i}"] = KeyTextTransform(code, "custom_fields")
            # JSON null: PostgreSQL's ->> gives NULL, Django's SQLite text gives 'null' (as for the
            # string "null"); the `custom_fields__CODE=None` lookup tells JSON null on both.
            expressions[f"n{i}"] = Case(When(Q(**{f"custom_fields__{code}": None}), then=Value(True)),
                                        default=Value(False), output_field=BooleanField())
        else:
            expressions[f"g{i}"] = F(_LEAD_FIELDS.get(d, d))
    found = leads_created(period.start, period.end, scope).values(**expressions).annotate(
        leads=Count("id"), junk_leads=Count("id", filter=Q(status_id__in=status_ids(Semantics.FAILURE))),
        handled_leads=Count("id", filter=Q(first_handled_at__isnull=False)),
        converted_leads=Count("id", filter=Q(status_id__in=status_ids(Semantics.SUCCESS)))).order_by()

    def value_of(i: int, d: str, row: dict[str, Any]) -> Any:
        value = row[f"g{i}"]
        if d in DATE_DIMENSIONS:
            return _bucket(value, d)
        if d.startswith(CUSTOM_PREFIX):
            return _custom_value(custom[d[len(CUSTOM_PREFIX):]], None if row[f"n{i}"] else value)
        return value

    rows: dict[tuple, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(_LEAD_COUNTS, 0))
    for row in found:
        bucket = rows[tuple(value_of(i, d, row) for i, d in enumerate(dimensions))]
        for m in _LEAD_COUNTS:
            bucket[m] += row[m]
    return [{**dict(zip(dimensions, key, strict=True)), **_with_ratios(m)} for key, m in rows.items()]


def _deal_rows(dimensions: list[str], period: Period, scope) -> list[dict[str, Any]]:
    """Deals created in the period, and deals won in it with their revenue, grouped by the
    deal's stage and the fact dimensions (a deal's source and campaign are its lead's)."""
    def grouped(qs, date_field: str, as_date):
        expressions = {f"g{i}": (as_date(date_field) if d in DATE_DIMENSIONS else F(_DEAL_FIELDS[d]))
                       for i, d in enumerate(dimensions)}
        return qs.values(**expressions).order_by()

    created = grouped(deals_created(period.start, period.end, scope), "created_at",
                      lambda field: TruncDate(field, tzinfo=period.zone)).annotate(n=Count("id"))
    won = grouped(deals_won(period.date_from, period.date_to, scope), "closed_on", F).annotate(
        n=Count("id"), revenue=Sum("amount"))
    rows: dict[tuple, dict[str, Any]] = defaultdict(
        lambda: {"deals": 0, "won_deals": 0, "revenue": Decimal("0")})

    def key_of(row: dict[str, Any]) -> tuple:
        return tuple(_bucket(row[f"g{i}"], d) if d in DATE_DIMENSIONS else row[f"g{i}"]
                     for i, d in enumerate(dimensions))

    for row in created:
        rows[key_of(row)]["deals"] += row["n"]
    for row in won:
        bucket = rows[key_of(row)]
        bucket["won_deals"] += row["n"]
        bucket["revenue"] += row["revenue"] or Decimal("0")
    return [{**dict(zip(dimensions, key, strict=True)), **m, "revenue": money(m["revenue"]),
             "avg_deal": per(m["revenue"], m["won_deals"])} for key, m in rows.items()]


def _label(names, dimension: str, value: Any) -> Any:
    if dimension == "source":
        return names.source_name(value)
    if dimension == "manager":
        return names.user_name(value)
    if dimension == "pipeline":
        return names.pipeline_name(value) if value else "—"
    if dimension == "status":
        return names.statuses.get(value, ("", "", ""))[1]
    if dimension == "stage":
        return names.stage_name(value)
    if dimension == "repeat":
        return _("повторные") if value else _("новые")
    return value


def builder_run(*, dimensions: list[str], measures: list[str], period: Period, user,
                filters: ReportFilters | None = None, name: str = "builder",
                title: str = "") -> ReportResult:
    dimensions, measures = list(dimensions), list(measures)
    custom = builder_check(dimensions, measures)
    scope = scope_for(user, filters)
    if "stage" in dimensions:
        found = _deal_rows(dimensions, period, scope)
    elif any(is_lead_dimension(d) for d in dimensions):
        found = _lead_rows(dimensions, period, scope, custom)
    else:
        found = _fact_rows(dimensions, period, scope)
    names = names_load()
    rows = []
    for row in found:
        item = {d: _label(names, d, row[d]) for d in dimensions}
        item.update({m: row.get(m) for m in measures})
        rows.append(item)
    rows.sort(key=lambda r: tuple(str(r[d]) for d in dimensions))
    summed = [m for m in measures if m in (*FACT_MEASURES, "spend", "clicks")]
    totals = totals_sum(rows, tuple(summed))
    columns = [Column(d, dimension_label(d, custom), Kind.TEXT) for d in dimensions]
    columns += [Column(m, measure_label(m), KINDS.get(m, Kind.COUNT)) for m in measures]
    chart = Chart.LINE if dimensions and dimensions[0] in DATE_DIMENSIONS else Chart.BAR
    return ReportResult(name=name, title=title or gettext_lazy("Конструктор отчётов"), period=period,
                        filters=scope.filters, columns=columns, rows=rows, totals=totals,
                        chart=chart if dimensions else Chart.TABLE,
                        category=dimensions[0] if dimensions else "", series=list(measures[:3]))


def saved_report_run(report: SavedReport, *, period: Period, user) -> ReportResult:
    return builder_run(dimensions=list(report.dimensions), measures=list(report.measures), period=period,
                       user=user, filters=ReportFilters.from_mapping(report.filters),
                       name=f"saved-{report.pk}", title=report.name)
