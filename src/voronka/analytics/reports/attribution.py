"""Attribution report: revenue of the deals won in the period, credited to the sources of the
touches of each client (within a window before the win, 28 days unless set), by the chosen model."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from voronka.analytics.attribution import (
    DEFAULT_MODEL,
    MODELS,
    Touch,
    deal_credits,
    window_days_default,
)
from voronka.analytics.periods import local_midnight
from voronka.analytics.ratios import money, ratio
from voronka.analytics.reports.base import (
    Chart,
    Column,
    Kind,
    ReportContext,
    ReportResult,
    ReportSpec,
    report_register,
    totals_sum,
)
from voronka.analytics.selectors import (
    attribution_deals,
    client_touches,
    direct_source_ids,
    spend_by,
)

MODEL_NAMES = {
    "first_touch": _("по первому касанию"),
    "last_touch": _("по последнему касанию"),
    "last_non_direct": _("по последнему непрямому касанию"),
    "linear": _("линейная"),
    "position_based": _("с учётом позиции 40/20/40"),
    "time_decay": _("с затуханием во времени (полураспад 7 дней)"),
}


def _won_at(deal: dict[str, Any], zone) -> dt.datetime:
    if deal["closed_at"] is not None:
        return deal["closed_at"]
    return local_midnight(deal["closed_on"] + dt.timedelta(days=1), zone)


def attribution_credits(context: ReportContext
                        ) -> tuple[list[dict[str, Any]], dict[int | None, dict[str, Any]]]:
    """The deals and, per source, touches / credited deals / credited revenue."""
    deals = attribution_deals(context.period, context.scope)
    window = dt.timedelta(days=context.window_days or window_days_default())
    zone = context.period.zone
    found: list[dict[str, Any]] = []
    if deals:
        won = [_won_at(d, zone) for d in deals]
        found = client_touches([d["contact_id"] for d in deals if d["contact_id"]],
                               [d["company_id"] for d in deals if not d["contact_id"] and d["company_id"]],
                               min(won) - window, max(won))
    by_contact: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_company: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for touch in found:
        if touch["contact_id"]:
            by_contact[touch["contact_id"]].append(touch)
        if touch["company_id"]:
            by_company[touch["company_id"]].append(touch)
    direct = direct_source_ids()
    per_source: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"touches": 0, "deals": 0.0, "revenue": Decimal("0")})
    for deal in deals:
        won_at = _won_at(deal, zone)
        if deal["contact_id"]:
            pool = by_contact.get(deal["contact_id"], [])
        else:
            pool = by_company.get(deal["company_id"], [])
        touches = [Touch(t["at"], t["source_id"], t["kind"]) for t in pool
                   if won_at - window <= t["at"] <= won_at]
        credits = deal_credits(context.model or DEFAULT_MODEL, deal["amount"], touches, won_at,
                               deal["d_source"], direct)
        deal["credits"] = credits
        for source_id, credit, weight in credits:
            bucket = per_source[source_id]
            bucket["touches"] += 1
            bucket["deals"] += weight
            bucket["revenue"] += credit
    return deals, per_source


def build(context: ReportContext) -> ReportResult:
    deals, per_source = attribution_credits(context)
    spent = {r["source"]: r["spend"] for r in spend_by(context.period, context.scope, ("source",)) or []}
    names = context.names
    order = {pk: i for i, pk in enumerate(names.sources)}
    rows = []
    for source_id in sorted(per_source, key=lambda pk: order.get(pk, 10**6)):
        bucket = per_source[source_id]
        spend = None if context.scope.by_manager else money(spent.get(source_id, Decimal("0")))
        revenue = money(bucket["revenue"])
        rows.append({"source": names.source_code(source_id), "source_name": names.source_name(source_id),
                     "touches": bucket["touches"], "deals": Decimal(repr(bucket["deals"])).quantize(
                         Decimal("0.0001")), "revenue": revenue, "spend": spend,
                     "roi": None if spend is None else ratio(revenue - spend, spend)})
    totals = totals_sum(rows, ("touches", "revenue"))
    totals["deals"] = len(deals)
    totals["revenue"] = money(sum((d["amount"] for d in deals), Decimal("0")))
    model = context.model or DEFAULT_MODEL
    return ReportResult(
        name=context.name, title=_("Атрибуция выручки"), period=context.period,
        filters=context.scope.filters, model=model,
        columns=[Column("source", _("Код источника"), Kind.TEXT),
                 Column("source_name", _("Источник"), Kind.TEXT),
                 Column("touches", _("Касания"), Kind.COUNT),
                 Column("deals", _("Сделки (доли)"), Kind.RATIO),
                 Column("revenue", _("Выручка"), Kind.MONEY),
                 Column("spend", _("Расход"), Kind.MONEY),
                 Column("roi", _("ROI"), Kind.RATIO)],
        rows=rows, totals=totals, chart=Chart.PIE, category="source_name", series=["revenue"],
        note=str(_("Модель: %(model)s. Сделки, выигранные в периоде; касания клиента за %(days)s "
                   "до выигрыша (лиды и звонки на отслеживаемые номера).")
                 % {"model": MODEL_NAMES[model],
                    "days": _days(context.window_days or window_days_default())}))


def _days(n: int) -> str:
    return ngettext("%(n)s день", "%(n)s дней", n) % {"n": n}


report_register(ReportSpec("attribution", _("Атрибуция выручки"), build, models=MODELS,
                           default_model=DEFAULT_MODEL))
