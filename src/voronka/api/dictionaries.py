"""/dictionaries: the codes the other endpoints accept."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from voronka.api.schemas import CloseReasonOut, LeadStatusOut, PipelineOut, SourceOut
from voronka.crm.models import CloseReason, LeadStatus, Pipeline, Source, Stage

router = Router(tags=["dictionaries"])


@router.get("/sources", response=list[SourceOut], summary="Sources (источники)")
def sources(request: HttpRequest):
    return list(Source.objects.order_by("sort", "name"))


@router.get("/lead-statuses", response=list[LeadStatusOut], summary="Lead statuses")
def lead_statuses(request: HttpRequest):
    return list(LeadStatus.objects.order_by("sort", "id"))


@router.get("/pipelines", response=list[PipelineOut], summary="Pipelines with their stages")
def pipelines(request: HttpRequest):
    stages = Prefetch("stages", queryset=Stage.objects.order_by("sort", "id"))
    return [
        {"code": p.code, "name": p.name, "sort": p.sort, "is_default": p.is_default,
         "stages": list(p.stages.all())}
        for p in Pipeline.objects.order_by("sort", "id").prefetch_related(stages)
    ]


@router.get("/close-reasons", response=list[CloseReasonOut],
            summary="Reasons for junk leads and lost deals")
def close_reasons(request: HttpRequest):
    return list(CloseReason.objects.order_by("entity", "sort", "id"))
