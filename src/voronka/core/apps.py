from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "voronka.core"
    verbose_name = "Voronka"
