"""Deals made by conversion or by the copy business process, and their life in the pipeline.

A deal's whole future is drawn when it is created (stages it will pass, when, how it
ends); only the part that has already happened by "now" is written. So recent deals are
open at their current stage and old ones are won or lost, as on a real kanban.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from voronka.accounts.models import User
from voronka.crm.models import Company, Contact, Deal, Lead, Source
from voronka.crm.services.deals import deal_amount_resolve
from voronka.demo import events
from voronka.demo.catalog import DEAL_COMMENTS, LOSS_REASONS, pick
from voronka.demo.clock import during_work
from voronka.demo.state import Run

STUCK_SHARE = 0.03  # deals nobody closes: the "forgotten" column of the kanban
LOST_AT_STAGE = (35, 30, 20, 10, 5)  # where lost deals stop, by working stage
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class DealInput:
    title: str
    amount: int
    at: dt.datetime
    actor: User  # who converted (or copied): the author of the deal
    responsible: User
    lead: Lead
    contact: Contact
    company: Company | None
    source: Source
    first_touch: Source
    source_description: str
    tracking: dict[str, str]
    comments: str
    is_repeat: bool
    win_rate: float
    parent: Deal | None = None
    upsell_manager: User | None = None


def deal_build(run: Run, spec: DealInput) -> tuple[Deal, dt.datetime | None]:
    """Add a deal and its timeline to the batch; return it and when it was won (or None)."""
    rng, d = run.rng, run.dicts
    # The company's rules may demand a minimum; a demo amount below it would be refused.
    amount = deal_amount_resolve(max(Decimal(spec.amount), d.rules.minimum_amount), d.rules)
    stages = d.process_stages
    # Draw everything first, then cut at "now".
    stuck = rng.random() < STUCK_SHARE
    won = not stuck and rng.random() < spec.win_rate
    if won:
        path = [stages[0], *(s for s in stages[1:] if rng.random() > 0.2)]
    else:
        # A customised pipeline may have more working stages: later ones weigh like the last.
        weights = [LOST_AT_STAGE[min(i, len(LOST_AT_STAGE) - 1)] for i in range(len(stages))]
        last = rng.choices(range(len(stages)), weights)[0]
        path = list(stages[: last + 1])
    # Passes take one to three weeks (documents, payment, the city's decision).
    step_mean = (13 if won else 18) * DAY / (len(path) + 1)
    times = [spec.at]
    for _stage in path[1:]:
        times.append(during_work(rng, times[-1], step_mean, 600))
    close_at = during_work(rng, times[-1], step_mean, 600)
    reason_code = pick(rng, LOSS_REASONS)
    loss_comment = rng.choice(LOSS_REASONS[reason_code][1]) if rng.random() < 0.5 else ""
    comment = rng.choice(DEAL_COMMENTS) if rng.random() < 0.25 else ""
    comment_at = rng.random()

    now = run.now
    reached = sum(1 for t in times if t <= now) - 1
    closed = not stuck and close_at <= now
    reason = d.loss_reasons.get(reason_code) or next(iter(d.loss_reasons.values()))
    deal = Deal(
        title=spec.title[:255], pipeline=d.pipeline, amount=amount, currency="RUB",
        stage=(d.won_stage if won else d.lost_stage) if closed else path[reached],
        contact=spec.contact, company=spec.company, lead=spec.lead, source=spec.source,
        source_description=spec.source_description, first_touch_source=spec.first_touch,
        responsible=spec.responsible, upsell_manager=spec.upsell_manager,
        parent_deal=spec.parent, is_repeat=spec.is_repeat, comments=spec.comments,
        created_by=spec.actor, created_at=spec.at, **spec.tracking,
    )
    if closed:
        deal.closed_at = close_at
        deal.closed_on = close_at.date()  # times are local, so this is the local date
        deal.close_reason = None if won else reason
    (run.batch.child_deals if spec.parent is not None else run.batch.deals).append(deal)

    actor_id = spec.responsible.pk
    run.event(events.deal_created(deal, at=spec.at, actor_id=spec.actor.pk, stage=path[0],
                                  source=spec.source, contact=spec.contact,
                                  company=spec.company))
    for i in range(1, reached + 1):
        run.event(events.deal_moved(deal, at=times[i], actor_id=actor_id, old=path[i - 1],
                                    new=path[i]))
    end = close_at if closed else now
    if comment:
        run.event(events.comment(at=spec.at + (end - spec.at) * comment_at, actor_id=actor_id,
                                 text=comment, deal=deal))
    stats = run.stats
    if not closed:
        stats.deals_open += 1
        return deal, None
    run.event(events.deal_closed(deal, at=close_at, actor_id=actor_id, old=path[-1],
                                 new=deal.stage, won=won, closed_on=deal.closed_on,
                                 reason=deal.close_reason, comment="" if won else loss_comment))
    if won:
        stats.deals_won += 1
        stats.revenue += amount
        return deal, close_at
    stats.deals_lost += 1
    return deal, None
