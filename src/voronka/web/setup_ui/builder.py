"""The web-form builder: the form's settings, its fields (an inline formset) and the embed code."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from voronka.web.setup_ui.forms_intake import FieldFormSet, WebFormForm
from voronka.web.setup_ui.sections import section_get
from voronka.webforms.models import WebForm


def embed_snippet(request: HttpRequest, form: WebForm) -> tuple[str, str]:
    """(the public page URL, the HTML to paste into a site), as docs/web-forms.md shows."""
    page = request.build_absolute_uri(reverse("webforms:form", kwargs={"slug": form.slug}))
    script = request.build_absolute_uri(reverse("webforms:embed", kwargs={"slug": form.slug}))
    snippet = (f'<div data-voronka-form="{form.slug}"><a href="{page}">{_("Оставить заявку")}</a></div>\n'
               f'<script src="{script}" async></script>')
    return page, snippet


def webform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(WebForm.objects.select_related("source"), pk=pk)
    data = request.POST or None
    form = WebFormForm(data, instance=webform, acting_user=request.user)
    fields = FieldFormSet(data, instance=webform, prefix="fields",
                          queryset=webform.fields.order_by("sort", "id"))
    if request.method == "POST" and form.is_valid() and fields.is_valid():
        with transaction.atomic():
            form.save()
            fields.save()
        messages.success(request, _("Форма сохранена."))
        return redirect("setup_ui:webform", pk=webform.pk)
    page, snippet = embed_snippet(request, webform)
    return render(request, "web/setup_ui/webform.html", {
        "section": section_get("webforms"), "object": webform, "form": form, "fields": fields,
        "public_url": page, "snippet": snippet,
    }, status=400 if form.is_bound else 200)
