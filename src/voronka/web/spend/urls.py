from django.urls import path

from voronka.web.spend import views

app_name = "spend"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.entry, name="entry"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/progress/", views.progress, name="progress"),
    path("batches/<int:pk>/import/", views.upload_import, name="import"),
    path("connectors/", views.connectors, name="connectors"),
    path("connectors/<int:pk>/sync/", views.sync_now, name="sync"),
]
