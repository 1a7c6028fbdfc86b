"""/settings/robots/…: the board, the robot form with its runs, on/off and delete.

Admin only: urls.py wraps every view in `admin_required`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.automation.models import Robot
from voronka.web.robots.forms import RobotForm, robot_for_place
from voronka.web.robots.selectors import RobotCard, board_get, board_url, runs_of


def board(request: HttpRequest) -> HttpResponse:
    return render(request, "web/robots/board.html", {"board": board_get(request.GET.get("pipeline"))})


def robot_create(request: HttpRequest) -> HttpResponse:
    # The form posts back to its own address, so the place stays in the query string.
    robot = robot_for_place(status_id=request.GET.get("status"), stage_id=request.GET.get("stage"))
    if robot is None:
        raise Http404
    return _edit(request, robot)


def robot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Robot.objects.select_related("status", "stage"), pk=pk))


def _edit(request: HttpRequest, robot: Robot) -> HttpResponse:
    title = robot.name  # the form changes the instance while it checks it
    base = {"robot": robot, "title": title, "parent": {"url": board_url(robot), "title": _("Роботы")}}
    if robot.is_system:  # set up by the status cleanup tool: only on/off here
        if request.method == "POST":
            messages.error(request, _("Системный робот можно только включить или выключить."))
            return redirect("robots:edit", pk=robot.pk)
        return render(request, "web/robots/edit.html",
                      base | {"runs": runs_of(robot), "card": RobotCard.of(robot)})
    more = request.POST.get("more", "")
    form = RobotForm(request.POST if request.method == "POST" else None, robot=robot, more=more)
    if request.method == "POST" and not more and form.is_valid():
        robot = form.save(user=request.user)
        messages.success(request, _("Робот «%(name)s» сохранён.") % {"name": robot.name})
        return redirect(board_url(robot))
    context = base | {"form": form, "runs": runs_of(robot) if robot.pk else []}
    return render(request, "web/robots/edit.html", context,
                  status=400 if form.is_bound and not more else 200)


@require_POST
def robot_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    robot = get_object_or_404(Robot, pk=pk)
    robot.is_active = not robot.is_active
    robot.save(update_fields=["is_active"])
    text = _("Робот «%(name)s» включён.") if robot.is_active else _("Робот «%(name)s» выключен.")
    messages.success(request, text % {"name": robot.name})
    if request.POST.get("back") == "robot":
        return redirect("robots:edit", pk=robot.pk)
    return redirect(board_url(robot))


@require_POST
def robot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    robot = get_object_or_404(Robot, pk=pk)
    if robot.is_system:
        messages.error(request, _("Системный робот удаляется вместе со статусом; его можно выключить."))
        return redirect(board_url(robot))
    back = board_url(robot)
    robot.delete()
    messages.success(request, _("Робот «%(name)s» удалён.") % {"name": robot.name})
    return redirect(back)
