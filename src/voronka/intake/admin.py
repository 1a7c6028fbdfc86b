from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from voronka.intake.models import (
    EventState,
    InboundEvent,
    IntakeSettings,
    SlaRule,
    TelephonyConnection,
    TrackedNumber,
)
from voronka.intake.services.events import process_event


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("id", "received_at", "channel", "provider", "connection", "kind", "state",
                    "outcome", "attempts")
    list_filter = ("state", "channel", "provider")
    search_fields = ("idempotency_key", "thread_key", "error")
    readonly_fields = [f.name for f in InboundEvent._meta.fields]
    actions = ("retry",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Обработать повторно"))
    def retry(self, request, queryset):
        results = [process_event(event) for event in queryset]
        failed = sum(1 for event in results if event.state == EventState.FAILED)
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(request, _("Обработано: %(ok)s, с ошибкой: %(failed)s")
                          % {"ok": len(results) - failed, "failed": failed}, level)


@admin.register(TelephonyConnection)
class TelephonyConnectionAdmin(admin.ModelAdmin):
    list_display = ("slug", "provider", "name", "create_leads", "only_unknown_numbers",
                    "set_source", "is_active")
    list_filter = ("provider", "is_active")


@admin.register(TrackedNumber)
class TrackedNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "source", "campaign", "description", "is_active")
    list_filter = ("source", "is_active")
    search_fields = ("number", "campaign")


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ("source", "first_response_minutes")


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not IntakeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
