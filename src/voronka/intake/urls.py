from django.urls import path

from voronka.intake import views

app_name = "intake"
urlpatterns = [
    path("mango/<slug:slug>/events/<str:kind>", views.mango_event, name="mango-event"),
    path("zadarma/<slug:slug>/", views.zadarma_event, name="zadarma-event"),
    path("generic/<slug:slug>/calls", views.generic_call_event, name="generic-call-event"),
]
