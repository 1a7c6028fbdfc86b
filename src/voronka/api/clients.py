"""/contacts and /companies: read one (the visibility rules of the selectors apply)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from voronka.api.presenters import companies_queryset, company_out, contact_out, contacts_queryset
from voronka.api.schemas import CompanyOut, ContactOut, Id, MessageOut

router = Router(tags=["clients"])

ERRORS = {401: MessageOut, 404: MessageOut, 422: MessageOut}


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS}, summary="One contact")
def contact_detail(request: HttpRequest, contact_id: Id):
    return contact_out(get_object_or_404(contacts_queryset(request.auth), pk=contact_id))


@router.get("/companies/{int:company_id}", response={200: CompanyOut, **ERRORS}, summary="One company")
def company_detail(request: HttpRequest, company_id: Id):
    return company_out(get_object_or_404(companies_queryset(request.auth), pk=company_id))
