from __future__ import annotations

from contextvars import ContextVar

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from voronka.webforms.models import FormField, UtmRule, WebForm

# The request being rendered, so the embed code can show this server's absolute address.
_request: ContextVar[HttpRequest | None] = ContextVar("webforms_admin_request", default=None)


def embed_snippet(base_url: str, slug: str) -> str:
    page = f"{base_url}{reverse('webforms:form', args=[slug])}"
    script = f"{base_url}{reverse('webforms:embed', args=[slug])}"
    return (f'<div data-voronka-form="{slug}"><a href="{page}">Оставить заявку</a></div>\n'
            f'<script src="{script}" async></script>')


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0
    fields = ("sort", "name", "label", "field_type", "required", "maps_to", "options", "initial",
              "placeholder")
    ordering = ("sort", "id")


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "source", "is_active", "page_link")
    list_filter = ("is_active", "source")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FormFieldInline]
    readonly_fields = ("embed_code",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "source", "is_active")}),
        (_("После отправки"), {"fields": ("success_message",)}),
        (_("Защита и встраивание"), {"fields": ("allowed_origins", "require_consent", "consent_text",
                                                "min_fill_seconds", "embed_code")}),
    )

    def changeform_view(self, request, *args, **kwargs):
        token = _request.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse renders lazily, after this returns
            return response
        finally:
            _request.reset(token)

    @admin.display(description=_("код для сайта"))
    def embed_code(self, obj: WebForm) -> str:
        if obj is None or not obj.pk:
            return _("Появится после сохранения формы.")
        request = _request.get()
        base = request.build_absolute_uri("/").rstrip("/") if request is not None else ""
        return format_html(
            '<p>Вставьте на страницу сайта (и добавьте адрес сайта в «сайты, где встроена '
            'форма»):</p><pre style="white-space:pre-wrap">{}</pre><p>Страница формы: '
            '<a href="{}" target="_blank" rel="noopener">{}</a></p>',
            embed_snippet(base, obj.slug), reverse("webforms:form", args=[obj.slug]),
            f"{base}{reverse('webforms:form', args=[obj.slug])}")

    @admin.display(description=_("страница"))
    def page_link(self, obj: WebForm) -> str:
        url = reverse("webforms:form", args=[obj.slug])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


@admin.register(UtmRule)
class UtmRuleAdmin(admin.ModelAdmin):
    list_display = ("utm_source", "utm_medium", "utm_campaign", "source", "sort", "is_active")
    list_editable = ("sort", "is_active")
    list_filter = ("is_active", "source")
    search_fields = ("utm_source", "utm_medium", "utm_campaign")
