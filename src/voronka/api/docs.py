"""Swagger UI served without a CDN: the product must work offline (ARCHITECTURE.md).

Ninja ships the Swagger assets but serves them through staticfiles only when "ninja" is an
installed app; here the page points at a small asset endpoint of this API instead.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from ninja.openapi.docs import Swagger

ASSETS_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"})

PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
  <link rel="icon" href="{icon}">
</head>
<body>
  <script type="application/json" id="swagger-settings">{settings}</script>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""


class OfflineSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = dict(self.settings, url=self.get_openapi_url(api, kwargs))

        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": name})

        # "</" cannot end the JSON script element early.
        settings_json = json.dumps(settings).replace("</", "<\\/")
        return HttpResponse(PAGE.format(
            title=escape(api.title), css=asset("swagger-ui.css"), icon=asset("favicon.png"),
            settings=settings_json, bundle=asset("swagger-ui-bundle.js"),
            init=asset("swagger-ui-init.js")))


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
