from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "extension", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "email", "extension")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("CRM"), {"fields": ("full_name", "role", "extension", "time_zone", "sees_all")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("CRM"), {"fields": ("full_name", "role", "extension")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def has_add_permission(self, request):
        # A token is shown only once, so it is created by `voronka token create`, not here.
        return False
