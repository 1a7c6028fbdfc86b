from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "voronka.intake"
    verbose_name = _("Входящие обращения")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from voronka.core.batch_cache import settled_forget
        from voronka.intake import handlers  # noqa: F401  (registers event handlers)
        from voronka.intake.models import TelephonyConnection
        from voronka.intake.selectors import telephony_connections_forget

        for signal in (post_save, post_delete):
            signal.connect(telephony_connections_forget, sender=TelephonyConnection,
                           dispatch_uid=f"telephony_connections_forget_{signal is post_save}")
            for model in _settled_models():
                signal.connect(settled_forget, sender=model, dispatch_uid=(
                    f"settled_forget_{model._meta.label}_{signal is post_save}"))


def _settled_models() -> list:
    """The configuration rows read through `cached(..., settled=True)` (core/batch_cache.py)."""
    from voronka.accounts.models import User
    from voronka.crm.models import CrmSettings, CustomFieldDefinition, LeadStatus, Source
    from voronka.intake.models import IntakeSettings, SlaRule, TelephonyConnection, TrackedNumber

    return [User, CrmSettings, CustomFieldDefinition, LeadStatus, Source, IntakeSettings, SlaRule,
            TelephonyConnection, TrackedNumber]
