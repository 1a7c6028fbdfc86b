"""/settings/robots/…: robots on lead statuses and deal stages, admin only (wrapped below)."""

from django.urls import path  # noqa: F401

from voronka.web.access import admin_required

app_name = "robots"
_patterns: list = []

for _pattern in _patterns:
    _pattern.callback = admin_required(_pattern.callback)

urlpatterns = _patterns
