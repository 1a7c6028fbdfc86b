"""The NinjaAPI instance mounted at /api/v1/ by voronka.urls."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from voronka.analytics.api import router as analytics_router
from voronka.api import clients, deals, dictionaries, docs, events, imports, leads, processes
from voronka.api.auth import BearerToken
from voronka.api.errors import body_size_limit, install_exception_handlers


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Voronka API",
    version="1",
    description="Лиды, сделки, клиенты и справочники Voronka. Авторизация: "
                "`Authorization: Bearer <токен>` (токен выдаёт `voronka token create USERNAME`).",
    urls_namespace="api-v1",
    auth=BearerToken(),
    renderer=Renderer(),
    docs=docs.OfflineSwagger(),
)
install_exception_handlers(api)
api.add_decorator(body_size_limit, mode="view")

api.add_router("/leads", leads.router)
api.add_router("/deals", deals.router)
api.add_router("/", clients.router)
api.add_router("/dictionaries", dictionaries.router)
api.add_router("/events", events.router)
api.add_router("/imports", imports.router)
api.add_router("/reports", analytics_router)
api.add_router("/processes", processes.router)


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request: HttpRequest, name: str):
    return docs.docs_asset(request, name)
