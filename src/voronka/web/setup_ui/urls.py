"""/settings/…: admin only. Every pattern is wrapped in `admin_required` here, so none can forget it."""

from django.urls import path

from voronka.web.access import admin_only
from voronka.web.setup_ui import actions, builder, views

app_name = "setup_ui"

_patterns = [
    path("", views.home, name="home"),
    path("statuses/<int:pk>/deprecate/", actions.status_deprecate, name="status-deprecate"),
    path("pipelines/<int:pk>/stages/order/", actions.stage_order, name="stage-order"),
    path("mailboxes/<int:pk>/check/", actions.mailbox_check, name="mailbox-check"),
    path("webforms/<int:pk>/", builder.webform_edit, name="webform"),
    path("<slug:section>/", views.section_list, name="list"),
    path("<slug:section>/new/", views.item_create, name="create"),
    path("<slug:section>/<int:pk>/", views.item_edit, name="edit"),
    path("<slug:section>/<int:pk>/delete/", views.item_delete, name="delete"),
]

urlpatterns = admin_only(_patterns)
