"""The lead card and its actions: comment, status, close as junk, reassign.

Every action re-reads the lead through `lead_for` (404 for someone else's lead, also on a
hand-made POST) and changes it only through a crm service, which writes the timeline.
Forms work without JavaScript (post → redirect back); with HTMX the comment form swaps
the timeline in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voronka.crm.models import Lead, LeadStatus, Semantics
from voronka.crm.services.leads import (
    comment_add,
    lead_assign,
    lead_change_status,
    lead_close_as_junk,
)
from voronka.web.leads.forms import AssignForm, CommentForm, JunkForm
from voronka.web.leads.inline import custom_definition, edit_form, field_rows
from voronka.web.leads.queries import lead_for
from voronka.web.timeline import timeline_for


def _errors(error: ValidationError) -> list[str]:
    return error.messages  # flat, whether the service keyed them by field or not


def card_render(request: HttpRequest, lead: Lead, *, editing=None, status=400,
                **forms) -> HttpResponse:
    """The card; `forms` replace the blank ones when a post came back with errors."""
    rows = field_rows(lead)
    edit_name = editing[0] if editing else request.GET.get("edit", "")
    for row in rows:
        if row.name == edit_name:
            row.form = editing[1] if editing else edit_form(
                lead, edit_name, custom_definition(edit_name))
    context = {
        "lead": lead, "rows": rows,
        "communications": list(lead.communications.order_by("kind", "pk")),
        "timeline": timeline_for(lead=lead),
        "statuses": LeadStatus.objects.filter(semantics=Semantics.PROCESS),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "junk_form": forms.get("junk_form") or JunkForm(auto_id="junk-%s"),
        "assign_form": (forms.get("assign_form") or AssignForm(
            auto_id="assign-%s", initial={"responsible": lead.responsible_id}))
        if request.user.can_see_all else None,
        "status_errors": forms.get("status_errors") or [],
        "tracking": {k: v for k, v in lead.tracking_values().items() if v},
    }
    has_errors = any(forms.values()) or (editing and request.method == "POST")
    return render(request, "web/leads/card.html", context,
                  status=status if has_errors else 200)


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    return card_render(request, lead_for(request.user, pk))


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(text=form.cleaned_data["text"], lead=lead, acting_user=request.user)
        except ValidationError as error:
            form.add_error("text", _errors(error))
    is_htmx = request.headers.get("HX-Request") == "true"
    if is_htmx:
        return render(request, "web/leads/_comments.html", {
            "lead": lead, "comment_form": form if form.errors else CommentForm(),
            "timeline": timeline_for(lead=lead)})
    if form.errors:
        return card_render(request, lead, comment_form=form)
    return redirect(f"/leads/{lead.pk}/#timeline")


@require_POST
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for(request.user, pk)
    status = LeadStatus.objects.filter(pk=request.POST.get("status") or 0).first()
    if status is None:
        return card_render(request, lead, status_errors=[_("Выберите статус из списка.")])
    try:
        lead_change_status(lead=lead, status=status, acting_user=request.user)
    except ValidationError as error:
        return card_render(request, lead, status_errors=_errors(error))
    messages.success(request, _("Статус: «%(name)s».") % {"name": status.name})
    return redirect(f"/leads/{lead.pk}/")


@require_POST
def junk(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for(request.user, pk)
    form = JunkForm(request.POST, auto_id="junk-%s")
    if form.is_valid():
        try:
            lead_close_as_junk(lead=lead, reason=form.cleaned_data["reason"],
                               comment=form.cleaned_data["comment"], acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, _errors(error))
    if form.errors:
        return card_render(request, lead, junk_form=form)
    messages.success(request, _("Лид закрыт как некачественный."))
    return redirect(f"/leads/{lead.pk}/")


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for(request.user, pk)
    if not request.user.can_see_all:
        raise PermissionDenied
    form = AssignForm(request.POST, auto_id="assign-%s")
    if not form.is_valid():
        return card_render(request, lead, assign_form=form)
    lead_assign(lead=lead, responsible=form.cleaned_data["responsible"], acting_user=request.user,
                reason="manual", reason_text=form.cleaned_data["reason_text"])
    messages.success(request, _("Ответственный: %(name)s.")
                     % {"name": form.cleaned_data["responsible"].display_name})
    return redirect(f"/leads/{lead.pk}/")
