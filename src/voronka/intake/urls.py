from django.urls import path

from voronka.intake import views

app_name = "intake"
urlpatterns = [
    path("mango/<slug:slug>/events/<str:kind>", views.mango_event, name="mango-event"),
]
