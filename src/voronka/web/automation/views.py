"""/tasks/… (a person's дела) and /notifications/… (the bell). Every page needs a login
(web/urls.py); what a user may see or change is decided by the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.accounts.models import User
from voronka.crm.items import item_path
from voronka.crm.models import Lead
from voronka.web.automation import selectors, services
from voronka.web.automation.forms import TaskForm
from voronka.web.navigation import next_url

NOTIFICATIONS_PER_PAGE = 50


# -- tasks ------------------------------------------------------------------------------

def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    tasks = selectors.tasks_visible_to(user)
    person = None
    if user.can_see_all:  # the head of sales looks at everybody's, or one person's
        person = User.objects.filter(pk=request.GET.get("person") or 0).first()
        tasks = tasks.filter(responsible=person) if person else tasks
    tasks = selectors.with_items(tasks)
    show_done = request.GET.get("done") == "1"
    context = {"show_done": show_done, "person": person, "now": timezone.now(),
               "people": User.objects.filter(is_active=True).order_by("full_name", "username")
               if user.can_see_all else None}
    if show_done:
        context["done"] = selectors.tasks_done(tasks)
    else:
        context["groups"] = selectors.tasks_grouped(tasks, context["now"])
    return render(request, "web/automation/tasks.html", context)


@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_for(request.user, pk)
    if services.task_done(task):
        messages.success(request, _("Дело «%(t)s» выполнено.") % {"t": task.title})
    item = task.lead or task.deal
    if request.headers.get("HX-Request") and request.POST.get("panel") and item:
        return _panel(request, item, TaskForm())
    return redirect(next_url(request, "/tasks/"))


def card_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks panel of a lead or deal card (loaded by the card after the page)."""
    item = selectors.item_for(request.user, lead_id=request.GET.get("lead"),
                              deal_id=request.GET.get("deal"))
    return _panel(request, item, TaskForm())


@require_POST
def task_create(request: HttpRequest) -> HttpResponse:
    item = selectors.item_for(request.user, lead_id=request.POST.get("lead"),
                              deal_id=request.POST.get("deal"))
    form = TaskForm(request.POST)
    if form.is_valid():
        services.task_add(user=request.user, item=item, **form.cleaned_data)
        if request.headers.get("HX-Request"):
            return _panel(request, item, TaskForm(), created=True)
        messages.success(request, _("Дело «%(t)s» поставлено.") % {"t": form.cleaned_data["title"]})
        return redirect(item_path(item))
    if request.headers.get("HX-Request"):
        return _panel(request, item, form)
    return render(request, "web/automation/task_new.html", {
        "item": item, "form": form, "item_url": item_path(item),
        "item_kind": "lead" if isinstance(item, Lead) else "deal"}, status=400)


def _panel(request: HttpRequest, item, form: TaskForm, created: bool = False) -> HttpResponse:
    kind = "lead" if isinstance(item, Lead) else "deal"
    return render(request, "web/automation/_card_tasks.html", {
        "item": item, "item_kind": kind, "tasks": selectors.tasks_of_item(item), "form": form,
        "created": created, "now": timezone.now()}, status=400 if form.errors else 200)


# -- notifications ----------------------------------------------------------------------

def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), NOTIFICATIONS_PER_PAGE) \
        .get_page(request.GET.get("page"))
    return render(request, "web/automation/notifications.html",
                  {"page": page, "unread": selectors.unread_count(request.user)})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of them (`all`) read — the user's own only."""
    mine = selectors.notifications_of(request.user)
    if request.POST.get("all"):
        services.notifications_read(mine)
    else:
        services.notifications_read(mine.filter(pk=request.POST.get("id") or 0))
    return redirect(next_url(request, "/notifications/"))


def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread count under the bell; the header polls it."""
    return render(request, "web/automation/_bell_count.html",
                  {"unread": selectors.unread_count(request.user)})
