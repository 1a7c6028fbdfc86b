"""Lead operations: create, edit, change status, close as junk, comment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.core.batch_cache import cached
from voronka.core.signals import leads_written
from voronka.crm.cleaning import full_clean_with_loaded_relations
from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CloseReason,
    CommunicationKind,
    Entity,
    EventKind,
    Lead,
    LeadStatus,
    Semantics,
    TimelineEvent,
)
from voronka.crm.normalization import phone_format, phone_normalize
from voronka.crm.services.communications import CommunicationInput, communications_add
from voronka.crm.services.editing import changes_save, fields_check
from voronka.crm.timeline import event_record

# Plain fields a caller may set on create and update. Status, conversion links and the SLA
# have their own operations, so they are not here.
LEAD_EDITABLE_FIELDS = frozenset({
    "title", "name", "last_name", "second_name", "post", "company_title", "source",
    "source_description", "responsible", "amount", "currency", "comments",
    *UTM_FIELDS, *TRACKING_FIELDS,
})
LEAD_CREATE_ONLY_FIELDS = frozenset({"is_repeat", "contact", "company", "sla_deadline"})


def lead_status_default() -> LeadStatus:
    status = cached(("lead_status_default",), lambda: (
        LeadStatus.objects.filter(semantics=Semantics.PROCESS, deprecated=False)
        .order_by("sort", "id").first()
    ), settled=True)
    if status is None:
        raise ValidationError(_("Нет ни одного рабочего статуса лида."))
    return status


def lead_status_for(semantics: Semantics, preferred_code: str) -> LeadStatus:
    """The status with `preferred_code`, else the first usable one with the same semantics."""
    candidates = LeadStatus.objects.filter(semantics=semantics).order_by("sort", "id")
    status = candidates.filter(code=preferred_code).first() or candidates.filter(
        deprecated=False).first()
    if status is None:
        raise ValidationError(_("Нет статуса лида с семантикой «%(s)s».") % {"s": semantics.label})
    return status


def _default_title(fields: dict[str, Any], communications: list[CommunicationInput]) -> str:
    person = " ".join(p for p in (fields.get("name"), fields.get("last_name")) if p)
    parts = [p for p in (person, fields.get("company_title")) if p]
    for item in communications:
        if item.kind == CommunicationKind.PHONE:
            normalized = phone_normalize(item.value)
            parts.append(phone_format(normalized) if normalized else item.value)
            break
        if item.kind == CommunicationKind.EMAIL:
            parts.append(item.value)
            break
    return ", ".join(parts) or _("Новый лид")


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    fields_check(fields, allowed, "lead")


@transaction.atomic
def lead_create(
    *,
    acting_user=None,
    status: LeadStatus | None = None,
    communications: Iterable[CommunicationInput] = (),
    custom_fields: dict[str, Any] | None = None,
    enforce_required: bool = True,
    created_at: dt.datetime | None = None,
    event_text: str = "",
    **fields: Any,
) -> Lead:
    """Create a lead with normalised communications and a CREATED event on its timeline."""
    _check_fields(fields, LEAD_EDITABLE_FIELDS | LEAD_CREATE_ONLY_FIELDS)
    communications = list(communications)
    status = status or lead_status_default()
    if status.deprecated:
        raise ValidationError({"status": _("Статус «%(name)s» устарел и не может быть выбран.")
                               % {"name": status.name}})
    if status.semantics != Semantics.PROCESS:
        raise ValidationError({"status": _("Новый лид создаётся в рабочем статусе.")})
    title = (fields.pop("title", "") or "").strip() or _default_title(fields, communications)
    lead = Lead(
        title=title[:255], status=status, created_by=acting_user,
        custom_fields=custom_fields_clean(entity=Entity.LEAD, values=custom_fields,
                                          enforce_required=enforce_required),
        **fields,
    )
    if created_at is not None:
        lead.created_at = created_at
    full_clean_with_loaded_relations(lead)
    lead.save()
    communications_add(lead, communications, fresh=True)
    event_record(
        EventKind.CREATED, actor=acting_user, lead=lead, contact=lead.contact,
        company=lead.company, text=event_text, created_at=lead.created_at,
        payload={"source": lead.source, "responsible": lead.responsible,
                 "is_repeat": lead.is_repeat},
    )
    return lead


def _lock(lead: Lead) -> Lead:
    """Re-read the lead under a row lock, so concurrent operations see each other's result.

    Without select_related: on PostgreSQL a joined FOR UPDATE also locks the joined rows
    (the shared status), fails on a nullable join, and when the waiting transaction wakes
    up it re-checks the join against the *old* status row, so the changed lead drops out
    of the result and .get() raises DoesNotExist instead of the service's refusal.
    """
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _mark_handled(lead: Lead, now: dt.datetime) -> list[str]:
    if lead.first_handled_at is None:
        lead.first_handled_at = now
        return ["first_handled_at"]
    return []


@transaction.atomic
def lead_update(
    *, lead: Lead, acting_user=None, custom_fields: dict[str, Any] | None = None, **changes: Any
) -> Lead:
    """Edit plain fields and custom fields; the timeline keeps old and new values."""
    _check_fields(changes, LEAD_EDITABLE_FIELDS)
    lead = _lock(lead)
    if custom_fields is not None:
        changes["custom_fields"] = custom_fields_clean(
            entity=Entity.LEAD, values=custom_fields, existing=lead.custom_fields)
    changes_save(lead, changes, acting_user=acting_user, timeline_owner="lead")
    return lead


@transaction.atomic
def lead_assign(*, lead: Lead, responsible, acting_user=None, reason: str = "",
                reason_text: str = "") -> Lead:
    """Hand a lead to someone; one ASSIGNED event says from whom, to whom and why."""
    lead = _lock(lead)
    if lead.responsible_id == (responsible.pk if responsible else None):
        return lead
    previous = lead.responsible
    lead.responsible = responsible
    lead.save(update_fields=["responsible", "updated_at"])
    event_record(EventKind.ASSIGNED, actor=acting_user, lead=lead, payload={
        "from": previous, "to": responsible, "reason": reason, "reason_text": reason_text})
    return lead


@transaction.atomic
def lead_change_status(*, lead: Lead, status: LeadStatus, acting_user=None) -> Lead:
    """Move a lead between working statuses, or reopen a junk lead.

    Conversion and junk have their own operations (they need a deal or a reason).
    """
    lead = _lock(lead)
    if lead.status_id == status.pk:
        return lead
    if status.deprecated:
        raise ValidationError({"status": _("Статус «%(name)s» устарел и не может быть выбран.")
                               % {"name": status.name}})
    if lead.status.semantics == Semantics.SUCCESS:
        raise ValidationError({"status": _("Лид уже сконвертирован; его статус не меняется.")})
    if status.semantics == Semantics.SUCCESS:
        raise ValidationError({"status": _("Чтобы сконвертировать лид, используйте конвертацию.")})
    if status.semantics == Semantics.FAILURE:
        raise ValidationError({"status": _("Чтобы закрыть лид как некачественный, укажите причину.")})
    old = lead.status
    now = timezone.now()
    lead.status = status
    update = ["status", "updated_at", *_mark_handled(lead, now)]
    if old.semantics == Semantics.FAILURE:
        lead.junk_reason, lead.junk_comment, lead.closed_at = None, "", None
        update += ["junk_reason", "junk_comment", "closed_at"]
    lead.save(update_fields=update)
    event_record(EventKind.STATUS_CHANGED, actor=acting_user, lead=lead,
                 payload={"from": old, "to": status})
    return lead


@transaction.atomic
def lead_close_as_junk(
    *, lead: Lead, reason: CloseReason, comment: str = "", acting_user=None
) -> Lead:
    """Close an open lead as junk (некачественный), with a reason from the dictionary."""
    if reason is None or reason.entity != Entity.LEAD or not reason.is_active:
        raise ValidationError({"reason": _("Выберите причину из списка причин для лидов.")})
    lead = _lock(lead)
    if lead.status.semantics != Semantics.PROCESS:
        raise ValidationError({"status": _("Лид уже закрыт («%(name)s»).")
                               % {"name": lead.status.name}})
    old = lead.status
    junk = lead_status_for(Semantics.FAILURE, "JUNK")
    now = timezone.now()
    lead.status, lead.junk_reason, lead.junk_comment = junk, reason, comment.strip()[:1000]
    lead.closed_at = now
    update = ["status", "junk_reason", "junk_comment", "closed_at", "updated_at",
              *_mark_handled(lead, now)]
    lead.save(update_fields=update)
    event_record(EventKind.CLOSED, actor=acting_user, lead=lead, text=lead.junk_comment,
                 payload={"from": old, "to": junk, "reason": reason})
    return lead


@transaction.atomic
def comment_add(
    *, text: str, acting_user=None, lead=None, deal=None, contact=None, company=None
) -> TimelineEvent:
    """A comment on the timeline of one or more items."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Комментарий пуст.")})
    if len(text) > 10000:
        raise ValidationError({"text": _("Комментарий длиннее 10 000 знаков.")})
    if not any((lead, deal, contact, company)):
        raise ValidationError(_("Комментарий должен относиться к лиду, сделке, контакту или компании."))
    if lead is not None and lead.first_handled_at is None:
        Lead.objects.filter(pk=lead.pk, first_handled_at__isnull=True).update(
            first_handled_at=timezone.now())
        leads_written.send(sender=Lead, created_at=[lead.created_at])
    return event_record(EventKind.COMMENT, actor=acting_user, lead=lead, deal=deal,
                        contact=contact, company=company, text=text)
