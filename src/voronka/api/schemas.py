"""Request and response shapes. Request bodies refuse unknown fields (extra="forbid")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_DEPTH = 32

# A database id: SQLite and PostgreSQL both stop at 2**63-1; bigger numbers are a 422, not a 500.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def text_check_storable(data: Any) -> None:
    """Refuse text a database cannot keep: NUL characters (PostgreSQL) and lone surrogates.

    Without this they pass validation and fail at the database with a 500.
    Iterative, so deep nesting cannot exhaust the stack.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"{path or 'body'}: nested too deeply")
        texts: list[str] = []
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            texts += [key for key in value if isinstance(key, str)]
            stack += [(item, f"{path}.{key}" if path else str(key), depth + 1)
                      for key, item in value.items()]
        elif isinstance(value, list | tuple):
            stack += [(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
        for text in texts:
            if "\x00" in text:
                raise ValueError(f"{path or 'body'}: contains a NUL character")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{path or 'body'}: not valid Unicode text") from None


class StorableModel(BaseModel):
    """A body whose every text a database can store (no NUL, valid Unicode)."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        text_check_storable(data)
        return data


class StorableText(Schema, StorableModel):
    pass


class In(StorableText):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- shared output pieces

class Ref(Schema):
    code: str
    name: str


class StatusRef(Ref):
    semantics: str


class UserRef(Schema):
    id: int
    name: str


class CommunicationOut(Schema):
    id: int
    value: str
    normalized: str
    type: str
    extension: str = ""


class Utm(Schema):
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""


class Tracking(Schema):
    visit_id: str = ""
    landing_page: str = ""
    referrer: str = ""
    tracked_number: str = ""


class MessageOut(Schema):
    message: str
    detail: Any = None


class ValidationErrorOut(Schema):
    message: str
    errors: dict[str, list[str]]


# ---------------------------------------------------------------- leads

class LeadOut(Schema):
    id: int
    title: str
    status: StatusRef
    source: Ref | None
    source_description: str
    responsible: UserRef | None
    name: str
    last_name: str
    second_name: str
    post: str
    company_title: str
    phones: list[CommunicationOut]
    emails: list[CommunicationOut]
    utm: Utm
    tracking: Tracking
    custom_fields: dict[str, Any]
    comments: str
    is_repeat: bool
    amount: str | None = Field(description="Десятичная строка, например \"15000.00\".")
    currency: str
    junk_reason: Ref | None
    junk_comment: str
    sla_deadline: dt.datetime | None
    first_handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    contact_id: int | None
    company_id: int | None
    deal_ids: list[int]


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class UtmIn(In):
    utm_source: str = Field("", max_length=255)
    utm_medium: str = Field("", max_length=255)
    utm_campaign: str = Field("", max_length=255)
    utm_content: str = Field("", max_length=255)
    utm_term: str = Field("", max_length=255)


class LeadCreateIn(In):
    """An inbound request: routed like a call or a form (open lead, known client, new lead)."""

    title: str = Field("", max_length=255)
    name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    company_title: str = Field("", max_length=255)
    phones: list[str] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)
    comments: str = Field("", max_length=10000)
    source: str | None = Field(None, max_length=50, description="Код источника, см. /dictionaries/sources")
    utm: UtmIn | None = None
    landing_page: str = Field("", max_length=2000)
    referrer: str = Field("", max_length=2000)
    visit_id: str = Field("", max_length=64)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadPatchIn(In):
    title: str | None = Field(None, min_length=1, max_length=255)
    name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    second_name: str | None = Field(None, max_length=100)
    post: str | None = Field(None, max_length=200)
    company_title: str | None = Field(None, max_length=255)
    source_description: str | None = Field(None, max_length=500)
    comments: str | None = Field(None, max_length=10000)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    source: str | None = Field(None, max_length=50, description="Код источника; null — без источника")
    responsible: Id | None = Field(None, description="ID пользователя")
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    utm: UtmIn | None = None
    status: str | None = Field(None, max_length=50, description="Код рабочего статуса")
    custom_fields: dict[str, Any] | None = None


class LeadCreateOutcome(Schema):
    """The request landed on something that already existed, or is waiting for a retry."""

    outcome: str
    event_id: int
    state: str
    lead: LeadOut | None = None
    deal_id: int | None = None
    error: str = ""


class CommentIn(In):
    text: str = Field(min_length=1, max_length=10000)


class CommentOut(Schema):
    id: int
    text: str
    author: UserRef | None
    created_at: dt.datetime


class JunkIn(In):
    reason: str = Field(max_length=50, description="Код причины, см. /dictionaries/close-reasons")
    comment: str = Field("", max_length=1000)


class ContactDataIn(In):
    name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    second_name: str = Field("", max_length=100)
    post: str = Field("", max_length=200)
    comments: str = Field("", max_length=10000)


class CompanyDataIn(In):
    title: str = Field("", max_length=255)
    inn: str = Field("", max_length=12)
    kpp: str = Field("", max_length=9)
    ogrn: str = Field("", max_length=15)
    legal_address: str = Field("", max_length=500)


class ConvertIn(In):
    legal_entity: bool = False
    contact_id: Id | None = Field(None, description="Привязать к существующему контакту")
    company_id: Id | None = Field(None, description="Привязать к существующей компании")
    contact: ContactDataIn | None = None
    company: CompanyDataIn | None = None
    amount: Decimal | None = Field(None, description="Сумма сделки; по умолчанию — сумма лида")
    pipeline: str | None = Field(None, max_length=50, description="Код направления")
    stage: str | None = Field(None, max_length=50, description="Код стадии")
    deal_title: str = Field("", max_length=255)
    communication_targets: dict[Id, Literal["contact", "company", "both", "none"]] = Field(
        default_factory=dict, description="ID средства связи лида -> куда его перенести")


class ConvertOut(Schema):
    lead_id: int
    contact_id: int
    company_id: int | None
    deal_id: int


# ---------------------------------------------------------------- deals and clients

class DealOut(Schema):
    id: int
    title: str
    pipeline: Ref
    stage: StatusRef
    amount: str
    currency: str
    source: Ref | None
    first_touch_source: Ref | None
    responsible: UserRef | None
    contact_id: int | None
    company_id: int | None
    lead_id: int | None
    is_repeat: bool
    comments: str
    utm: Utm
    tracking: Tracking
    custom_fields: dict[str, Any]
    close_reason: Ref | None
    closed_on: dt.date | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DealPage(Schema):
    items: list[DealOut]
    next_cursor: str | None


class DealMoveIn(In):
    stage: str = Field(max_length=50, description="Код стадии")
    pipeline: str | None = Field(None, max_length=50,
                                 description="Код направления; по умолчанию — текущее направление сделки")
    closed_on: dt.date | None = None
    reason: str | None = Field(None, max_length=50, description="Код причины проигрыша")
    comment: str = Field("", max_length=10000)


class ContactOut(Schema):
    id: int
    name: str
    last_name: str
    second_name: str
    full_name: str
    post: str
    company_id: int | None
    responsible: UserRef | None
    source: Ref | None
    first_touch_source: Ref | None
    first_touch_at: dt.datetime | None
    phones: list[CommunicationOut]
    emails: list[CommunicationOut]
    comments: str
    custom_fields: dict[str, Any]
    created_at: dt.datetime


class CompanyOut(Schema):
    id: int
    title: str
    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    responsible: UserRef | None
    source: Ref | None
    phones: list[CommunicationOut]
    emails: list[CommunicationOut]
    comments: str
    custom_fields: dict[str, Any]
    created_at: dt.datetime


# ---------------------------------------------------------------- dictionaries

class SourceOut(Schema):
    code: str
    name: str
    sort: int
    is_active: bool


class LeadStatusOut(Schema):
    code: str
    name: str
    semantics: str
    color: str
    sort: int
    deprecated: bool


class StageOut(Schema):
    code: str
    name: str
    semantics: str
    color: str
    sort: int


class PipelineOut(Schema):
    code: str
    name: str
    sort: int
    is_default: bool
    stages: list[StageOut]


class CloseReasonOut(Schema):
    entity: str
    code: str
    name: str
    is_active: bool


# ---------------------------------------------------------------- inbound events

class EventOut(Schema):
    id: int
    channel: str
    provider: str
    connection: str
    kind: str
    idempotency_key: str
    state: str
    error: str
    attempts: int
    outcome: str
    received_at: dt.datetime
    processed_at: dt.datetime | None
    lead_id: int | None
    deal_id: int | None
    payload: Any


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None
