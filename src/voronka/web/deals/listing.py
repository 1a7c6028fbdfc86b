"""The deals list: every visible deal, filtered, newest first, a keyset page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from voronka.crm.selectors import deals_visible_to
from voronka.web.deals.filters import DealFilterForm
from voronka.web.deals.keyset import keyset_page


def next_page_query(request: HttpRequest, cursor: str) -> str:
    """The current filters with the cursor of the next page."""
    query = request.GET.copy()
    query["cursor"] = cursor
    return query.urlencode()


def deal_list(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None, user=request.user)
    deals = deals_visible_to(request.user).select_related(
        "stage", "contact", "company", "responsible", "source")
    if form.is_bound:
        deals = form.narrow(deals)
    page = keyset_page(deals, request.GET.get("cursor", ""))
    first_page = request.GET.copy()
    first_page.pop("cursor", None)
    return render(request, "web/deals/list.html", {
        "form": form, "page": page, "is_paged": "cursor" in request.GET,
        "first_page_query": first_page.urlencode(),
        "next_page_query": next_page_query(request, page.next_cursor) if page.has_next else "",
    })
