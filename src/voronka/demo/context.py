"""The dictionaries and users the generator writes against, loaded once per run."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from voronka.accounts.models import User
from voronka.crm.models import (
    CloseReason,
    CrmSettings,
    Entity,
    LeadStatus,
    Pipeline,
    Semantics,
    Source,
    Stage,
)
from voronka.crm.services.deals import pipeline_default
from voronka.crm.services.leads import lead_status_default, lead_status_for
from voronka.demo.catalog import CHANNELS, JUNK_REASONS, LOSS_REASONS, Channel
from voronka.demo.users import DEMO_USERS


@dataclass(frozen=True)
class Dictionaries:
    sources: dict[str, Source]
    channels: tuple[Channel, ...]  # the catalog channels whose source exists here
    status_new: LeadStatus
    status_in_process: LeadStatus
    status_converted: LeadStatus
    status_junk: LeadStatus
    pipeline: Pipeline
    process_stages: tuple[Stage, ...]  # in pipeline order
    won_stage: Stage
    lost_stage: Stage
    junk_reasons: dict[str, CloseReason]
    loss_reasons: dict[str, CloseReason]
    rules: CrmSettings
    users: dict[str, User]
    managers: tuple[User, ...]


def _reasons(entity: str, wanted: dict) -> dict[str, CloseReason]:
    found = {r.code: r for r in CloseReason.objects.filter(entity=entity, is_active=True)}
    reasons = {code: found[code] for code in wanted if code in found}
    if not reasons:
        # Someone renamed the seeded reasons: fall back to whatever is active.
        reasons = dict(found)
    if not reasons:
        raise ImproperlyConfigured(f"No active close reasons for {entity}.")
    return reasons


def dictionaries_load(users: dict[str, User]) -> Dictionaries:
    """Read statuses, stages, sources and reasons the way the services pick them."""
    sources = {s.code: s for s in Source.objects.all()}
    channels = tuple(c for c in CHANNELS if c.code in sources)
    if not channels:
        raise ImproperlyConfigured("None of the demo sources exist; run `voronka migrate`.")
    new = lead_status_default()
    in_process = (LeadStatus.objects.filter(code="IN_PROCESS", semantics=Semantics.PROCESS,
                                            deprecated=False).first()
                  or LeadStatus.objects.filter(semantics=Semantics.PROCESS, deprecated=False)
                  .exclude(pk=new.pk).order_by("sort", "id").first() or new)
    # «Главное» by its seeded code; the services' default pipeline if it was recoded.
    pipeline = Pipeline.objects.filter(code="MAIN").first() or pipeline_default()
    stages = list(Stage.objects.filter(pipeline=pipeline).select_related("pipeline")
                  .order_by("sort", "id"))
    process = tuple(s for s in stages if s.semantics == Semantics.PROCESS)
    won = next((s for s in stages if s.semantics == Semantics.SUCCESS), None)
    lost = next((s for s in stages if s.semantics == Semantics.FAILURE), None)
    if not process or won is None or lost is None:
        raise ImproperlyConfigured(f"Pipeline «{pipeline.name}» needs working, won and lost stages.")
    managers = tuple(users[u.username] for u in DEMO_USERS if u.lead_share)
    return Dictionaries(
        sources=sources, channels=channels, status_new=new, status_in_process=in_process,
        status_converted=lead_status_for(Semantics.SUCCESS, "CONVERTED"),
        status_junk=lead_status_for(Semantics.FAILURE, "JUNK"),
        pipeline=pipeline, process_stages=process, won_stage=won, lost_stage=lost,
        junk_reasons=_reasons(Entity.LEAD, JUNK_REASONS),
        loss_reasons=_reasons(Entity.DEAL, LOSS_REASONS),
        rules=CrmSettings.load(), users=users, managers=managers,
    )
