"""`{% simple_mode as on %}`: whether the CRM runs without leads (CrmSettings.simple_mode).

A tag rather than a context processor, so that only the templates that ask pay the query.
"""

from __future__ import annotations

from django import template

from voronka.crm.models import CrmSettings

register = template.Library()


@register.simple_tag(takes_context=True)
def simple_mode(context: template.Context) -> bool:
    # Remembered on the request: base.html may ask more than once per page.
    request = context.get("request")
    if request is not None and hasattr(request, "_voronka_simple_mode"):
        return request._voronka_simple_mode
    on = CrmSettings.load().simple_mode
    if request is not None:
        request._voronka_simple_mode = on
    return on
