from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "voronka.intake"
    verbose_name = _("Входящие обращения")

    def ready(self) -> None:
        from voronka.intake import handlers  # noqa: F401  (registers event handlers)
