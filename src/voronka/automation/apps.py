from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "voronka.automation"
    label = "automation"
    verbose_name = _("Автоматизация")

    def ready(self) -> None:
        from voronka.automation.triggers import signals_connect

        signals_connect()
