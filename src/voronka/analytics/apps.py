from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "voronka.analytics"
    label = "analytics"
    verbose_name = _("Аналитика")

    def ready(self) -> None:
        from voronka.analytics.signals import signals_connect

        signals_connect()
