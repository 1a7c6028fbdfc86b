from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "voronka.web"
    verbose_name = "Web workspace"
