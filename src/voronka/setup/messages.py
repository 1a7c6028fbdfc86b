"""Pydantic's errors turned into short messages with paths in the file."""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from voronka.setup.errors import Issue, format_path
from voronka.setup.fields import CUSTOM

_QUOTE_HINT = "; put the value in quotes"

_PLAIN = {
    "missing": "required",
    "string_type": "must be a text string" + _QUOTE_HINT,
    "string_unicode": "must be a text string" + _QUOTE_HINT,
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "list_type": "must be a list",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
    "dict_type": "must be a mapping (key: value)",
}

_WITH_CONTEXT = {
    "greater_than_equal": "must be {ge} or more",
    "less_than_equal": "must be {le} or less",
    "string_too_long": "must be at most {max_length} characters long",
    "too_short": "must have at least {min_length} item(s)",
    "decimal_max_places": "must have at most {decimal_places} digits after the decimal point",
    "decimal_max_digits": "is too large (at most {max_digits} digits)",
    "decimal_whole_digits": "is too large",
}


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema that a path inside an item leads to, to suggest the keys it allows."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            if get_origin(current) is not list:
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def unknown_key_message(key: Any, allowed: list[str]) -> str:
    """`unknown key (did you mean full_name?)`: a typo is the usual cause, so name the fix."""
    close = difflib.get_close_matches(str(key), allowed, n=1) if isinstance(key, str) else []
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key; allowed keys: {', '.join(allowed)}"


def _message(error: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == CUSTOM:
        return error["msg"]
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "extra_forbidden":
        target = _model_at(model, loc[:-1])
        return unknown_key_message(loc[-1], list(target.model_fields) if target else [])
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"must be one of {', '.join(options)}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else (
            f"must be at least {ctx.get('min_length')} characters long")
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _WITH_CONTEXT:
        return _WITH_CONTEXT[kind].format(**ctx)
    message = error["msg"]
    return message[:1].lower() + message[1:]


def issues_from_validation_error(
    exc: ValidationError, *, model: type[BaseModel], prefix: tuple[str | int, ...]
) -> list[Issue]:
    """Convert the errors of validating one item (`model`) found at `prefix` in the file."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == "invalid_key":
            # The loc ends with the offending key itself; point at its mapping instead.
            issues.append(Issue(format_path((*prefix, *loc[:-1])), f"key {loc[-1]!r} must be text"))
            continue
        issues.append(Issue(format_path((*prefix, *loc)), _message(error, model, loc)))
    return issues
