"""The lead inbox: filters, search, keyset pages, bulk actions and the live poll."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voronka.crm.selectors import leads_visible_to
from voronka.crm.services.leads import lead_assign, lead_close_as_junk
from voronka.web.leads.forms import BulkForm, InboxFilterForm, assignable_users, lead_junk_reasons
from voronka.web.leads.queries import cursor_of, inbox_leads, inbox_newer, inbox_page
from voronka.web.navigation import FIELD_MESSAGE, next_url
from voronka.web.templatetags.voronka_web import count


def _filters(request: HttpRequest) -> InboxFilterForm:
    return InboxFilterForm(request.GET or None, user=request.user)


def _filter_params(request: HttpRequest) -> str:
    """The current filters as a query string, without the paging cursors."""
    params = request.GET.copy()
    for key in ("before", "after"):
        params.pop(key, None)
    return params.urlencode()


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    before = request.GET.get("before", "")
    page = inbox_page(inbox_leads(request.user, form.query()), before)
    return render(request, "web/leads/inbox.html", {
        "form": form, "page": page, "is_first_page": not before,
        "filter_params": _filter_params(request),
        "users": assignable_users() if request.user.can_see_all else [],
        "reasons": lead_junk_reasons(),
    })


@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    """Rows newer than the newest one shown, and the poller carrying the new cursor."""
    form = _filters(request)
    after = request.GET.get("after", "")
    rows = inbox_newer(inbox_leads(request.user, form.query()), after) if after else []
    return render(request, "web/leads/_poll.html", {
        "rows": rows, "cursor": cursor_of(rows[0]) if rows else after,
        "filter_params": _filter_params(request),
    })


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or close the checked leads, one service call each; report what changed."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        # Tagged with the field: the inbox shows each one beside its control (bulk-ids,
        # bulk-responsible, bulk-reason), not among the page's messages.
        for name, errors in form.errors.items():
            messages.error(request, " ".join(errors), extra_tags=f"{FIELD_MESSAGE}bulk-{name}")
        return redirect(next_url(request, "/leads/"))
    action = form.cleaned_data["action"]
    if action == "assign" and not request.user.can_see_all:
        raise PermissionDenied
    # Only leads this user may see: ids of other people's leads are silently not there.
    leads = list(leads_visible_to(request.user).filter(pk__in=form.cleaned_data["ids"]))
    changed, refused = 0, []
    for lead in leads:
        try:
            if action == "assign":
                lead_assign(lead=lead, responsible=form.cleaned_data["responsible"],
                            acting_user=request.user, reason="manual",
                            reason_text=_("Назначен из списка лидов"))
            else:
                lead_close_as_junk(lead=lead, reason=form.cleaned_data["reason"],
                                   comment=form.cleaned_data["comment"],
                                   acting_user=request.user)
            changed += 1
        except ValidationError as error:
            refused.append(f"{lead.title}: {' '.join(error.messages)}")
    done = (_("Передано: %(n)s.") if action == "assign" else _("Закрыто: %(n)s.")) % {
        "n": count(changed, "lead")}
    messages.success(request, done)
    if refused:
        messages.warning(request, _("Не изменены: %(list)s") % {"list": "; ".join(refused[:5])})
    return redirect(next_url(request, "/leads/"))
