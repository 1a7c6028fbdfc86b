from django.urls import path

from voronka.web.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("builder/", views.builder, name="builder"),
    path("builder/save/", views.builder_save, name="builder_save"),
    path("saved/<int:pk>/", views.saved, name="saved"),
    path("saved/<int:pk>/delete/", views.saved_delete, name="saved_delete"),
    path("<slug:name>/", views.report, name="report"),
]
