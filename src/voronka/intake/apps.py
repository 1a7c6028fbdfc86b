from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "voronka.intake"
    verbose_name = _("Входящие обращения")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from voronka.intake import handlers  # noqa: F401  (registers event handlers)
        from voronka.intake.models import TelephonyConnection
        from voronka.intake.selectors import telephony_connections_forget

        for signal in (post_save, post_delete):
            signal.connect(telephony_connections_forget, sender=TelephonyConnection,
                           dispatch_uid=f"telephony_connections_forget_{signal is post_save}")
