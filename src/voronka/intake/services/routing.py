"""Identify, attribute, route and assign one inbound request (the heart of the intake)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.core.batch_cache import cached
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    Company,
    Contact,
    CrmSettings,
    Deal,
    EventKind,
    Lead,
)
from voronka.crm.normalization import email_normalize, phone_normalize
from voronka.crm.selectors import ClientMatch, client_find
from voronka.crm.services.communications import CommunicationInput
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import pipeline_default
from voronka.crm.services.leads import lead_create
from voronka.crm.timeline import event_record
from voronka.intake.assignment import responsible_choose
from voronka.intake.attribution import attribute
from voronka.intake.models import IdentityLock, IntakeSettings
from voronka.intake.request import InboundRequest
from voronka.intake.sla import sla_deadline_for


class Outcome:
    NEW_LEAD = "new_lead"
    REPEAT_LEAD = "repeat_lead"
    ON_OPEN_LEAD = "on_open_lead"
    ON_OPEN_DEAL = "on_open_deal"
    ON_CLIENT = "on_client"
    RECORDED = "recorded"  # nothing to attach to and leads are off for this channel


@dataclass
class RoutingResult:
    outcome: str
    lead: Lead | None = None
    deal: Deal | None = None
    contact: Contact | None = None
    company: Company | None = None


def identity_keys(request: InboundRequest) -> list[str]:
    keys = {f"phone:{p}" for p in map(phone_normalize, request.phones) if p}
    keys |= {f"email:{e}" for e in map(email_normalize, request.emails) if e}
    return sorted(keys)


def identities_lock(keys: list[str]) -> None:
    """Lock one row per identity, in sorted order (no deadlocks), inside the caller's transaction.

    SQLite needs no rows: every write transaction begins IMMEDIATE, which already takes the
    database's single write lock, so routing is serialised there by construction.
    """
    if connection.vendor == "sqlite":
        return
    for key in keys:
        try:
            with transaction.atomic():
                IdentityLock.objects.get_or_create(key=key)
        except IntegrityError:
            pass  # created by a concurrent request a moment ago; locking it below waits for it
        IdentityLock.objects.select_for_update().get(key=key)


_url_validator = URLValidator()


def url_or_blank(value: str) -> str:
    """A landing page or referrer as given, or "" when it is no URL: tracking data is best-effort
    and must never make a request fail."""
    value = (value or "").strip()[:2000]
    try:
        _url_validator(value)
    except ValidationError:
        return ""
    return value


def _explicit_target(request: InboundRequest) -> RoutingResult | None:
    """A reply that names its lead or deal (e-mail thread, lead number in the subject)."""
    if request.reply_to_deal_id:
        deal = Deal.objects.filter(pk=request.reply_to_deal_id).first()
        if deal is not None:
            return RoutingResult(Outcome.ON_OPEN_DEAL, deal=deal, contact=deal.contact,
                                 company=deal.company)
    if request.reply_to_lead_id:
        lead = Lead.objects.filter(pk=request.reply_to_lead_id).first()
        if lead is not None:
            return RoutingResult(Outcome.ON_OPEN_LEAD, lead=lead, contact=lead.contact,
                                 company=lead.company)
    return None


def _client_owner(match: ClientMatch):
    for client in (*match.contacts, *match.companies):
        if client.responsible_id:
            return client.responsible
    return None


def _new_lead(request: InboundRequest, match: ClientMatch, rules: IntakeSettings, *,
              repeat: bool) -> Lead:
    attribution = attribute(request)
    now = timezone.now()
    assignment = responsible_choose(now=now, answered_by=request.answered_by, hours=rules,
                                    client_owner=_client_owner(match) if repeat else None)
    comms = [CommunicationInput("PHONE", p) for p in request.phones if p]
    comms += [CommunicationInput("EMAIL", e) for e in request.emails if e]
    tracking = {k: v for k, v in {
        "visit_id": request.visit_id[:64], "landing_page": url_or_blank(request.landing_page),
        "referrer": url_or_blank(request.referrer),
        "tracked_number": phone_normalize(request.tracked_number)
        if request.tracked_number else "",
    }.items() if k in TRACKING_FIELDS and v}
    utm = {k: str(v)[:255] for k, v in request.utm.items() if v and k in UTM_FIELDS}
    contact = match.contacts[0] if repeat and match.contacts else None
    company = match.companies[0] if repeat and match.companies else (
        contact.company if contact is not None else None)
    lead = lead_create(
        acting_user=None, title=request.title, name=request.name[:100],
        last_name=request.last_name[:100], company_title=request.company_title[:255],
        source=attribution.source, source_description=attribution.source_description,
        responsible=assignment.user, comments=request.text[:10000], is_repeat=repeat,
        contact=contact, company=company, communications=comms,
        custom_fields=request.custom_fields, enforce_required=False,
        utm_campaign=utm.pop("utm_campaign", "") or attribution.campaign, **utm, **tracking,
        created_at=now, sla_deadline=sla_deadline_for(attribution.source, now, rules),
    )
    event_record(EventKind.ASSIGNED, lead=lead, payload={
        "to": assignment.user, "reason": assignment.reason, "reason_text": assignment.reason_text})
    return lead


def _route(request: InboundRequest, match: ClientMatch) -> RoutingResult:
    rules = cached(("intake_settings",), IntakeSettings.load, settled=True)
    contact = match.contacts[0] if match.contacts else None
    company = match.companies[0] if match.companies else None
    if rules.activity_on_open_lead and match.open_leads:
        lead = match.open_leads[0]
        return RoutingResult(Outcome.ON_OPEN_LEAD, lead=lead, contact=lead.contact,
                             company=lead.company)
    if rules.activity_on_open_deal and match.open_deals:
        deal = match.open_deals[0]
        return RoutingResult(Outcome.ON_OPEN_DEAL, deal=deal, contact=deal.contact,
                             company=deal.company)
    if match.is_known:
        repeat_allowed = (rules.repeat_lead_for_known_client
                          if request.repeat_lead_allowed is None else request.repeat_lead_allowed)
        if request.creates_leads and repeat_allowed:
            lead = _new_lead(request, match, rules, repeat=True)
            return _simple_mode_convert(
                RoutingResult(Outcome.REPEAT_LEAD, lead=lead, contact=contact, company=company))
        return RoutingResult(Outcome.ON_CLIENT, contact=contact, company=company)
    if request.creates_leads:
        return _simple_mode_convert(
            RoutingResult(Outcome.NEW_LEAD, lead=_new_lead(request, match, rules, repeat=False)))
    return RoutingResult(Outcome.RECORDED)


def _simple_mode_convert(result: RoutingResult) -> RoutingResult:
    """Simple mode (leads off, docs/decisions/0009): the new lead becomes contact (+ company)
    + deal at once. The lead stays, converted, because the reports by source count leads.

    A conversion the deal rules refuse must not lose the request: the lead stays open, with
    a note saying why, and the activity still lands on it.
    """
    settings = cached(("crm_settings",), CrmSettings.load, settled=True)
    if not settings.simple_mode:
        return result
    lead = result.lead
    try:
        with transaction.atomic():
            converted = lead_convert(
                lead=lead, contact=lead.contact, company=lead.company,
                legal_entity=bool(lead.company_title.strip()), pipeline=pipeline_default(),
                amount=settings.deal_amount_or_minimum(lead.amount))
    except ValidationError as error:
        event_record(EventKind.SYSTEM, lead=lead, text=_(
            "Простой режим: лид не удалось сразу превратить в сделку (%(e)s). Сконвертируйте "
            "его вручную.") % {"e": "; ".join(error.messages)})
        return result
    return RoutingResult(result.outcome, lead=converted.lead, deal=converted.deal,
                         contact=converted.contact, company=converted.company)


def activity_record(request: InboundRequest, result: RoutingResult) -> None:
    """The call/e-mail/form on the timeline of whatever the request landed on."""
    payload = dict(request.activity_payload)
    payload["outcome"] = result.outcome
    event_record(
        request.activity_kind, lead=result.lead, deal=result.deal, contact=result.contact,
        company=result.company, text=request.text[:10000], payload=payload,
        created_at=request.occurred_at if isinstance(request.occurred_at, dt.datetime) else None,
        call=request.call,
    )


@transaction.atomic(savepoint=False)
def inbound_request_accept(request: InboundRequest) -> RoutingResult:
    """Route a request: new lead, activity on the open lead or deal, or a repeat lead.

    It always runs inside process_event's transaction (or opens one), which rolls back the
    whole event on failure: a savepoint of its own would cost a round trip per call and
    protect nothing more.
    """
    identities_lock(identity_keys(request))
    result = _explicit_target(request)
    if result is None:
        match = client_find(phones=request.phones, emails=request.emails)
        result = _route(request, match)
    activity_record(request, result)
    return result
