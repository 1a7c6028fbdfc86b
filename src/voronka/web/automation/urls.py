"""/tasks/… and /notifications/…: a person's tasks (дела) and notifications."""

from django.urls import path

from voronka.web.automation import views

app_name = "automation"
urlpatterns: list = [
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/card/", views.card_tasks, name="card-tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/count/", views.notification_badge, name="notification-count"),
]
