"""The WSGI application: webhooks take the lean middleware, pages the full one."""

from __future__ import annotations

import io
import json
import zoneinfo
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone, translation

from voronka.core.middleware import NeutralContextMiddleware
from voronka.core.wsgi import application_build
from voronka.intake.models import InboundEvent
from voronka.intake.telephony.signatures import mango_sign

from .conftest import MANGO_KEY, MANGO_SALT, call_event


@contextmanager
def connection_kept():
    """The test's transaction must survive the start and end of a request, as with the test
    client (Django's handler closes "old" connections on both signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_call(app, method: str, path: str, body: bytes = b"",
              content_type: str = "") -> tuple[str, dict[str, str], bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": content_type, "REMOTE_ADDR": "127.0.0.1"}
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    with connection_kept():
        response = app(environ, start_response)
        content = b"".join(response)
        response.close()
    return seen["status"], seen["headers"], content


@pytest.mark.django_db
def test_a_webhook_is_stored_through_the_lean_handler(mango, settings):
    settings.INTAKE_DEFERRED = True
    app = application_build()
    json_text = json.dumps(call_event(), separators=(",", ":"))
    body = urlencode({"vpbx_api_key": MANGO_KEY, "json": json_text,
                      "sign": mango_sign(MANGO_KEY, json_text, MANGO_SALT)}).encode()
    status, headers, content = wsgi_call(app, "POST", "/integrations/mango/office/events/call",
                                         body, "application/x-www-form-urlencoded")
    assert status.startswith("200"), content
    assert json.loads(content)["event"] == InboundEvent.objects.get().pk
    # none of the people's middleware ran: no language header, no frame policy, no cookies
    assert "Content-Language" not in headers and "X-Frame-Options" not in headers
    assert "Set-Cookie" not in headers

    forged = body.replace(b"sign=", b"sign=0")
    status, _headers, content = wsgi_call(app, "POST", "/integrations/mango/office/events/call",
                                          forged, "application/x-www-form-urlencoded")
    assert status.startswith("403") and b"signature" in content
    assert InboundEvent.objects.count() == 1


@pytest.mark.django_db
def test_pages_still_get_the_full_middleware():
    status, headers, _content = wsgi_call(application_build(), "GET", "/login/")
    assert status.startswith("200")
    assert headers["Content-Language"] == "ru" and headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")


def test_a_webhook_never_inherits_the_last_page_s_language_or_time_zone(settings):
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        seen["zone"] = timezone.get_current_timezone_name()

    translation.activate("en")
    timezone.activate(zoneinfo.ZoneInfo("Asia/Vladivostok"))
    try:
        NeutralContextMiddleware(view)(object())
    finally:
        translation.deactivate()
        timezone.deactivate()
    assert seen == {"language": settings.LANGUAGE_CODE, "zone": settings.TIME_ZONE}
