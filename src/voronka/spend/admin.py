from django.contrib import admin

from voronka.spend.models import SpendBatch, SpendConnector, SpendRow


@admin.register(SpendRow)
class SpendRowAdmin(admin.ModelAdmin):
    list_display = ("day", "source", "campaign_name", "amount", "currency", "clicks", "impressions",
                    "origin", "batch")
    list_filter = ("origin", "source", "currency")
    search_fields = ("campaign_name", "campaign_id")
    date_hierarchy = "day"
    raw_id_fields = ("batch",)


@admin.register(SpendBatch)
class SpendBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "origin", "source", "date_from", "date_to", "status", "progress", "rows",
                    "dry_run", "created_at")
    list_filter = ("origin", "status", "dry_run")
    readonly_fields = ("log", "error", "report", "created_at", "finished_at")
    raw_id_fields = ("created_by", "connector")


@admin.register(SpendConnector)
class SpendConnectorAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "kind", "source", "enabled", "last_sync_at", "last_status")
    list_filter = ("kind", "enabled")
    readonly_fields = ("last_sync_at", "last_status")
