from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "voronka.demo"
    verbose_name = "Demo data"
