"""The WSGI application: people's pages get the full middleware, webhooks a lean one."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import get_resolver


class WebhookHandler(WSGIHandler):
    """Django's handler with settings.WEBHOOK_MIDDLEWARE instead of settings.MIDDLEWARE."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.WEBHOOK_MIDDLEWARE  # read once, at start-up
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def application_build() -> Callable[[dict, Callable], Iterable[bytes]]:
    """One WSGI callable that sends paths under WEBHOOK_PATH_PREFIXES to the lean handler."""
    pages, webhooks = WSGIHandler(), WebhookHandler()
    prefixes = tuple(settings.WEBHOOK_PATH_PREFIXES)
    # Import every view now, while the server starts, not in the first requests: a PBX's
    # burst after a restart otherwise waits about a second per process on the imports.
    get_resolver().reverse_dict  # noqa: B018 - the attribute's side effect is the point

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        handler = webhooks if environ.get("PATH_INFO", "").startswith(prefixes) else pages
        return handler(environ, start_response)

    return application
