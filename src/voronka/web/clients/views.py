"""Contacts and companies: searchable lists and the client card with the client's life."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from voronka.crm.models import Contact
from voronka.crm.selectors import (
    companies_visible_to,
    contacts_visible_to,
    deals_visible_to,
    leads_visible_to,
)
from voronka.web.clients.life import ITEMS_LIMIT, client_life
from voronka.web.deals.keyset import keyset_page
from voronka.web.deals.listing import next_page_query
from voronka.web.search.matching import company_q, contact_q, terms_parse
from voronka.web.timeline import timeline_for


def list_render(request: HttpRequest, clients: QuerySet, search_q, template: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    terms = terms_parse(query)
    if terms is not None:
        clients = clients.filter(search_q(terms))
    page = keyset_page(clients.prefetch_related("communications"), request.GET.get("cursor", ""))
    first_page = request.GET.copy()
    first_page.pop("cursor", None)
    return render(request, template, {
        "query": query, "page": page, "is_paged": "cursor" in request.GET,
        "first_page_query": first_page.urlencode(),
        "next_page_query": next_page_query(request, page.next_cursor) if page.has_next else "",
    })


def contact_list(request: HttpRequest) -> HttpResponse:
    contacts = contacts_visible_to(request.user).select_related("company", "responsible")
    return list_render(request, contacts, contact_q, "web/clients/contacts.html")


def company_list(request: HttpRequest) -> HttpResponse:
    companies = companies_visible_to(request.user).select_related("responsible")
    return list_render(request, companies, company_q, "web/clients/companies.html")


def card_render(request: HttpRequest, kind: str, client, *, client_filter: Q,
                deal_filter: Q, **context) -> HttpResponse:
    """The parts every client card has: leads, deals, the client's life, the timeline."""
    user = request.user
    leads = list(leads_visible_to(user).filter(client_filter)
                 .select_related("status", "source", "responsible")
                 .order_by("-created_at")[:ITEMS_LIMIT])
    deals = list(deals_visible_to(user).filter(deal_filter)
                 .select_related("stage", "source", "responsible")
                 .order_by("-created_at")[:ITEMS_LIMIT])
    life = client_life(leads, deals,
                       first_touch_source=getattr(client, "first_touch_source", None),
                       first_touch_at=getattr(client, "first_touch_at", None))
    return render(request, f"web/clients/{kind}.html", {
        "client": client, "leads": leads, "deals": deals, "life": life,
        "communications": client.communications.order_by("kind", "id"),
        "timeline": timeline_for(**{kind: client}), **context,
    })


def contact_card(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        contacts_visible_to(request.user).select_related(
            "company", "responsible", "source", "first_touch_source"), pk=pk)
    return card_render(request, "contact", contact,
                       client_filter=Q(contact=contact), deal_filter=Q(contact=contact))


def company_card(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(
        companies_visible_to(request.user).select_related("responsible", "source"), pk=pk)
    contacts = contacts_visible_to(request.user).filter(company=company).order_by("last_name",
                                                                                  "name")
    return card_render(request, "company", company,
                       client_filter=Q(company=company),
                       # contact_id IN (…) rather than a join, so each side of the OR
                       # reads its own index instead of a scan over every deal
                       deal_filter=Q(company=company) | Q(contact_id__in=Contact.objects.filter(
                           company=company).values("pk")),
                       contacts=contacts[:ITEMS_LIMIT])
