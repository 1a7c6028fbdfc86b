from django.urls import path

from voronka.webforms import views

app_name = "webforms"
urlpatterns = [
    path("<slug:slug>/", views.form_view, name="form"),
    path("<slug:slug>/embed.js", views.embed_js, name="embed"),
]
