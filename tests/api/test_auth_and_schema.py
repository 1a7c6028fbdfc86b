"""Bearer tokens, 401s, the OpenAPI schema and the offline docs page."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from voronka.accounts.services import api_token_create, api_token_revoke


def test_no_header_is_401_json(anonymous):
    response = anonymous.get("/leads")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer vrk_not-a-real-token", "Bearer ", "Token abc",
                                    "Basic dXNlcjpwYXNz", "Bearer nonsense"])
def test_invalid_credentials_are_401(db, header):
    response = Api(None).client.get("/api/v1/leads", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_refused(manager):
    token, raw = api_token_create(user=manager)
    assert Api(raw).get("/leads").status_code == 200
    api_token_revoke(token=token)
    assert Api(raw).get("/leads").status_code == 401


def test_token_of_an_inactive_user_is_refused(manager):
    _token, raw = api_token_create(user=manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    response = Api(raw).get("/leads")
    assert response.status_code == 401
    assert "отключ" in response.json()["detail"]


def test_auth_applies_to_writes_too(anonymous, make_lead):
    lead = make_lead()
    assert anonymous.post("/leads", {"phones": ["+79001112233"]}).status_code == 401
    assert anonymous.patch(f"/leads/{lead.pk}", {"title": "x"}).status_code == 401
    assert anonymous.post(f"/leads/{lead.pk}/comments", {"text": "x"}).status_code == 401
    assert anonymous.post("/events/1/retry").status_code == 401


def test_openapi_schema_lists_the_paths(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/leads", "/api/v1/leads/{lead_id}", "/api/v1/leads/{lead_id}/comments",
        "/api/v1/leads/{lead_id}/junk", "/api/v1/leads/{lead_id}/convert", "/api/v1/deals",
        "/api/v1/deals/{deal_id}", "/api/v1/deals/{deal_id}/move", "/api/v1/contacts/{contact_id}",
        "/api/v1/companies/{company_id}", "/api/v1/dictionaries/sources",
        "/api/v1/dictionaries/lead-statuses", "/api/v1/dictionaries/pipelines",
        "/api/v1/events", "/api/v1/events/{event_id}/retry",
    } <= paths
    assert set(schema["paths"]["/api/v1/leads/{lead_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    post = schema["paths"]["/api/v1/leads"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert {"201", "200", "202", "400", "422"} <= set(post["responses"])


def test_docs_page_works_offline(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert f"/api/v1/docs/assets/{asset}" in html
        response = anonymous.get(f"/docs/assets/{asset}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
    assert anonymous.get("/docs/assets/settings.py").status_code == 404
    assert anonymous.get("/docs/assets/..%2F..%2Fmain.py").status_code == 404
