from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "voronka.setup"
    label = "voronka_setup"
    verbose_name = "Configuration as code"
