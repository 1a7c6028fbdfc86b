from django.urls import path  # noqa: F401 - filled in as the screens land

app_name = "imports"
urlpatterns: list = []
