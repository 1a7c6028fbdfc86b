"""Read queries for the CRM, permission-aware: a manager sees only their own items."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from voronka.crm.models import (
    Communication,
    CommunicationKind,
    Company,
    Contact,
    Deal,
    Lead,
    LeadStatus,
    Semantics,
)
from voronka.crm.normalization import email_normalize, phone_normalize


def leads_visible_to(user) -> QuerySet[Lead]:
    leads = Lead.objects.all()
    return leads if user.can_see_all else leads.filter(responsible=user)


def deals_visible_to(user) -> QuerySet[Deal]:
    deals = Deal.objects.all()
    return deals if user.can_see_all else deals.filter(responsible=user)


def contacts_visible_to(user) -> QuerySet[Contact]:
    """A manager sees the contacts they own and those linked to their leads and deals."""
    contacts = Contact.objects.all()
    if user.can_see_all:
        return contacts
    return contacts.filter(
        Q(responsible=user)
        | Q(pk__in=Lead.objects.filter(responsible=user, contact__isnull=False).values("contact"))
        | Q(pk__in=Deal.objects.filter(responsible=user, contact__isnull=False).values("contact"))
    )


def companies_visible_to(user) -> QuerySet[Company]:
    companies = Company.objects.all()
    if user.can_see_all:
        return companies
    return companies.filter(
        Q(responsible=user)
        | Q(pk__in=Lead.objects.filter(responsible=user, company__isnull=False).values("company"))
        | Q(pk__in=Deal.objects.filter(responsible=user, company__isnull=False).values("company"))
    )


def lead_statuses_selectable() -> QuerySet[LeadStatus]:
    """Statuses a person may pick for an open lead: working and not deprecated."""
    return LeadStatus.objects.filter(semantics=Semantics.PROCESS, deprecated=False)


def open_leads() -> QuerySet[Lead]:
    return open_leads_of(Lead.objects.all())


def open_leads_of(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """The open ones of `leads`. `closed_at IS NULL` lets the database use the partial
    indexes of open leads (a few per cent of all); the status check keeps it exact."""
    return leads.filter(closed_at__isnull=True,
                        status__in=LeadStatus.objects.filter(semantics=Semantics.PROCESS))


def open_deals() -> QuerySet[Deal]:
    return Deal.objects.filter(stage__semantics=Semantics.PROCESS)


@dataclass
class ClientMatch:
    """Everything we know about whoever owns a phone or e-mail."""

    contacts: list[Contact] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    open_leads: list[Lead] = field(default_factory=list)
    open_deals: list[Deal] = field(default_factory=list)

    @property
    def is_known(self) -> bool:
        return bool(self.contacts or self.companies)


def client_find(*, phones: list[str] = (), emails: list[str] = ()) -> ClientMatch:
    """Find contacts, companies, open leads and open deals by any phone or e-mail.

    Values are normalised first, so `8 (900) 123-45-67` finds `+79001234567`.
    """
    keys = Q(pk__in=[])
    normalized_phones = {p for p in (phone_normalize(x) for x in phones) if p}
    normalized_emails = {e for e in (email_normalize(x) for x in emails) if e}
    if normalized_phones:
        keys |= Q(kind=CommunicationKind.PHONE, normalized__in=normalized_phones)
    if normalized_emails:
        keys |= Q(kind=CommunicationKind.EMAIL, normalized__in=normalized_emails)
    match = ClientMatch()
    if not (normalized_phones or normalized_emails):
        return match
    owners = list(Communication.objects.filter(keys).values_list("lead", "contact", "company"))
    if not owners:  # most requests come from someone new; skip four empty lookups
        return match
    lead_ids = {lead for lead, _c, _co in owners if lead}
    contact_ids = {contact for _l, contact, _co in owners if contact}
    company_ids = {company for _l, _c, company in owners if company}
    match.contacts = list(Contact.objects.filter(pk__in=contact_ids).order_by("created_at"))
    match.companies = list(Company.objects.filter(pk__in=company_ids).order_by("created_at"))
    client_q = Q(contact__in=contact_ids) | Q(company__in=company_ids)
    match.open_leads = list(
        open_leads().filter(Q(pk__in=lead_ids) | client_q).order_by("-created_at"))
    match.open_deals = list(open_deals().filter(client_q).order_by("-created_at"))
    return match


@dataclass
class ConversionCandidates:
    """Existing clients a lead could be attached to when it is converted.

    Only clients the user may see are offered; `hidden` counts the matches owned by other
    managers, so the user learns that the client exists without seeing whose it is.
    """

    contacts: list[Contact] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    hidden: int = 0


def conversion_candidates(lead: Lead, user, *, inn: str = "") -> ConversionCandidates:
    """Contacts and companies sharing a phone or e-mail with `lead`, and companies by ИНН."""
    values = list(lead.communications.values_list("kind", "value"))
    match = client_find(phones=[v for k, v in values if k == CommunicationKind.PHONE],
                        emails=[v for k, v in values if k == CommunicationKind.EMAIL])
    company_ids = {company.pk for company in match.companies}
    company_ids |= {contact.company_id for contact in match.contacts if contact.company_id}
    if inn:
        company_ids |= set(Company.objects.filter(inn=inn).values_list("pk", flat=True))
    contact_ids = {contact.pk for contact in match.contacts}
    contacts = list(contacts_visible_to(user).filter(pk__in=contact_ids)
                    .select_related("company").order_by("-created_at"))
    companies = list(companies_visible_to(user).filter(pk__in=company_ids).order_by("-created_at"))
    hidden = len(contact_ids) + len(company_ids) - len(contacts) - len(companies)
    return ConversionCandidates(contacts=contacts, companies=companies, hidden=hidden)
