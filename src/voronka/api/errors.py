"""JSON errors with a readable message: no HTML error pages and no 500 for bad input."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

MAX_BODY_BYTES = 1024 * 1024


def _json(data: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _field_path(loc: tuple | list) -> str:
    """`("body", "payload", "phones", 0)` -> `phones[0]`; query and path parameters keep their name."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        where = parts.pop(0)
        if where == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def django_message(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, messages in errors.items():
        text = " ".join(messages)
        parts.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    return "; ".join(parts)


def install_exception_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, data: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, data, status=status)

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = []
        for error in exc.errors:
            path = _field_path(error.get("loc", ()))
            fields.append(f"{path}: {error.get('msg', '')}")
        message = "Неверные данные запроса. " + "; ".join(fields)
        return respond(request, {"message": message, "detail": exc.errors}, 422)

    @api.exception_handler(DjangoValidationError)
    def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = django_errors(exc)
        return respond(request, {"message": django_message(errors), "errors": errors}, 400)

    @api.exception_handler(AuthenticationError)
    def on_unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if request.headers.get("Authorization"):
            detail = "Токен неверен, отозван или его пользователь отключён."
        else:
            detail = "Нужна авторизация: заголовок «Authorization: Bearer <токен>»."
        response = respond(request, {"detail": detail, "message": detail}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="voronka"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        text = str(exc)
        if exc.status_code == 400 and text.startswith("Cannot parse request body"):
            text = "Тело запроса — не JSON (нужен объект в UTF-8)."
        return respond(request, {"detail": text, "message": text}, exc.status_code)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        detail = "Не найдено (или нет доступа)."
        return respond(request, {"detail": detail, "message": detail}, 404)


def body_size_limit(view):
    """Refuse bodies over 1 MB with 413 before anything (auth, parsing) reads them."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        too_big = {"detail": "Тело запроса больше 1 МБ.", "message": "Тело запроса больше 1 МБ."}
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json({"detail": "Неверный Content-Length.", "message": "Неверный Content-Length."},
                         400)
        if declared > MAX_BODY_BYTES:
            return _json(too_big, 413)
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                size = len(request.body)
            except RequestDataTooBig:
                return _json(too_big, 413)
            if size > MAX_BODY_BYTES:
                return _json(too_big, 413)
        return view(request, *args, **kwargs)

    return wrapper
