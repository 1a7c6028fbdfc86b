"""/events: the inbound event store, for admins and the head of sales."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from voronka.api.auth import can_read_events
from voronka.api.filters import EventFilters
from voronka.api.pagination import keyset_page
from voronka.api.presenters import event_out
from voronka.api.schemas import EventOut, EventPage, Id, MessageOut
from voronka.intake.models import InboundEvent
from voronka.intake.services.events import events_retry

router = Router(tags=["events"])

ERRORS = {400: MessageOut, 401: MessageOut, 403: MessageOut, 404: MessageOut, 422: MessageOut}


@router.get("", response={200: EventPage, **ERRORS}, summary="Inbound events (admins, head of sales)")
def event_list(request: HttpRequest, filters: Query[EventFilters]):
    if not can_read_events(request.auth):
        raise HttpError(403, "Входящие события видят только администратор и руководитель.")
    events = InboundEvent.objects.all()
    if filters.state:
        events = events.filter(state=filters.state)
    if filters.provider:
        events = events.filter(provider=filters.provider)
    if filters.channel:
        events = events.filter(channel=filters.channel)
    rows, next_cursor = keyset_page(events, cursor=filters.cursor, limit=filters.limit,
                                    field="received_at")
    return {"items": [event_out(e) for e in rows], "next_cursor": next_cursor}


@router.post("/{int:event_id}/retry", response={200: EventOut, **ERRORS},
             summary="Process a stored event again (admins)")
def event_retry(request: HttpRequest, event_id: Id):
    if not request.auth.is_crm_admin:
        raise HttpError(403, "Повторить обработку события может только администратор.")
    get_object_or_404(InboundEvent, pk=event_id)
    (event,) = events_retry(event_id=event_id)
    return event_out(event)
