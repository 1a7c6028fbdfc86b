"""Fixtures for the web form tests: a form like seed 003's, and posting to it as browsers do."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from voronka.crm.models import CustomFieldDefinition, Source
from voronka.webforms.models import FormField, WebForm
from voronka.webforms.security import started_token

SITE = "https://okna-plus.ru"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The rate limiter counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def car_number_field(db) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.create(entity="lead", code="UF_CRM_CAR_NUMBER",
                                                label="Госномер", field_type="string")


@pytest.fixture
def webform(db, car_number_field) -> WebForm:
    """«Заявка на пропуск» (seed 003): contact data, the vehicle, the service."""
    form = WebForm.objects.create(slug="propusk", name="Заявка на пропуск",
                                  source=Source.objects.get(code="SITE"), allowed_origins=[SITE])
    for sort, (name, label, kind, required, maps_to, options) in enumerate([
        ("name", "Имя", "text", True, "name", []),
        ("phone", "Телефон", "phone", True, "", []),
        ("email", "E-mail", "email", False, "", []),
        ("car_number", "Госномер машины", "text", False, "UF_CRM_CAR_NUMBER", []),
        ("service", "Пропуск", "select", False, "", ["МКАД", "ТТК", "СК"]),
        ("comment", "Комментарий", "textarea", False, "comments", []),
    ]):
        FormField.objects.create(form=form, name=name, label=label, field_type=kind,
                                 required=required, maps_to=maps_to, options=options, sort=sort)
    return form


def valid_data(**overrides) -> dict:
    data = {"name": "Иван", "phone": "8 (900) 123-45-67", "email": "Ivan.Petrov@Mail.RU",
            "car_number": "А123ВС77", "service": "МКАД", "comment": "Нужен годовой пропуск",
            "consent": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post_form(client):
    """POST a submission; `_ts` is a valid token issued `age` seconds ago unless given."""
    def post(data: dict, *, slug: str = "propusk", as_json: bool = False, age: float = 10,
             query: str = "", headers: dict | None = None):
        body = dict(data)
        body.setdefault("_ts", started_token(slug, at=time.time() - age))
        url = f"/forms/{slug}/" + (f"?{query}" if query else "")
        if as_json:
            return client.post(url, data=json.dumps(body), content_type="application/json",
                               headers=headers)
        return client.post(url, data=urlencode(body), content_type="application/x-www-form-urlencoded",
                           headers=headers)
    return post
