"""Lead conversion: lead -> contact (+ company) + deal, in one transaction.

Unlike Bitrix24 (seed 003), communications are not copied blindly to both the contact and
the company: a mobile number or a personal mailbox goes to the contact, a work one to the
company, and the user may override that per value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.crm.custom_fields import custom_fields_carry_over
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    Communication,
    CommunicationType,
    Company,
    Contact,
    Deal,
    Entity,
    EventKind,
    Lead,
    Pipeline,
    Semantics,
    Stage,
)
from voronka.crm.services.communications import communications_add
from voronka.crm.services.deals import deal_amount_resolve, deal_create
from voronka.crm.services.leads import lead_status_for
from voronka.crm.timeline import event_record

Target = Literal["contact", "company", "both", "none"]
TARGETS = ("contact", "company", "both", "none")


@dataclass(frozen=True)
class ConversionResult:
    lead: Lead
    contact: Contact
    company: Company | None
    deal: Deal


def communication_default_target(comm: Communication, *, with_company: bool) -> Target:
    """Work values belong to the company; mobile, home and other ones to the person."""
    if with_company and comm.value_type == CommunicationType.WORK:
        return "company"
    return "contact"


def _contact_for(lead: Lead, contact: Contact | None, data: dict[str, Any], acting_user):
    if contact is not None:
        return contact, False
    fields = {
        "name": lead.name, "last_name": lead.last_name, "second_name": lead.second_name,
        "post": lead.post, **data,
    }
    if not any(fields.get(k) for k in ("name", "last_name")):
        fields["name"] = lead.title[:100]
    contact = Contact(
        responsible=lead.responsible or acting_user, source=lead.source,
        first_touch_source=lead.source, first_touch_at=lead.created_at,
        created_by=acting_user,
        custom_fields=custom_fields_carry_over(lead.custom_fields, to_entity=Entity.CONTACT),
        **{k: (v or "") for k, v in fields.items() if k in {"name", "last_name", "second_name",
                                                            "post", "comments"}},
    )
    contact.full_clean()
    contact.save()
    return contact, True


def _company_for(lead: Lead, company: Company | None, data: dict[str, Any], acting_user):
    if company is not None:
        return company, False
    allowed = {"title", "inn", "kpp", "ogrn", "legal_address"}
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"unknown company fields: {sorted(unknown)}")
    title = (data.get("title") or lead.company_title or "").strip()
    if not title:
        raise ValidationError({"company_title": _("Укажите название компании.")})
    company = Company(
        title=title[:255], responsible=lead.responsible or acting_user, source=lead.source,
        created_by=acting_user,
        custom_fields=custom_fields_carry_over(lead.custom_fields, to_entity=Entity.COMPANY),
        **{k: (v or "").strip() for k, v in data.items() if k != "title"},
    )
    company.full_clean()
    company.save()
    return company, True


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    acting_user=None,
    legal_entity: bool = False,
    contact: Contact | None = None,
    company: Company | None = None,
    contact_data: dict[str, Any] | None = None,
    company_data: dict[str, Any] | None = None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    amount: Any = None,
    deal_title: str = "",
    communication_targets: dict[int, Target] | None = None,
) -> ConversionResult:
    """Convert an open lead into contact (+ company) + deal.

    `contact`/`company` attach the lead to existing clients instead of creating new ones.
    `communication_targets` maps a lead communication id to where it goes.
    """
    # No select_related under FOR UPDATE: see leads._lock.
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status.semantics == Semantics.SUCCESS:
        raise ValidationError(_("Лид уже сконвертирован."))
    if lead.status.semantics == Semantics.FAILURE:
        raise ValidationError(_("Лид закрыт как некачественный. Верните его в работу, "
                                "чтобы сконвертировать."))
    targets = communication_targets or {}
    bad = {k: v for k, v in targets.items() if v not in TARGETS}
    if bad:
        raise ValidationError({"communication_targets": _("Неизвестное назначение: %(v)s")
                               % {"v": ", ".join(map(str, bad.values()))}})
    # Validate the amount before anything is written, so a refusal changes nothing.
    deal_amount_resolve(lead.amount if amount is None else amount)
    with_company = legal_entity or company is not None

    contact, contact_created = _contact_for(lead, contact, contact_data or {}, acting_user)
    if contact.first_touch_source_id is None and lead.source_id:
        contact.first_touch_source, contact.first_touch_at = lead.source, lead.created_at
        contact.save(update_fields=["first_touch_source", "first_touch_at", "updated_at"])
    company_obj = None
    company_created = False
    if with_company:
        company_obj, company_created = _company_for(lead, company, company_data or {},
                                                    acting_user)
        if contact.company_id is None:
            contact.company = company_obj
            contact.save(update_fields=["company", "updated_at"])

    to_contact, to_company = [], []
    for comm in lead.communications.all():
        target = targets.get(comm.pk) or communication_default_target(
            comm, with_company=with_company)
        if target in ("contact", "both") or (target == "company" and company_obj is None):
            to_contact.append(comm)
        if target in ("company", "both") and company_obj is not None:
            to_company.append(comm)
    communications_add(contact, to_contact)
    if company_obj is not None:
        communications_add(company_obj, to_company)

    tracking = {name: getattr(lead, name) for name in (*UTM_FIELDS, *TRACKING_FIELDS)}
    deal = deal_create(
        title=deal_title or lead.title, amount=lead.amount if amount is None else amount,
        acting_user=acting_user, pipeline=pipeline, stage=stage, contact=contact,
        company=company_obj, lead=lead, source=lead.source,
        source_description=lead.source_description,
        responsible=lead.responsible or acting_user, currency=lead.currency,
        comments=lead.comments, is_repeat=lead.is_repeat,
        custom_fields=custom_fields_carry_over(lead.custom_fields, to_entity=Entity.DEAL),
        **tracking,
    )

    old_status = lead.status
    now = timezone.now()
    lead.status = lead_status_for(Semantics.SUCCESS, "CONVERTED")
    lead.contact, lead.company, lead.closed_at = contact, company_obj, now
    if lead.first_handled_at is None:
        lead.first_handled_at = now
    lead.save(update_fields=["status", "contact", "company", "closed_at", "first_handled_at",
                             "updated_at"])
    event_record(
        EventKind.CONVERTED, actor=acting_user, lead=lead, deal=deal, contact=contact,
        company=company_obj,
        payload={"from": old_status, "to": lead.status, "deal": deal, "contact": contact,
                 "company": company_obj, "contact_created": contact_created,
                 "company_created": company_created},
    )
    return ConversionResult(lead=lead, contact=contact, company=company_obj, deal=deal)
