"""The bulk write path of an import: validated rows become new leads, ~1,000 per transaction.

Every `ok` row is, by validation, a new requester, so it needs no routing decision but its
source, responsible and SLA. A chunk is written in one transaction:

1. its phones and e-mails are looked up again in ONE query (a live call may have created a
   client since validation; such rows are skipped as `exists`), after taking the intake's
   identity locks on PostgreSQL so a concurrent call cannot double-create;
2. the leads, their InboundEvents (processed, outcome new_lead, linked to the lead),
   communications and timeline events (CREATED, ASSIGNED, SYSTEM — the shapes
   `lead_create`/`_new_lead`/`activity_record` write) are bulk-inserted;
3. round robin advances once per chunk.

A chunk that fails as a whole is rolled back and its rows go through the per-row path.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from voronka.accounts.models import User
from voronka.core.rows import RowFactory
from voronka.core.signals import leads_written
from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import (
    UTM_FIELDS,
    Communication,
    CommunicationKind,
    CommunicationType,
    Entity,
    EventKind,
    Lead,
    Source,
    TimelineEvent,
)
from voronka.crm.normalization import phone_details
from voronka.crm.services.communications import CommunicationInput, communication_build
from voronka.crm.services.leads import _default_title, lead_status_default
from voronka.crm.timeline import json_value
from voronka.intake.assignment import REASONS, managers_on_duty
from voronka.intake.attribution import CHANNEL_FALLBACK_SOURCE
from voronka.intake.imports.validation import (
    CREATED,
    EXISTS,
    PROVIDER,
    RowResult,
    _exists_message,
    idempotency_key,
)
from voronka.intake.models import Channel, EventState, IdentityLock, InboundEvent, IntakeSettings
from voronka.intake.services.routing import Outcome
from voronka.intake.sla import first_response_minutes, is_working_time, working_deadline

CHUNK_ROWS = 1000

_lead_row = RowFactory(Lead)
_event_row = RowFactory(TimelineEvent)
_inbound_row = RowFactory(InboundEvent)
_comm_row = RowFactory(Communication)


@dataclass
class BulkContext:
    """What every chunk of one import shares: loaded once."""

    sha256: str
    file_name: str
    status_id: int
    sources: dict[str, Source]
    fallback_source: Source | None
    custom_fields: dict[str, Any]
    responsible: User | None = None  # --responsible: everyone to this user

    @classmethod
    def load(cls, sha256: str, file_name: str, responsible: User | None = None) -> BulkContext:
        sources = {s.code: s for s in Source.objects.all()}
        return cls(
            sha256=sha256, file_name=file_name, status_id=lead_status_default().pk,
            sources=sources, fallback_source=sources.get(CHANNEL_FALLBACK_SOURCE[Channel.IMPORT]),
            custom_fields=custom_fields_clean(entity=Entity.LEAD, values={},
                                              enforce_required=False),
            responsible=responsible,
        )


_PREPARED = frozenset({"DateTimeField", "DecimalField", "JSONField", "DateField", "TimeField"})
_MAX_PARAMS = 30_000  # per INSERT; SQLite >= 3.32 allows 32,766, PostgreSQL 65,535


def _insert(model, objs: list) -> None:
    """bulk_create without Django's per-value compiler work: a multi-row INSERT … RETURNING id.

    Values are read by attname; only datetime/decimal/JSON fields go through the field's
    get_db_prep_save (the rest are plain str/int/bool/None already). Defaults and auto_now
    are the caller's business (RowFactory fills the defaults). Sets each object's pk.
    """
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared = [(f.attname, f if f.get_internal_type() in _PREPARED else None) for f in fields]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_insert = max(1, _MAX_PARAMS // len(fields))
    table = qn(model._meta.db_table)
    cache: dict[tuple[str, dt.datetime], Any] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_insert):
            batch = objs[start : start + per_insert]
            params: list[Any] = []
            for obj in batch:
                values = obj.__dict__
                for attname, field in prepared:
                    value = values[attname]
                    if field is not None and value is not None:
                        if isinstance(value, dt.datetime):  # mostly one `now` per chunk
                            key = (attname, value)
                            if key not in cache:
                                cache[key] = field.get_db_prep_save(value, connection)
                            value = cache[key]
                        else:
                            value = field.get_db_prep_save(value, connection)
                    params.append(value)
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES "
                           + ", ".join([row_sql] * len(batch)) + f" RETURNING {qn('id')}", params)
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) != len(batch):
                raise RuntimeError(f"{model.__name__}: inserted {len(ids)} of {len(batch)} rows")
            for obj, pk in zip(batch, sorted(ids), strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias


def _phones_build(phones: list[str]) -> tuple[list[Communication], str]:
    """communication_build for phones validation already normalised to E.164 (so value ==
    normalized, no extension): one phone_details per phone gives both the type and, for the
    first, the title's form. test_bulk checks they agree."""
    comms, first = [], ""
    for e164 in phones:
        display, mobile = phone_details(e164)
        comms.append(_comm_row(kind=CommunicationKind.PHONE, value=e164[:255],
                               normalized=e164[:255], extension="",
                               value_type=CommunicationType.MOBILE if mobile
                               else CommunicationType.WORK))
        first = first or display
    return comms, first


def _title(name: str, last_name: str, company_title: str, first_phone: str,
           emails: list[str]) -> str:
    """lead_create's _default_title for an already formatted first phone."""
    person = " ".join(p for p in (name, last_name) if p)
    parts = [p for p in (person, company_title) if p]
    if first_phone:
        parts.append(first_phone)
    elif emails:
        parts.append(emails[0])
    return ", ".join(parts) or _default_title({}, [])


def _identity_keys(result: RowResult) -> list[str]:
    return ([f"phone:{p}" for p in result.data["phones"]]
            + [f"email:{e}" for e in result.data["emails"]])


def _identities_lock(keys: list[str]) -> None:
    """routing.identities_lock for a whole chunk in two queries (PostgreSQL only)."""
    if connection.vendor == "sqlite" or not keys:
        return
    keys = sorted(set(keys))
    IdentityLock.objects.bulk_create([IdentityLock(key=k) for k in keys], ignore_conflicts=True)
    list(IdentityLock.objects.select_for_update().filter(key__in=keys).order_by("key")
         .values_list("pk", flat=True))


def _known(keys: list[str]) -> set[str]:
    """The chunk's identity keys already on some communication: one query."""
    if not keys:
        return set()
    values = {k.partition(":")[2] for k in keys}
    prefix = {CommunicationKind.PHONE: "phone", CommunicationKind.EMAIL: "email"}
    return {f"{prefix[kind]}:{normalized}" for kind, normalized in Communication.objects.filter(
        kind__in=list(prefix), normalized__in=values).values_list("kind", "normalized")}


class _Assigner:
    """responsible_choose for a new requester (no answerer, no client owner), for a chunk."""

    def __init__(self, now: dt.datetime, rules: IntakeSettings, fixed: User | None) -> None:
        self.fixed, self.rules, self.now = fixed, rules, now
        self.candidates: list[int] = []
        self.users: dict[int, User] = {}
        self.last: int | None = None
        self.mode = "none"
        if fixed is not None:
            self.mode = "fixed"
            return
        default = rules.default_responsible
        default_ok = bool(default and default.is_active
                          and (default.absent_until is None or default.absent_until <= now))
        if rules.round_robin:
            self.users = {u.pk: u for u in managers_on_duty(now)}
            self.candidates = sorted(self.users)
        if self.candidates and is_working_time(now, rules):
            self.mode = "round_robin"
        elif default_ok:
            self.mode = "default"
        elif self.candidates:
            self.mode = "round_robin"
        if self.mode == "round_robin":
            # Locked so a live call at the same moment does not pick the same manager.
            self.last = IntakeSettings.objects.select_for_update().values_list(
                "round_robin_last_id", flat=True).get(pk=1) or 0

    def next(self) -> tuple[User | None, str]:
        if self.mode == "fixed":
            return self.fixed, "default"
        if self.mode == "default":
            return self.rules.default_responsible, "default"
        if self.mode == "round_robin":
            last = self.last
            next_id = next((uid for uid in self.candidates if uid > last), self.candidates[0])
            self.last = next_id
            return self.users[next_id], "round_robin"
        return None, "none"

    def save(self) -> None:
        if self.mode == "round_robin":
            IntakeSettings.objects.filter(pk=1).update(round_robin_last=self.last)


def _sla_minutes(ctx: BulkContext, rules: IntakeSettings) -> dict[int | None, int]:
    minutes = {s.pk: first_response_minutes(s, rules) for s in ctx.sources.values()}
    minutes[None] = rules.first_response_minutes
    return minutes


def chunk_write(rows: list[RowResult], ctx: BulkContext) -> None:
    """_chunk_write with the cyclic GC paused: a chunk makes ~7,000 short-lived model objects
    and no garbage cycles worth the collector's repeated passes over them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        _chunk_write(rows, ctx)
    finally:
        if enabled:
            gc.enable()


def _chunk_write(rows: list[RowResult], ctx: BulkContext) -> None:
    """Write one chunk of `ok` rows in one transaction; set each row's status, lead, event.

    Raises on any database error (the caller then falls back to the per-row path); on
    success every row is `created` or `exists`.
    """
    with transaction.atomic():
        now = timezone.now()
        keys = [k for r in rows for k in _identity_keys(r)]
        _identities_lock(keys)
        known = _known(keys)
        stored = set(InboundEvent.objects.filter(
            provider=PROVIDER,
            idempotency_key__in=[idempotency_key(ctx.sha256, r.row) for r in rows],
        ).values_list("idempotency_key", flat=True))
        fresh: list[RowResult] = []
        late: list[RowResult] = []
        for result in rows:
            if known.intersection(_identity_keys(result)):
                late.append(result)
            elif idempotency_key(ctx.sha256, result.row) in stored:
                # Stored by an earlier run that failed: leave it to the per-row path.
                raise _Retry(result.row)
            else:
                fresh.append(result)
        rules = IntakeSettings.load()
        assigner = _Assigner(now, rules, ctx.responsible)
        sla_minutes = _sla_minutes(ctx, rules)
        deadlines: dict[int | None, dt.datetime] = {}
        leads: list[Lead] = []
        plans: list[tuple[RowResult, list[Communication], User | None, str, Source | None]] = []
        written: list[tuple[RowResult, int, int]] = []
        for result in fresh:
            data = result.data
            source = ctx.sources.get(data.get("source") or "") or ctx.fallback_source
            user, reason = assigner.next()
            comms, first_phone = _phones_build(data["phones"])
            comms += [communication_build(CommunicationInput("EMAIL", e)) for e in data["emails"]]
            name = (data.get("name") or "")[:100]
            last_name = (data.get("last_name") or "")[:100]
            company_title = (data.get("company_title") or "")[:255]
            title = (data.get("title") or "").strip() or _title(
                name, last_name, company_title, first_phone, data["emails"])
            utm = {k: str(v)[:255] for k, v in (data.get("utm") or {}).items()
                   if v and k in UTM_FIELDS}
            source_id = source.pk if source is not None else None
            if source_id not in deadlines:
                deadlines[source_id] = working_deadline(
                    now, sla_minutes.get(source_id, rules.first_response_minutes), rules)
            created_at = (dt.datetime.fromisoformat(data["created_at"])
                          if data.get("created_at") else now)
            leads.append(_lead_row(
                title=title[:255], status_id=ctx.status_id, name=name, last_name=last_name,
                company_title=company_title, source_id=source_id,
                responsible_id=user.pk if user is not None else None,
                amount=Decimal(data["amount"]) if data.get("amount") else None,
                comments=(data.get("comments") or "")[:10000], created_at=created_at,
                updated_at=now, sla_deadline=deadlines[source_id],
                custom_fields=dict(ctx.custom_fields), **utm))
            plans.append((result, comms, user, reason, source))
        _insert(Lead, leads)
        leads_written.send(sender=Lead, created_at=[lead.created_at for lead in leads])
        inbound = [_inbound_row(
            channel=Channel.IMPORT, provider=PROVIDER,
            idempotency_key=idempotency_key(ctx.sha256, result.row),
            payload={"data": result.data, "file": ctx.file_name, "row": result.row},
            received_at=now, state=EventState.PROCESSED, attempts=1, processed_at=now,
            lead_id=lead.pk, outcome=Outcome.NEW_LEAD,
        ) for lead, (result, *_rest) in zip(leads, plans, strict=True)]
        _insert(InboundEvent, inbound)
        comms_rows: list[Communication] = []
        json_cache: dict[tuple[str, int | None], Any] = {}

        def as_json(obj):
            key = (type(obj).__name__, obj.pk if obj is not None else None)
            if key not in json_cache:
                json_cache[key] = json_value(obj)
            return dict(json_cache[key]) if isinstance(json_cache[key], dict) else json_cache[key]
        events: list[TimelineEvent] = []
        for lead, event, (result, comms, user, reason, source) in zip(
                leads, inbound, plans, strict=True):
            for comm in comms:
                comm.lead_id = lead.pk
                comms_rows.append(comm)
            events.append(_event_row(
                kind=EventKind.CREATED, lead_id=lead.pk, created_at=lead.created_at,
                payload={"source": as_json(source), "responsible": as_json(user),
                         "is_repeat": False}))
            events.append(_event_row(
                kind=EventKind.ASSIGNED, lead_id=lead.pk, created_at=now,
                payload={"to": as_json(user), "reason": reason,
                         "reason_text": str(REASONS[reason])}))
            events.append(_event_row(
                kind=EventKind.SYSTEM, lead_id=lead.pk, created_at=lead.created_at,
                text=lead.comments,
                payload={"channel": Channel.IMPORT, "inbound_event": event.pk,
                         "file": ctx.file_name, "row": result.row, "outcome": Outcome.NEW_LEAD}))
            written.append((result, lead.pk, event.pk))
        _insert(Communication, comms_rows)
        _insert(TimelineEvent, events)
        assigner.save()
    for result, lead_id, event_id in written:
        result.status, result.lead_id, result.event_id = CREATED, lead_id, event_id
    for result in late:
        result.status = EXISTS
        try:
            result.messages = [_exists_message(result.data)]
        except Exception:  # the message is best-effort; the row is skipped either way
            result.messages = ["Уже есть в базе."]


class _Retry(Exception):
    """The chunk holds a row stored by an earlier run: process the chunk row by row."""
