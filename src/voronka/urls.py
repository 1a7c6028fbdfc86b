from django.contrib import admin
from django.urls import include, path

from voronka.api.urls import api
from voronka.core.views import healthz

admin.site.site_header = "Voronka"
admin.site.site_title = "Voronka"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("integrations/", include("voronka.intake.urls")),
    path("forms/", include("voronka.webforms.urls")),
    path("api/v1/", api.urls),
    path("", include("voronka.web.urls")),
]
