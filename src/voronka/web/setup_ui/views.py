"""The generic settings views: home, a section's list, its create/edit form, delete.

Every view here is admin-only: urls.py wraps each pattern in `admin_required`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.web.setup_ui.sections import Section, home_groups, section_get


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/setup_ui/home.html", {"groups": home_groups()})


def section_list(request: HttpRequest, section: str) -> HttpResponse:
    spec = section_get(section)
    if spec.singleton:
        return _edit(request, spec, spec.load_singleton())
    rows = [(obj, [_cell(column.value(obj)) for column in spec.columns],
             spec.row_class(obj) if spec.row_class else "")
            for obj in spec.rows()]
    return render(request, "web/setup_ui/list.html", {"section": spec, "rows": rows})


def item_create(request: HttpRequest, section: str) -> HttpResponse:
    spec = section_get(section)
    if spec.singleton:
        return redirect("setup_ui:list", section=spec.slug)
    return _edit(request, spec, None)


def item_edit(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    spec = section_get(section)
    return _edit(request, spec, spec.get(pk))


@require_POST
def item_delete(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    spec = section_get(section)
    obj = spec.get(pk)
    if not spec.can_delete:
        return HttpResponse(status=405)
    back = spec.success_url(obj) if spec.success_url else f"/settings/{spec.slug}/"
    try:
        spec.delete(obj, request.user) if spec.delete else obj.delete()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ProtectedError:
        messages.error(request, _("«%(name)s» используется, удалить нельзя.") % {"name": obj})
    else:
        messages.success(request, _("«%(name)s» удалено.") % {"name": obj})
    return redirect(back)


def _edit(request: HttpRequest, spec: Section, instance) -> HttpResponse:
    initial = spec.initial(request) if spec.initial and instance is None else None
    form = spec.form(request.POST or None, instance=instance, initial=initial, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, _("Сохранено."))
        if spec.singleton:
            return redirect("setup_ui:list", section=spec.slug)
        return redirect(spec.success_url(obj) if spec.success_url else f"/settings/{spec.slug}/{obj.pk}/")
    context = {"section": spec, "form": form, "object": instance}
    if spec.extra_context:
        context.update(spec.extra_context(request, instance))
    return render(request, spec.edit_template, context, status=400 if form.is_bound else 200)


def _cell(value):
    if value is True:
        return _("да")
    if value is False:
        return _("нет")
    return "—" if value in (None, "") else value
