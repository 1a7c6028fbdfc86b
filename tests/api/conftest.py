"""An API client per user: JSON in, JSON out, with the user's bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from voronka.accounts.services import api_token_create
from voronka.crm.models import Contact
from voronka.crm.services.communications import CommunicationInput, communications_add
from voronka.crm.services.conversion import lead_convert


class Api:
    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        for name, value in (headers or {}).items():
            result["HTTP_" + name.upper().replace("-", "_")] = value
        return result

    def get(self, path: str, params: dict[str, Any] | None = None, **headers):
        return self.client.get("/api/v1" + path, params or {}, **self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
             headers: dict[str, str] | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)("/api/v1" + path, data=data,
                                            content_type="application/json",
                                            **self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs):
        return self.send("patch", path, body, **kwargs)


@pytest.fixture
def api_for(db):
    def make(user) -> Api:
        _token, raw = api_token_create(user=user)
        return Api(raw)
    return make


@pytest.fixture
def api(api_for, manager) -> Api:
    """The manager's client."""
    return api_for(manager)


@pytest.fixture
def other_api(api_for, other_manager) -> Api:
    return api_for(other_manager)


@pytest.fixture
def head_api(api_for, head) -> Api:
    return api_for(head)


@pytest.fixture
def admin_api(api_for, admin_user) -> Api:
    return api_for(admin_user)


@pytest.fixture
def anonymous() -> Api:
    return Api(None)


@pytest.fixture
def make_deal(make_lead):
    def make(*, responsible, amount="1000", **lead_fields):
        lead = make_lead(responsible=responsible, acting_user=responsible, **lead_fields)
        return lead_convert(lead=lead, acting_user=responsible, amount=amount).deal
    return make


@pytest.fixture
def make_contact(db):
    def make(*, responsible, phone="+7 916 555-44-33", **fields):
        contact = Contact.objects.create(responsible=responsible, name=fields.pop("name", "Клиент"),
                                         **fields)
        communications_add(contact, [CommunicationInput("PHONE", phone)])
        return contact
    return make
