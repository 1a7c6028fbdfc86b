"""/deals: read, list, move between stages and pipelines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from voronka.api.filters import DealFilters, deals_filter
from voronka.api.pagination import keyset_page
from voronka.api.presenters import deal_out, deals_queryset
from voronka.api.schemas import DealMoveIn, DealOut, DealPage, Id, MessageOut, ValidationErrorOut
from voronka.crm.models import CloseReason, Entity, Pipeline, Stage
from voronka.crm.selectors import deals_visible_to
from voronka.crm.services.deals import deal_move

router = Router(tags=["deals"])

ERRORS = {400: ValidationErrorOut, 401: MessageOut, 404: MessageOut, 413: MessageOut, 422: MessageOut}


@router.get("", response={200: DealPage, **ERRORS}, summary="List deals (cursor pagination)")
def deal_list(request: HttpRequest, filters: Query[DealFilters]):
    queryset = deals_filter(deals_queryset(request.auth), filters)
    rows, next_cursor = keyset_page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [deal_out(deal) for deal in rows], "next_cursor": next_cursor}


@router.get("/{int:deal_id}", response={200: DealOut, **ERRORS}, summary="One deal")
def deal_detail(request: HttpRequest, deal_id: Id):
    return deal_out(get_object_or_404(deals_queryset(request.auth), pk=deal_id))


@router.post("/{int:deal_id}/move", response={200: DealOut, **ERRORS},
             summary="Move a deal to a stage (a final stage closes it)")
def deal_move_view(request: HttpRequest, deal_id: Id, payload: DealMoveIn):
    """`pipeline` defaults to the deal's current one. Reopening a closed deal is for the
    head of sales and admins only (400 for a manager)."""
    deal = get_object_or_404(deals_visible_to(request.auth).select_related("pipeline"), pk=deal_id)
    errors: dict[str, list[str]] = {}
    pipeline = deal.pipeline
    if payload.pipeline:
        pipeline = Pipeline.objects.filter(code=payload.pipeline).first()
        if pipeline is None:
            errors["pipeline"] = [f"Нет направления с кодом «{payload.pipeline}»."]
    stage = None
    if pipeline is not None:
        stage = Stage.objects.select_related("pipeline").filter(pipeline=pipeline,
                                                                code=payload.stage).first()
        if stage is None:
            errors["stage"] = [f"Нет стадии «{payload.stage}» в направлении «{pipeline.name}»."]
    reason = None
    if payload.reason:
        reason = CloseReason.objects.filter(entity=Entity.DEAL, code=payload.reason).first()
        if reason is None:
            errors["reason"] = [f"Нет причины для сделок с кодом «{payload.reason}»."]
    if errors:
        raise ValidationError(errors)
    deal_move(deal=deal, stage=stage, acting_user=request.auth, closed_on=payload.closed_on,
              reason=reason, comment=payload.comment)
    return deal_out(deals_queryset(request.auth).get(pk=deal_id))
