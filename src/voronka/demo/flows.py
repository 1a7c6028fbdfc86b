"""One inbound request from start to end: lead, conversion, deal, and a client who may return."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from voronka.accounts.models import User
from voronka.core.rows import RowFactory
from voronka.crm.models import Company, Contact, Deal, Lead, Source
from voronka.demo import events, inbound
from voronka.demo.batch import CommSpec
from voronka.demo.catalog import (
    CALL,
    CHAT,
    EMAIL,
    FORM,
    MISSED,
    Channel,
    Service,
    amount_random,
    pick,
    request_text,
    service_random,
    vehicles_count,
)
from voronka.demo.clients import ClientRef
from voronka.demo.clock import during_work
from voronka.demo.companies import POSTS, CompanyData, company_random, email_corporate
from voronka.demo.deals import DAY, DealInput, deal_build
from voronka.demo.leads import (
    CHANNEL_BY_CODE,
    comm_copy,
    comm_email,
    comm_phone,
    fate_draw,
    lead_settle,
    lead_title,
    tracking_draw,
)
from voronka.demo.people import Person, Phone, email_personal, person_random, phone_random
from voronka.demo.state import Run

lead_row = RowFactory(Lead)

LEGAL_SHARE = 0.45  # carriers and builders; the rest are owner-drivers
REPEAT_JUNK_RATE = 0.3  # known clients call about other things too: documents, the old pass
WIN_RATE, REPEAT_WIN_RATE = 0.58, 0.8
PROCESS_SHARE_LEGAL, PROCESS_SHARE_PERSON = 0.15, 0.03  # won clients who order copies later


def _deal_title(service_title: str, vehicles: int, client: str) -> str:
    return f"{service_title}{f' ×{vehicles}' if vehicles > 1 else ''} — {client}"


def _client_won(run: Run, ref: ClientRef, won_at: dt.datetime, *, may_copy: bool) -> None:
    """A won client may come back; some ask for the same service for more trucks (seed 003)."""
    run.pool.won(ref, won_at)
    share = PROCESS_SHARE_LEGAL if ref.company is not None else PROCESS_SHARE_PERSON
    copies = run.rng.random() < share
    at = during_work(run.rng, won_at, 25 * DAY, 2 * DAY)
    # Copies take a minute to make; none of them may be dated after "now".
    if may_copy and copies and at + dt.timedelta(minutes=10) <= run.now:
        run.pool.schedule_process(ref, at)


@dataclass(frozen=True, slots=True)
class Request:
    """Who asked for what, and how they reached us: drawn before the lead is built."""

    channel: Channel
    kind: str
    person: Person
    firm: CompanyData | None
    service: Service
    vehicles: int
    amount: int
    phone: Phone | None
    email: str | None


def request_draw(run: Run) -> Request:
    rng = run.rng
    channel = run.channel()
    kind = pick(rng, channel.kinds)
    person = person_random(rng)
    firm = company_random(rng, person) if rng.random() < LEGAL_SHARE else None
    service = service_random(rng)
    vehicles = vehicles_count(rng, legal=firm is not None)
    amount = amount_random(rng, service, vehicles)
    if kind == EMAIL:
        has_phone = rng.random() < 0.4  # in the signature
    elif kind == CHAT:
        has_phone = rng.random() < 0.65  # classifieds hide numbers until the client gives one
    else:
        has_phone = True
    phone = None
    if has_phone:
        phone = phone_random(rng, mobile=rng.random() < (0.6 if firm else 0.93),
                             from_pbx=kind in (CALL, MISSED))
    email = None
    if kind == EMAIL or (kind == FORM and rng.random() < 0.5):
        corporate = firm is not None and firm.domain and rng.random() < 0.6
        email = email_corporate(rng, person, firm.domain) if corporate else email_personal(rng, person)
    return Request(channel, kind, person, firm, service, vehicles, amount, phone, email)


def new_lead(run: Run, at: dt.datetime) -> None:
    """A request from someone we do not know yet."""
    rng, d = run.rng, run.dicts
    req = request_draw(run)
    manager = run.manager_at(at)
    deadline, react = inbound.sla_draw(run, at, req.channel.code, repeat=False)
    fate = fate_draw(rng, react_at=react, junk_rate=req.channel.junk, repeat=False)
    tracking = tracking_draw(rng, req.channel, req.kind, req.service)
    title = lead_title(rng, req.channel, req.kind, req.phone, req.service, req.vehicles)
    shown = rng.random()  # how much of the name the request itself revealed
    with_middle = rng.random() < 0.5
    post = rng.choice(POSTS)

    person, firm, kind = req.person, req.firm, req.kind
    converts = not fate.junk
    if converts:  # the manager asks and fills in the name while qualifying
        name, last, middle = person.first, person.last, person.middle if with_middle else ""
    else:
        visible = {FORM: 1.0, EMAIL: 0.7, CHAT: 0.9}.get(kind, 0.3)
        full = kind == EMAIL or (kind == FORM and shown < 0.4)
        name = person.first if shown < visible else ""
        last, middle = (person.last if name and full else ""), ""
    source = d.sources[req.channel.code]
    lead = lead_row(
        title=title, name=name, last_name=last, second_name=middle,
        post=post if firm and converts else "",
        company_title=firm.title if firm and (converts or kind in (FORM, EMAIL)) else "",
        source_id=source.pk, source_description=req.channel.description,
        responsible_id=manager.pk, created_at=at, sla_deadline=deadline, **tracking,
        comments=request_text(rng, req.service, req.vehicles) if kind in (FORM, EMAIL) else "",
    )
    comms = []
    if req.phone is not None:
        comms.append(comm_phone(req.phone, lead=lead))
    if req.email is not None:
        comms.append(comm_email(req.email, lead=lead))
    run.batch.leads.append(lead)
    run.batch.communications.extend(comms)
    run.stats.leads += 1
    run.event(events.lead_created(lead, at=at, actor_id=None, source=source, responsible=manager,
                                  is_repeat=False))
    _arrive(run, lead, Arrival(kind=kind, code=req.channel.code, phone=req.phone,
                               email=req.email, owner=manager, reason="round_robin",
                               outcome="new_lead", name=person.first, react_at=react,
                               junk=fate.junk, service=req.service, vehicles=req.vehicles))
    if lead_settle(run, lead, fate):
        _convert_new(run, req, lead, comms, tracking=tracking, manager=manager, source=source)
    elif lead.tracked_number:
        inbound.follow_up_calls(run, phone=req.phone, owner=manager, lead=lead, start=at,
                                end=lead.closed_at, line=lead.tracked_number)


def _convert_new(run: Run, req: Request, lead: Lead, comms: list[CommSpec], *,
                 tracking: dict[str, str], manager: User, source: Source) -> None:
    """`lead_convert` for a new client: contact (+ company for a legal entity) + deal."""
    conv_at, firm = lead.closed_at, req.firm
    company = None
    if firm is not None:
        company = Company(title=firm.title, inn=firm.inn, kpp=firm.kpp, ogrn=firm.ogrn,
                          legal_address=firm.legal_address, responsible=manager, source=source,
                          created_by=manager, created_at=conv_at)
        run.batch.companies.append(company)
        run.stats.companies += 1
    contact = Contact(name=lead.name, last_name=lead.last_name, second_name=lead.second_name,
                      post=lead.post, company=company, responsible=manager, source=source,
                      first_touch_source=source, first_touch_at=lead.created_at,
                      created_by=manager, created_at=conv_at)
    run.batch.contacts.append(contact)
    run.stats.contacts += 1
    run.batch.communications.extend(
        comm_copy(c, with_company=company is not None, contact=contact, company=company)
        for c in comms)
    display = firm.title if firm else req.person.short
    deal, won_at = deal_build(run, DealInput(
        title=_deal_title(req.service.title, req.vehicles, display), amount=req.amount,
        at=conv_at, actor=manager, responsible=manager, lead=lead, contact=contact,
        company=company, source=source, first_touch=source,
        source_description=lead.source_description, tracking=tracking, comments=lead.comments,
        is_repeat=False, win_rate=WIN_RATE))
    lead_mark_converted(run, lead, deal, contact, company, created=True)
    inbound.follow_up_calls(run, phone=req.phone, owner=manager, deal=deal, start=conv_at,
                            end=deal.closed_at, line=lead.tracked_number or inbound.MAIN_LINE)
    if won_at is not None:
        ref = ClientRef(contact=contact, company=company, person=req.person, phone=req.phone,
                        email=req.email, responsible=manager, source=source, first_touch=source,
                        deal=deal, service=req.service, tracking=tracking, display=display,
                        company_title=firm.title if firm else "")
        _client_won(run, ref, won_at, may_copy=True)


def lead_mark_converted(run: Run, lead: Lead, deal: Deal, contact: Contact,
                        company: Company | None, *, created: bool,
                        actor_id: int | None = None) -> None:
    """The lead's side of `conversion.lead_convert`, once its deal is in the batch."""
    d = run.dicts
    old = lead.status
    lead.status, lead.contact, lead.company = d.status_converted, contact, company
    run.event(events.lead_converted(lead, deal, contact, company, at=lead.closed_at,
                                    actor_id=actor_id or lead.responsible_id, old=old,
                                    new=d.status_converted, contact_created=created,
                                    company_created=created and company is not None))
    run.stats.leads_converted += 1


def repeat_lead(run: Run, at: dt.datetime, client: ClientRef) -> None:
    """A known client calls or writes again: a repeat lead owned by their manager."""
    rng, d = run.rng, run.dicts
    roll = rng.random()
    code = client.source.code if roll < 0.5 else ("CALL" if roll < 0.85 else "EMAIL")
    if (code == "EMAIL" and not client.email) or code not in d.sources:
        code = client.source.code
    source = d.sources[code]
    channel = CHANNEL_BY_CODE.get(code)
    kind = EMAIL if code == "EMAIL" else pick(rng, channel.kinds) if channel else CALL
    if kind != EMAIL and client.phone is None:
        kind = EMAIL if client.email else kind
    deadline, react = inbound.sla_draw(run, at, code, repeat=True)
    fate = fate_draw(rng, react_at=react, junk_rate=REPEAT_JUNK_RATE, repeat=True)
    service = client.service if rng.random() < 0.5 else service_random(rng)
    vehicles = vehicles_count(rng, legal=client.company is not None)
    amount = amount_random(rng, service, vehicles)
    tracking = tracking_draw(rng, channel, kind, service)
    person = client.person
    lead = lead_row(
        title=f"Повторное обращение: {client.display}", name=person.first,
        last_name=person.last, second_name=client.contact.second_name,
        company_title=client.company_title, source_id=source.pk,
        source_description=channel.description if channel else "",
        responsible_id=client.responsible.pk, is_repeat=True,
        comments=request_text(rng, service, vehicles) if kind in (FORM, EMAIL) else "",
        created_at=at, sla_deadline=deadline, **tracking,
    )
    # Through the descriptor: the client may be in this batch, not yet saved.
    lead.contact, lead.company = client.contact, client.company
    run.batch.leads.append(lead)
    # The client's known phone or e-mail: conversion adds nothing new to the client.
    if kind == EMAIL and client.email:
        run.batch.communications.append(comm_email(client.email, lead=lead))
    elif client.phone is not None:
        run.batch.communications.append(comm_phone(client.phone, lead=lead))
    run.stats.leads += 1
    run.stats.leads_repeat += 1
    run.event(events.lead_created(lead, at=at, actor_id=None, source=source,
                                  responsible=client.responsible, is_repeat=True,
                                  contact=client.contact, company=client.company))
    _arrive(run, lead, Arrival(kind=kind, code=code, phone=client.phone, email=client.email,
                               owner=client.responsible, reason="client_owner",
                               outcome="repeat_lead", name=person.first, react_at=react,
                               junk=fate.junk, service=service, vehicles=vehicles,
                               contact=client.contact, company=client.company))
    if not lead_settle(run, lead, fate):
        return
    deal, won_at = deal_build(run, DealInput(
        title=_deal_title(service.title, vehicles, client.display), amount=amount,
        at=lead.closed_at, actor=client.responsible, responsible=client.responsible, lead=lead,
        contact=client.contact, company=client.company, source=source,
        first_touch=client.first_touch, source_description=lead.source_description,
        tracking=tracking, comments=lead.comments, is_repeat=True, win_rate=REPEAT_WIN_RATE))
    lead_mark_converted(run, lead, deal, client.contact, client.company, created=False)
    inbound.follow_up_calls(run, phone=client.phone, owner=client.responsible, deal=deal,
                            start=lead.closed_at, end=deal.closed_at,
                            line=lead.tracked_number or inbound.MAIN_LINE)
    if won_at is not None:
        ref = dataclasses.replace(client, deal=deal, source=source, service=service,
                                  tracking=tracking)
        _client_won(run, ref, won_at, may_copy=True)


@dataclass(frozen=True, slots=True)
class Arrival:
    """How a lead's request came in, for the intake's traces of it."""

    kind: str
    code: str  # the source's code
    phone: Phone | None
    email: str | None
    owner: User
    reason: str  # of the assignment, unless the owner answered the call
    outcome: str  # new_lead | repeat_lead
    name: str
    react_at: dt.datetime
    junk: bool
    service: Service
    vehicles: int
    contact: Contact | None = None
    company: Company | None = None


def _arrive(run: Run, lead: Lead, arrival: Arrival) -> None:
    """ASSIGNED with its reason, then the call, e-mail or form that brought the lead."""
    a, at = arrival, lead.created_at
    owner_of = {"contact": a.contact, "company": a.company}
    if a.kind in (CALL, MISSED) and a.phone is not None:
        answered = not inbound.missed_draw(run, at, drawn_missed=a.kind == MISSED)
        inbound.assigned(run, lead, at=at, to=a.owner,
                         reason="answered" if answered else a.reason)
        call = inbound.call_make(run, at=at, phone=a.phone,
                                 line=lead.tracked_number or inbound.MAIN_LINE, owner=a.owner,
                                 answered=answered, outcome=a.outcome, lead=lead,
                                 short=a.junk, **owner_of)
        if not answered:  # calling back is the first reaction
            inbound.call_back(run, call, owner=a.owner, done_at=a.react_at)
        return
    inbound.assigned(run, lead, at=at, to=a.owner, reason=a.reason)
    if a.kind == FORM:
        inbound.form_arrived(run, lead, code=a.code, name=a.name, phone=a.phone, email=a.email,
                             outcome=a.outcome, **owner_of)
    elif a.kind == EMAIL and a.email:
        inbound.email_arrived(run, lead, sender=a.email, outcome=a.outcome,
                              subject=inbound.subject_for(run, lead, a.service, a.vehicles),
                              **owner_of)


def comm_for_copy(client: ClientRef, lead: Lead) -> CommSpec | None:
    if client.phone is not None:
        return comm_phone(client.phone, lead=lead)
    return comm_email(client.email, lead=lead) if client.email else None
