from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CloseReason,
    Communication,
    Company,
    Contact,
    CrmSettings,
    CustomFieldDefinition,
    Deal,
    Lead,
    LeadStatus,
    Pipeline,
    Source,
    Stage,
    TimelineEvent,
)
from voronka.crm.services.dictionaries import lead_status_delete, lead_status_deprecate

UTM_AND_TRACKING = (*UTM_FIELDS, *TRACKING_FIELDS)


class CommunicationInline(admin.TabularInline):
    model = Communication
    extra = 0
    fields = ("kind", "value_type", "value", "normalized")
    readonly_fields = ("normalized",)


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "text", "payload")
    readonly_fields = fields
    can_delete = False
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort", "is_active")
    list_editable = ("sort", "is_active")
    search_fields = ("name", "code")


@admin.register(LeadStatus)
class LeadStatusAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "semantics", "sort", "deprecated")
    actions = ("deprecate",)

    @admin.action(description=_("Пометить «Не использовать»"))
    def deprecate(self, request, queryset):
        for status in queryset:
            try:
                lead_status_deprecate(status=status, acting_user=request.user)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    def delete_model(self, request, obj):
        lead_status_delete(status=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for status in queryset:
            lead_status_delete(status=status, acting_user=request.user)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.leads.exists()


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort", "is_default")
    inlines = (StageInline,)


@admin.register(CloseReason)
class CloseReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "entity", "code", "sort", "is_active")
    list_filter = ("entity",)


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "entity", "field_type", "required")
    list_filter = ("entity", "field_type")


@admin.register(CrmSettings)
class CrmSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CrmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "status", "source", "responsible", "created_at")
    list_filter = ("status", "source", "is_repeat")
    search_fields = ("title", "name", "last_name", "company_title", "communications__normalized")
    list_select_related = ("status", "source", "responsible")
    raw_id_fields = ("contact", "company")
    inlines = (CommunicationInline, TimelineInline)
    show_full_result_count = False
    readonly_fields = ("created_at", "closed_at", "first_handled_at", "sla_deadline")
    fieldsets = (
        (None, {"fields": ("title", "status", "responsible", "source", "source_description",
                           "amount", "currency", "comments")}),
        (_("Клиент"), {"fields": ("last_name", "name", "second_name", "post", "company_title",
                                  "contact", "company", "is_repeat")}),
        (_("Закрытие"), {"fields": ("junk_reason", "junk_comment", "closed_at")}),
        (_("Сроки"), {"fields": ("created_at", "sla_deadline", "first_handled_at")}),
        (_("UTM и отслеживание"), {"classes": ("collapse",), "fields": UTM_AND_TRACKING}),
        (_("Пользовательские поля"), {"classes": ("collapse",), "fields": ("custom_fields",)}),
    )


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "pipeline", "stage", "amount", "responsible", "created_at")
    list_filter = ("pipeline", "stage", "source", "is_repeat")
    search_fields = ("title",)
    list_select_related = ("pipeline", "stage", "responsible")
    raw_id_fields = ("contact", "company", "lead", "parent_deal")
    inlines = (TimelineInline,)
    show_full_result_count = False
    readonly_fields = ("created_at", "closed_at")
    fieldsets = (
        (None, {"fields": ("title", "pipeline", "stage", "amount", "currency", "responsible",
                           "comments")}),
        (_("Клиент и источник"), {"fields": ("contact", "company", "lead", "source",
                                             "source_description", "first_touch_source")}),
        (_("Повторные продажи"), {"fields": ("is_repeat", "parent_deal", "upsell_manager")}),
        (_("Закрытие"), {"fields": ("closed_on", "close_reason", "closed_at", "created_at")}),
        (_("UTM и отслеживание"), {"classes": ("collapse",), "fields": UTM_AND_TRACKING}),
        (_("Пользовательские поля"), {"classes": ("collapse",), "fields": ("custom_fields",)}),
    )


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", "company", "first_touch_source", "responsible")
    search_fields = ("name", "last_name", "communications__normalized")
    raw_id_fields = ("company",)
    inlines = (CommunicationInline, TimelineInline)
    show_full_result_count = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "inn", "responsible")
    search_fields = ("title", "inn", "communications__normalized")
    inlines = (CommunicationInline, TimelineInline)
    show_full_result_count = False
