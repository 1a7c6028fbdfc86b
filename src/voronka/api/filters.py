"""Query-string filters of the list endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator

from voronka.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from voronka.api.schemas import Id, text_check_storable
from voronka.crm.models import Communication, CommunicationKind
from voronka.crm.normalization import email_normalize, phone_normalize


class Page(Schema):
    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value, info: ValidationInfo):
        if isinstance(value, str):
            text_check_storable({info.field_name: value})
        return value

    cursor: str | None = Field(None, max_length=500, description="next_cursor из прошлого ответа")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class LeadFilters(Page):
    status: str | None = Field(None, description="Код статуса")
    source: str | None = Field(None, description="Код источника")
    responsible: Id | None = Field(None, description="ID ответственного")
    created_from: dt.date | None = Field(None, description="С даты (включительно), ГГГГ-ММ-ДД")
    created_to: dt.date | None = Field(None, description="По дату (включительно), ГГГГ-ММ-ДД")
    is_repeat: bool | None = None
    q: str | None = Field(None, max_length=200, description="Телефон в любом виде, e-mail или имя")


class DealFilters(Page):
    pipeline: str | None = Field(None, description="Код направления")
    stage: str | None = Field(None, description="Код стадии")
    semantics: Literal["process", "success", "failure"] | None = None
    source: str | None = Field(None, description="Код источника")
    responsible: Id | None = Field(None, description="ID ответственного")
    contact_id: Id | None = None
    company_id: Id | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    closed_from: dt.date | None = Field(None, description="Дата закрытия с (включительно)")
    closed_to: dt.date | None = Field(None, description="Дата закрытия по (включительно)")


class EventFilters(Page):
    state: Literal["received", "processed", "duplicate", "failed"] | None = None
    provider: str | None = None
    channel: str | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def created_between(queryset: QuerySet, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """Dates are days in the server's time zone; both ends are included."""
    if start:
        queryset = queryset.filter(created_at__gte=_day_start(start))
    if end:
        queryset = queryset.filter(created_at__lt=_day_start(end + dt.timedelta(days=1)))
    return queryset


def leads_filter(queryset: QuerySet, f: LeadFilters) -> QuerySet:
    if f.status:
        queryset = queryset.filter(status__code=f.status)
    if f.source:
        queryset = queryset.filter(source__code=f.source)
    if f.responsible is not None:
        queryset = queryset.filter(responsible_id=f.responsible)
    if f.is_repeat is not None:
        queryset = queryset.filter(is_repeat=f.is_repeat)
    queryset = created_between(queryset, f.created_from, f.created_to)
    query = (f.q or "").strip()
    if query:
        phone, email = phone_normalize(query), email_normalize(query)
        if phone or email:
            kind = CommunicationKind.PHONE if phone else CommunicationKind.EMAIL
            owners = Communication.objects.filter(kind=kind, normalized=phone or email,
                                                  lead__isnull=False).values("lead")
            queryset = queryset.filter(pk__in=owners)
        else:
            queryset = queryset.filter(
                Q(name__icontains=query) | Q(last_name__icontains=query)
                | Q(second_name__icontains=query) | Q(title__icontains=query)
                | Q(company_title__icontains=query))
    return queryset


def deals_filter(queryset: QuerySet, f: DealFilters) -> QuerySet:
    if f.pipeline:
        queryset = queryset.filter(pipeline__code=f.pipeline)
    if f.stage:
        queryset = queryset.filter(stage__code=f.stage)
    if f.semantics:
        queryset = queryset.filter(stage__semantics=f.semantics)
    if f.source:
        queryset = queryset.filter(source__code=f.source)
    if f.responsible is not None:
        queryset = queryset.filter(responsible_id=f.responsible)
    if f.contact_id is not None:
        queryset = queryset.filter(contact_id=f.contact_id)
    if f.company_id is not None:
        queryset = queryset.filter(company_id=f.company_id)
    queryset = created_between(queryset, f.created_from, f.created_to)
    if f.closed_from:
        queryset = queryset.filter(closed_on__gte=f.closed_from)
    if f.closed_to:
        queryset = queryset.filter(closed_on__lte=f.closed_to)
    return queryset
