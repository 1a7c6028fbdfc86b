"""/tasks/… and /notifications/…: a person's tasks (дела) and notifications."""

from django.urls import path  # noqa: F401

app_name = "automation"
urlpatterns: list = []
