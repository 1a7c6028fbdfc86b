"""Public web forms: the page `/forms/<slug>/`, its POST (form or JSON) and `embed.js`.

These endpoints are CSRF-exempt on purpose. CSRF protection stops another site from using
a logged-in user's session cookie to act as them; these endpoints use no session and grant
nothing: anyone, from any site that the form is embedded in, may submit a request, which is
exactly what a public request form is for (a CSRF token could not even be issued to the
third-party sites that embed it). What protects them instead: the allowed-origins list
(a browser POST from any other site is refused with 403 and gets no CORS headers), a signed
start time (`_ts`) with a minimum fill time, a honeypot field, rate limits per IP and per
form, a 64 KB body limit, strict validation before anything is written, and idempotency.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from voronka.core.ratelimit import client_ip, rate_limited, security_warning
from voronka.crm.models import UTM_FIELDS
from voronka.webforms.models import FieldType, FormField, WebForm
from voronka.webforms.security import (
    HONEYPOT_FIELD,
    MAX_BODY,
    TS_FIELD,
    cors_headers,
    origin_permitted,
    preflight_response,
    rate_per_form,
    rate_per_ip,
    request_origin,
    started_at,
    started_token,
    text_clean,
)
from voronka.webforms.services import SubmissionInvalid, submission_accept, submission_clean
from voronka.webforms.utm import utm_from_pairs

JSON_TYPE = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
AUTOCOMPLETE = {"name": "given-name", "last_name": "family-name", "company_title": "organization",
                "phone": "tel", "email": "email"}


class Refusal(Exception):
    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None):
        self.status, self.message, self.errors = status, message, errors
        super().__init__(message)


def _active_form(slug: str) -> WebForm | None:
    return WebForm.objects.select_related("source").filter(slug=slug, is_active=True).first()


def _fields(form: WebForm) -> list[FormField]:
    return list(form.fields.order_by("sort", "id"))


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == JSON_TYPE or JSON_TYPE in request.headers.get("Accept", "")


def _json(request: HttpRequest, form: WebForm | None, body: dict[str, Any], status: int = 200):
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return cors_headers(response, request, form)


def _html(request: HttpRequest, form: WebForm | None, template: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    response = HttpResponse(render_to_string(template, context, request=request), status=status)
    add_never_cache_headers(response)
    return cors_headers(response, request, form)


def _refusal_response(request: HttpRequest, form: WebForm | None, refusal: Refusal,
                      fields: list[FormField] | None = None, data: dict[str, Any] | None = None):
    if _wants_json(request):
        body: dict[str, Any] = {"error": refusal.message}
        if refusal.errors:
            body["errors"] = refusal.errors
        return _json(request, form, body, refusal.status)
    if form is not None and refusal.status == 400 and fields is not None:
        return _page(request, form, fields, data=data or {}, errors=refusal.errors or {},
                     message=refusal.message, status=400)
    return _html(request, form, "webforms/error.html",
                 {"form": form, "message": refusal.message}, refusal.status)


# --- the page ----------------------------------------------------------------------------------

def _keep_token(form: WebForm, data: dict[str, Any]) -> str:
    """On a re-rendered page keep a valid start time, so correcting a field costs no new wait."""
    token = data.get(TS_FIELD)
    return token if started_at(token, form.slug) is not None else started_token(form.slug)


def _page(request: HttpRequest, form: WebForm, fields: list[FormField], *, data: dict[str, Any],
          errors: dict[str, str], message: str = "", status: int = 200) -> HttpResponse:
    rows = []
    for form_field in fields:
        value = data.get(form_field.name, form_field.initial)
        rows.append({
            "field": form_field, "id": f"vf-{form_field.name}",
            "value": value if isinstance(value, str) else "",
            "checked": form_field.field_type == FieldType.CHECKBOX and str(value).lower() in (
                "1", "on", "true", "yes", "да"),
            "error": errors.get(form_field.name, ""),
            "autocomplete": AUTOCOMPLETE.get(form_field.target, "off" if form_field.field_type ==
                                             FieldType.HIDDEN else ""),
        })
    if data:  # a re-rendered submission keeps what the page first captured
        utm = {k: data[k] for k in UTM_FIELDS if isinstance(data.get(k), str) and data[k]}
        landing_page = data.get("landing_page") or ""
        referrer = data.get("referrer") or ""
        submission_id = data.get("submission_id") or str(uuid.uuid4())
    else:
        utm = utm_from_pairs(request.GET.items())
        landing_page = request.build_absolute_uri()
        referrer = request.headers.get("Referer", "")
        submission_id = str(uuid.uuid4())
    labels = {f.name: f.label for f in fields} | {"consent": _("Согласие"), TS_FIELD: _("Форма")}
    context = {
        "form": form, "rows": rows, "errors": errors, "message": message,
        "error_list": [{"id": f"vf-{name}", "label": labels.get(name, name), "message": text}
                       for name, text in errors.items()],
        "action": request.get_full_path(), "ts": _keep_token(form, data),
        "honeypot": HONEYPOT_FIELD, "submission_id": submission_id,
        "hidden": {**utm, "landing_page": text_clean(str(landing_page))[:2000],
                   "referrer": text_clean(str(referrer))[:2000]},
        "consent_checked": str(data.get("consent", "")).lower() in ("1", "on", "true", "yes"),
        "consent_error": errors.get("consent", ""),
    }
    return _html(request, form, "webforms/page.html", context, status)


def _schema(request: HttpRequest, form: WebForm, fields: list[FormField]) -> JsonResponse:
    """The form for API clients: its fields and a fresh `_ts` to send back."""
    return _json(request, form, {
        "slug": form.slug, "name": form.name, "submit_url": request.build_absolute_uri(),
        "fields": [{"name": f.name, "label": f.label, "type": f.field_type, "required": f.required,
                    "options": f.options if f.field_type == FieldType.SELECT else [],
                    "initial": f.initial} for f in fields],
        "require_consent": form.require_consent, "consent_text": form.consent_text,
        "min_fill_seconds": form.min_fill_seconds, TS_FIELD: started_token(form.slug),
    })


# --- the submission ----------------------------------------------------------------------------

def _declared_too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
    except ValueError:
        return True


def _read_data(request: HttpRequest) -> dict[str, Any]:
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refusal(413, _("Слишком большой запрос (больше 64 КБ).")) from None
    if len(body) > MAX_BODY:
        raise Refusal(413, _("Слишком большой запрос (больше 64 КБ)."))
    if request.content_type == JSON_TYPE:
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, RecursionError):
            raise Refusal(400, _("Тело запроса — не JSON.")) from None
        if not isinstance(data, dict):
            raise Refusal(400, _("Ожидается JSON-объект с полями формы."))
        return data
    if request.content_type in FORM_TYPES:
        try:
            post = request.POST
            return {key: post.get(key) for key in post}
        except (MultiPartParserError, TooManyFieldsSent, RequestDataTooBig, ValueError):
            raise Refusal(400, _("Не удалось прочитать данные формы.")) from None
    raise Refusal(415, _("Отправьте форму как application/x-www-form-urlencoded или application/json."))


def _check_started(form: WebForm, data: dict[str, Any]) -> None:
    if not form.min_fill_seconds:
        return
    at = started_at(data.get(TS_FIELD), form.slug)
    if at is None:
        message = _("Страница формы устарела. Обновите её и отправьте форму ещё раз.")
        raise Refusal(400, message, {TS_FIELD: message})
    if time.time() - at < form.min_fill_seconds:
        message = _("Форма отправлена слишком быстро. Проверьте данные и отправьте её ещё раз.")
        raise Refusal(400, message, {TS_FIELD: message})


def _success(request: HttpRequest, form: WebForm, *, duplicate: bool = False) -> HttpResponse:
    if _wants_json(request):
        return _json(request, form, {"result": "ok", "message": form.success_message,
                                     "duplicate": duplicate})
    return _html(request, form, "webforms/thanks.html",
                 {"form": form, "again": reverse("webforms:form", args=[form.slug])})


def _submit(request: HttpRequest, form: WebForm) -> HttpResponse:
    ip = client_ip(request)
    fields: list[FormField] | None = None
    data: dict[str, Any] = {}
    try:
        if not origin_permitted(request, form):
            security_warning("webform", f"{form.slug}:{ip}", f"origin {request_origin(request)!r}")
            raise Refusal(403, _("Отправка формы с этого сайта не разрешена."))
        if _declared_too_big(request):
            raise Refusal(413, _("Слишком большой запрос (больше 64 КБ)."))
        if rate_limited("webform-ip", ip, limit=rate_per_ip()) or rate_limited(
                "webform-form", form.slug, limit=rate_per_form()):
            security_warning("webform", f"{form.slug}:{ip}", "rate limit")
            raise Refusal(429, _("Слишком много заявок. Попробуйте через минуту."))
        data = _read_data(request)
        fields = _fields(form)
        honeypot = data.get(HONEYPOT_FIELD)
        if honeypot not in (None, "", False):
            # A bot filled the field people never see: answer as if accepted, keep nothing.
            security_warning("webform", f"{form.slug}:{ip}", "honeypot filled")
            return _success(request, form)
        _check_started(form, data)
        try:
            clean = submission_clean(form, fields, data, query=dict(request.GET.items()),
                                     idempotency_header=request.headers.get("Idempotency-Key"))
        except SubmissionInvalid as exc:
            raise Refusal(400, _("Проверьте поля формы."), exc.errors) from None
    except Refusal as refusal:
        return _refusal_response(request, form, refusal, fields, data)
    accepted = submission_accept(form, fields, clean, client={
        "ip": ip, "user_agent": request.headers.get("User-Agent", ""),
        "origin": request_origin(request) or ""})
    return _success(request, form, duplicate=accepted.duplicate)


@csrf_exempt  # see the module docstring: public, sessionless, protected by the checks above
def form_view(request: HttpRequest, slug: str) -> HttpResponse:
    form = _active_form(slug)
    if form is None:
        refusal = Refusal(404, _("Форма не найдена."))
        return _refusal_response(request, None, refusal)
    if request.method == "OPTIONS":
        return preflight_response(request, form)
    if request.method in ("GET", "HEAD"):
        fields = _fields(form)
        if JSON_TYPE in request.headers.get("Accept", ""):
            return _schema(request, form, fields)
        return _page(request, form, fields, data={}, errors={})
    if request.method == "POST":
        return _submit(request, form)
    return HttpResponseNotAllowed(["GET", "POST", "OPTIONS"])


# --- the embed script ---------------------------------------------------------------------------

def embed_config(request: HttpRequest, form: WebForm, fields: list[FormField]) -> dict[str, Any]:
    return {
        "slug": form.slug, "name": form.name,
        "action": request.build_absolute_uri(reverse("webforms:form", args=[form.slug])),
        "ts": started_token(form.slug), "honeypot": HONEYPOT_FIELD,
        "successMessage": form.success_message,
        "requireConsent": form.require_consent, "consentText": form.consent_text,
        "fields": [{"name": f.name, "label": f.label, "type": f.field_type, "required": f.required,
                    "options": f.options if f.field_type == FieldType.SELECT else [],
                    "initial": f.initial, "placeholder": f.placeholder,
                    "autocomplete": AUTOCOMPLETE.get(f.target, "")} for f in fields],
    }


def embed_js(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    form = _active_form(slug)
    if form is None:
        return HttpResponse("/* Voronka: форма не найдена */\n", status=404,
                            content_type="application/javascript; charset=utf-8")
    # ensure_ascii: no raw U+2028/U+2029 (line breaks to older JS engines) in the script.
    config = json.dumps(embed_config(request, form, _fields(form)), ensure_ascii=True)
    script = render_to_string("webforms/embed.js", {"config": config})
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    add_never_cache_headers(response)  # it carries a fresh signed start time
    return response
