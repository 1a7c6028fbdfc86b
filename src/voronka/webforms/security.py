"""Anti-abuse for the public form endpoints: signed start time, honeypot, CORS, text hygiene."""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from voronka.webforms.models import WebForm, origin_normalize

MAX_BODY = 64 * 1024
TS_FIELD = "_ts"
# Starts with "_", so it can never be the name of a real field (those start with a letter);
# "website" tempts the bots that fill in every field that looks like a URL.
HONEYPOT_FIELD = "_website"
TS_SALT = "voronka.webforms.started"
# A page left open over a weekend still submits; an older token is refused (re-rendered fresh).
TS_MAX_AGE_SECONDS = 3 * 24 * 3600
CORS_MAX_AGE_SECONDS = 600
CORS_ALLOW_HEADERS = "Content-Type, Accept, Idempotency-Key"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def rate_per_ip() -> int:
    return int(getattr(settings, "VORONKA_FORMS_RATE_PER_IP", 20))


def rate_per_form() -> int:
    return int(getattr(settings, "VORONKA_FORMS_RATE_PER_FORM", 600))


def text_clean(value: str) -> str:
    """Text that every database stores: no NUL/control characters, no lone surrogates.

    PostgreSQL refuses NUL in text and in jsonb, and UTF-8 cannot encode a lone surrogate
    (valid in a JSON string escape, `"\\ud800"`); either would turn a junk submission into a 500.
    """
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", value)


# --- the signed start time (`_ts`) --------------------------------------------------------------

def started_token(form_slug: str, at: float | None = None) -> str:
    """A token saying "this form was shown at `at`", signed with SECRET_KEY: a bot cannot forge
    an earlier time to pass the minimum fill time."""
    return signing.dumps({"f": form_slug, "t": round(at if at is not None else time.time(), 3)},
                         salt=TS_SALT, compress=False)


def started_at(token: object, form_slug: str) -> float | None:
    """The time a valid token for this form was issued; None for a forged, foreign or stale one."""
    if not isinstance(token, str) or not token or len(token) > 300:
        return None
    try:
        data = signing.loads(token, salt=TS_SALT, max_age=TS_MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("f") != form_slug:
        return None
    at = data.get("t")
    if isinstance(at, bool) or not isinstance(at, int | float):
        return None
    if time.time() - at > TS_MAX_AGE_SECONDS:
        return None
    return float(at)


# --- origins and CORS ---------------------------------------------------------------------------

def request_origin(request: HttpRequest) -> str | None:
    """The Origin header as sent (None when there is none: same-site GETs, servers, curl)."""
    origin = request.headers.get("Origin")
    return origin if origin else None


def is_same_origin(request: HttpRequest, origin: str) -> bool:
    """Our own page posting to itself. Compared by host only: behind a TLS-terminating proxy
    the request looks like http while the browser's Origin says https."""
    normalized = origin_normalize(origin)
    if normalized is None:
        return False
    try:
        host = request.get_host().lower()
    except Exception:  # DisallowedHost: not ours, whatever it is
        return False
    return normalized.split("://", 1)[1] == host or normalized.split("://", 1)[1] == (
        host.removesuffix(":80").removesuffix(":443"))


def origin_permitted(request: HttpRequest, form: WebForm) -> bool:
    """No Origin (not a browser's cross-site request), our own page, or a listed site."""
    origin = request_origin(request)
    if origin is None:
        return True
    return is_same_origin(request, origin) or form.origin_allowed(origin)


def cors_headers(response: HttpResponse, request: HttpRequest, form: WebForm | None) -> HttpResponse:
    """Allow the browser to read the answer only on the sites listed for the form."""
    # The answer differs by Origin (CORS) and by Accept (JSON or HTML).
    patch_vary_headers(response, ("Origin", "Accept"))
    origin = request_origin(request)
    if form is not None and origin and form.origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def preflight_response(request: HttpRequest, form: WebForm) -> HttpResponse:
    origin = request_origin(request)
    if not origin or not form.origin_allowed(origin):
        response = HttpResponse(status=403)
        response.headers["Vary"] = "Origin"
        return response
    response = HttpResponse(status=204)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
    response.headers["Vary"] = "Origin"
    return response
