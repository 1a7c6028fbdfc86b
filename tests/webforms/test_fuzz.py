"""Property tests: junk submissions never crash the endpoint and a refused one writes nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voronka.crm.models import Communication, Lead, TimelineEvent
from voronka.intake.models import EventState, InboundEvent
from voronka.webforms.security import started_token

pytestmark = pytest.mark.django_db

NAMES = ["name", "phone", "email", "car_number", "service", "comment", "consent", "_ts", "_website",
         "submission_id", "utm_source", "utm_medium", "utm_campaign", "landing_page", "referrer",
         "visit_id"]
junk_text = st.text(max_size=40) | st.sampled_from([
    "\x00", "\ud800", "8 900 123-45-67", "+7 (900) 000-00-00", "ivan@mail.ru", "МКАД", "1", "on",
    "https://x.ru/?utm_source=yandex&utm_medium=cpc", "javascript:alert(1)", "yandex", "cpc",
    "٠١٢٣٤٥٦٧٨٩٠", "１２３４５６７８９０１", "a" * 1200, "UF_CRM_CAR_NUMBER"])
leaf = junk_text | st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
json_values = st.recursive(leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3),
                                                                                        c, max_size=3),
                           max_leaves=8)
documents = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), json_values, max_size=12)


def counts() -> tuple[int, ...]:
    return (InboundEvent.objects.count(), Lead.objects.count(), TimelineEvent.objects.count(),
            Communication.objects.count())


def check(response, before) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert counts() == before, response.content
    else:  # accepted: the event is kept and never left failing on its own data
        assert not InboundEvent.objects.filter(state=EventState.FAILED).exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents, valid_ts=st.booleans(), as_json=st.booleans())
def test_junk_never_500_and_refusals_write_nothing(client, webform, document, valid_ts, as_json):
    cache.clear()  # no rate limit between examples
    if valid_ts:
        document = {**document, "_ts": started_token("propusk", at=time.time() - 30)}
    before = counts()
    if as_json:
        response = client.post("/forms/propusk/", data=json.dumps(document), content_type="application/json")
    else:
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}
        body = urlencode({k.replace("\x00", ""): v for k, v in flat.items()}, errors="surrogatepass")
        response = client.post("/forms/propusk/", data=body,
                               content_type="application/x-www-form-urlencoded")
    check(response, before)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=junk_text, phone=junk_text, email=junk_text, car=junk_text, service=junk_text,
       comment=junk_text, tracking=st.dictionaries(st.sampled_from(NAMES[10:]), junk_text))
def test_random_field_values_near_valid(client, webform, name, phone, email, car, service, comment,
                                        tracking):
    cache.clear()
    document = {"name": name, "phone": phone, "email": email, "car_number": car, "service": service,
                "comment": comment, "consent": "1", **tracking,
                "_ts": started_token("propusk", at=time.time() - 30)}
    before = counts()
    response = client.post("/forms/propusk/", data=json.dumps(document), content_type="application/json")
    check(response, before)
