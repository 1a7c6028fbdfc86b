from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpendConfig(AppConfig):
    name = "voronka.spend"
    label = "spend"
    verbose_name = _("Расходы на рекламу")

    def ready(self) -> None:
        from voronka.spend.connectors import avito_calls  # noqa: F401  (registers the "avito" call handler)
