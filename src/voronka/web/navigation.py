"""Where a form sends the user back to: its `next` field, if it stays on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# A message tagged "field:<id>" belongs beside the control with that id, not atop the page.
FIELD_MESSAGE = "field:"


def next_url(request: HttpRequest, default: str) -> str:
    """The POSTed `next`, or `default` when it is missing or points to another site."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default
