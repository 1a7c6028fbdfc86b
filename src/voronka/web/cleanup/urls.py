"""/settings/statuses/cleanup/…: the lead-status clean-up tool, admin only (wrapped below)."""

from django.urls import path

from voronka.web.access import admin_only
from voronka.web.cleanup import views

app_name = "cleanup"
_patterns: list = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("run/", views.run, name="run"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.progress, name="progress"),
    path("jobs/<int:pk>/resume/", views.resume, name="resume"),
    path("statuses/<int:pk>/delete/", views.status_delete, name="status-delete"),
]

urlpatterns = admin_only(_patterns)
