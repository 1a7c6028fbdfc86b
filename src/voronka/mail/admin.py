from django.contrib import admin

from voronka.mail.models import Attachment, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "username", "host", "address", "source", "is_active", "imap_enabled",
                    "last_polled_at", "last_error")
    list_filter = ("is_active", "imap_enabled")
    readonly_fields = ("uidvalidity", "last_uid", "last_polled_at", "last_error")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "content_type", "size", "event")
    raw_id_fields = ("event",)
