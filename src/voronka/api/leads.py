"""/leads: create (as an inbound request), read, list, edit, comment, junk, convert."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from voronka.accounts.models import User
from voronka.api.filters import LeadFilters, leads_filter
from voronka.api.intake import PROVIDER, lead_payload_check
from voronka.api.pagination import keyset_page
from voronka.api.presenters import lead_out, leads_queryset, moment, user_ref
from voronka.api.schemas import (
    CommentIn,
    CommentOut,
    ConvertIn,
    ConvertOut,
    Id,
    JunkIn,
    LeadCreateIn,
    LeadCreateOutcome,
    LeadOut,
    LeadPage,
    LeadPatchIn,
    MessageOut,
    ValidationErrorOut,
)
from voronka.crm.models import CloseReason, Entity, LeadStatus, Pipeline, Source, Stage
from voronka.crm.selectors import companies_visible_to, contacts_visible_to, leads_visible_to
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import pipeline_default
from voronka.crm.services.leads import comment_add, lead_change_status, lead_close_as_junk, lead_update
from voronka.intake.models import Channel, EventState, InboundEvent
from voronka.intake.services.events import inbound_event_store, process_event
from voronka.intake.services.routing import Outcome

router = Router(tags=["leads"])

ERRORS = {400: ValidationErrorOut, 401: MessageOut, 404: MessageOut, 413: MessageOut, 422: MessageOut}
IDEMPOTENCY_HEADER = {
    "parameters": [{
        "in": "header", "name": "Idempotency-Key", "required": False,
        "schema": {"type": "string", "maxLength": 255},
        "description": "Повтор запроса с тем же ключом не создаёт ничего нового и возвращает тот же "
                       "результат (200). Без ключа сервер создаёт случайный.",
    }],
}


def _visible_lead(user: User, lead_id: int):
    return get_object_or_404(leads_queryset(user), pk=lead_id)


def _create_answer(user: User, event: InboundEvent, *, replay: bool):
    if event.state not in (EventState.PROCESSED, EventState.DUPLICATE):
        return Status(202, {"outcome": event.outcome, "event_id": event.pk, "state": event.state,
                     "error": event.error})
    if event.outcome in (Outcome.NEW_LEAD, Outcome.REPEAT_LEAD) and event.lead_id:
        lead = leads_queryset().filter(pk=event.lead_id).first()
        if lead is not None:
            return Status(200 if replay else 201, lead_out(lead))
    # Landed on something that existed: show it only to someone allowed to see it.
    lead = leads_queryset(user).filter(pk=event.lead_id).first() if event.lead_id else None
    deal_visible = bool(event.deal_id) and (user.can_see_all or event.deal.responsible_id == user.pk)
    return Status(200, {"outcome": event.outcome, "event_id": event.pk, "state": event.state,
                        "lead": lead_out(lead) if lead else None,
                        "deal_id": event.deal_id if deal_visible else None, "error": ""})


@router.post("", response={201: LeadOut, 200: LeadOut | LeadCreateOutcome, 202: LeadCreateOutcome,
                           409: MessageOut, **ERRORS},
             openapi_extra=IDEMPOTENCY_HEADER, summary="Create a lead (an inbound request)")
def lead_create_view(request: HttpRequest, payload: LeadCreateIn, response: HttpResponse):
    """Stored first as an inbound event, then routed like a call or a form: 201 with a new
    lead; 200 with `outcome` when it landed on an open lead or deal; 202 when processing
    failed (the event is kept for retry)."""
    user: User = request.auth
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 255:
        raise ValidationError({"Idempotency-Key": ["Не длиннее 255 знаков."]})
    data = payload.model_dump(mode="json")
    lead_payload_check(data)
    key = key or uuid.uuid4().hex
    event, created = inbound_event_store(
        channel=Channel.API, provider=PROVIDER, idempotency_key=key, kind="lead",
        payload={"data": data, "user_id": user.pk})
    if not created and (event.payload.get("data") != data or event.payload.get("user_id") != user.pk):
        raise HttpError(409, "Ключ идемпотентности уже использован для другого запроса.")
    if created or event.state == EventState.RECEIVED:
        event = process_event(event)
    response["Idempotency-Key"] = key
    response["X-Inbound-Event"] = str(event.pk)
    return _create_answer(user, event, replay=not created)


@router.get("", response={200: LeadPage, **ERRORS}, summary="List leads (cursor pagination)")
def lead_list(request: HttpRequest, filters: Query[LeadFilters]):
    queryset = leads_filter(leads_queryset(request.auth), filters)
    rows, next_cursor = keyset_page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [lead_out(lead) for lead in rows], "next_cursor": next_cursor}


@router.get("/{int:lead_id}", response={200: LeadOut, **ERRORS}, summary="One lead")
def lead_detail(request: HttpRequest, lead_id: Id):
    return lead_out(_visible_lead(request.auth, lead_id))


def _resolve(model, field: str, errors: dict[str, list[str]], message: str, **lookup):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        errors[field] = [message]
    return obj


@router.patch("/{int:lead_id}", response={200: LeadOut, **ERRORS}, summary="Edit a lead")
def lead_patch(request: HttpRequest, lead_id: Id, payload: LeadPatchIn):
    """Only the fields present are changed. `status` moves between working statuses
    (conversion and junk have their own endpoints); `null` clears source, responsible, amount."""
    user: User = request.auth
    lead = _visible_lead(user, lead_id)
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    status_code = data.pop("status", None)
    custom_fields = data.pop("custom_fields", None)
    changes: dict[str, Any] = data.pop("utm", None) or {}
    if "source" in data:
        code = data.pop("source")
        changes["source"] = code and _resolve(Source, "source", errors,
                                              f"Нет источника с кодом «{code}».", code=code)
    if "responsible" in data:
        user_id = data.pop("responsible")
        changes["responsible"] = user_id and _resolve(
            User, "responsible", errors, f"Нет активного пользователя с id {user_id}.",
            pk=user_id, is_active=True)
    for name, value in data.items():
        if value is None and name != "amount":
            errors[name] = ["Значение не может быть null."]
        changes[name] = value
    status = None
    if status_code is not None:
        status = _resolve(LeadStatus, "status", errors, f"Нет статуса с кодом «{status_code}».",
                          code=status_code)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if changes or custom_fields is not None:
            lead_update(lead=lead, acting_user=user, custom_fields=custom_fields, **changes)
        if status is not None:
            lead_change_status(lead=lead, status=status, acting_user=user)
    return lead_out(_visible_lead_after_change(user, lead_id))


def _visible_lead_after_change(user: User, lead_id: int):
    # The user may have just handed the lead to someone else; show them the result anyway.
    return leads_queryset().get(pk=lead_id)


@router.post("/{int:lead_id}/comments", response={201: CommentOut, **ERRORS},
             summary="Comment on a lead")
def lead_comment(request: HttpRequest, lead_id: Id, payload: CommentIn):
    lead = get_object_or_404(leads_visible_to(request.auth), pk=lead_id)
    event = comment_add(text=payload.text, acting_user=request.auth, lead=lead)
    return Status(201, {"id": event.pk, "text": event.text, "author": user_ref(request.auth),
                        "created_at": moment(event.created_at)})


@router.post("/{int:lead_id}/junk", response={200: LeadOut, **ERRORS},
             summary="Close a lead as junk")
def lead_junk(request: HttpRequest, lead_id: Id, payload: JunkIn):
    lead = get_object_or_404(leads_visible_to(request.auth), pk=lead_id)
    reason = CloseReason.objects.filter(entity=Entity.LEAD, code=payload.reason).first()
    if reason is None:
        raise ValidationError({"reason": [f"Нет причины для лидов с кодом «{payload.reason}»."]})
    lead_close_as_junk(lead=lead, reason=reason, comment=payload.comment, acting_user=request.auth)
    return lead_out(_visible_lead(request.auth, lead_id))


@router.post("/{int:lead_id}/convert", response={201: ConvertOut, **ERRORS},
             summary="Convert a lead into contact (+ company) + deal")
def lead_convert_view(request: HttpRequest, lead_id: Id, payload: ConvertIn):
    user: User = request.auth
    lead = get_object_or_404(leads_visible_to(user), pk=lead_id)
    errors: dict[str, list[str]] = {}
    contact = company = pipeline = stage = None
    if payload.contact_id is not None:
        contact = contacts_visible_to(user).filter(pk=payload.contact_id).first()
        if contact is None:
            errors["contact_id"] = [f"Нет доступного контакта с id {payload.contact_id}."]
    if payload.company_id is not None:
        company = companies_visible_to(user).filter(pk=payload.company_id).first()
        if company is None:
            errors["company_id"] = [f"Нет доступной компании с id {payload.company_id}."]
    if payload.pipeline:
        pipeline = _resolve(Pipeline, "pipeline", errors,
                            f"Нет направления с кодом «{payload.pipeline}».", code=payload.pipeline)
    if payload.stage and "pipeline" not in errors:
        in_pipeline = pipeline or pipeline_default()
        stage = _resolve(Stage, "stage", errors,
                         f"Нет стадии «{payload.stage}» в направлении «{in_pipeline.name}».",
                         pipeline=in_pipeline, code=payload.stage)
    own = set(lead.communications.values_list("id", flat=True))
    unknown = sorted(set(payload.communication_targets) - own)
    if unknown:
        errors["communication_targets"] = [
            f"У лида нет средств связи с id {', '.join(map(str, unknown))}."]
    if errors:
        raise ValidationError(errors)
    result = lead_convert(
        lead=lead, acting_user=user, legal_entity=payload.legal_entity, contact=contact,
        company=company,
        contact_data=payload.contact.model_dump(exclude_unset=True) if payload.contact else None,
        company_data=payload.company.model_dump(exclude_unset=True) if payload.company else None,
        pipeline=pipeline, stage=stage, amount=payload.amount, deal_title=payload.deal_title,
        communication_targets=dict(payload.communication_targets),
    )
    return Status(201, {"lead_id": result.lead.pk, "contact_id": result.contact.pk,
                        "company_id": result.company.pk if result.company else None,
                        "deal_id": result.deal.pk})
