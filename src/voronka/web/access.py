"""Who may open a workspace page: every page needs a login, settings need an admin.

Login is enforced on the URL patterns themselves (`login_required_everywhere`), so a view
added later cannot forget it. What a user may *see* is decided by the selectors in
`voronka.crm.selectors` (`leads_visible_to` …): a view fetches items only through them, so
another manager's lead is a 404, whether typed in the address bar or posted by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver


def login_required_everywhere(patterns: list) -> list:
    """Wrap every view under these patterns (included ones too) in `login_required`."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            login_required_everywhere(entry.url_patterns)
        elif isinstance(entry, URLPattern) and not getattr(entry.callback, "login_exempt", False):
            entry.callback = login_required(entry.callback)
    return patterns


def login_exempt(view: Callable) -> Callable:
    """The few workspace pages that must open without a session (the login page)."""
    view.login_exempt = True
    return view


def admin_only(patterns: list[URLPattern]) -> list[URLPattern]:
    """Wrap every view of a settings URL list in `admin_required`."""
    for pattern in patterns:
        pattern.callback = admin_required(pattern.callback)
    return patterns


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Settings pages: a CRM administrator only (403 for everyone else)."""
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_crm_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return guarded
