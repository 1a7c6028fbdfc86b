"""/settings/robots/…: robots on lead statuses and deal stages, admin only (wrapped below)."""

from django.urls import path

from voronka.web.access import admin_only
from voronka.web.robots import views

app_name = "robots"
_patterns: list = [
    path("", views.board, name="board"),
    path("new/", views.robot_create, name="create"),
    path("<int:pk>/", views.robot_edit, name="edit"),
    path("<int:pk>/toggle/", views.robot_toggle, name="toggle"),
    path("<int:pk>/delete/", views.robot_delete, name="delete"),
]

urlpatterns = admin_only(_patterns)
