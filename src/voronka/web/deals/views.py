"""The deals kanban: the board, more cards for a column, and moving a deal between stages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.crm.models import Pipeline, Stage
from voronka.crm.selectors import deals_visible_to
from voronka.crm.services.deals import deal_move, pipeline_default
from voronka.web.deals.board import board_build, card_page, columns_count


def refusal_text(error: ValidationError) -> str:
    """A service's refusal as one readable sentence (its Russian messages, joined)."""
    return " ".join(error.messages)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def pipeline_chosen(request: HttpRequest) -> Pipeline:
    pipeline_id = request.GET.get("pipeline", "")
    if pipeline_id.isdigit():
        return get_object_or_404(Pipeline, pk=pipeline_id)
    try:
        return pipeline_default()
    except ValidationError:
        raise Http404(_("Не создано ни одного направления сделок.")) from None


def board(request: HttpRequest) -> HttpResponse:
    pipeline = pipeline_chosen(request)
    columns = board_build(request.user, pipeline)
    return render(request, "web/deals/board.html", {
        "pipeline": pipeline, "pipelines": Pipeline.objects.all(), "columns": columns,
        "is_empty": not any(c.count for c in columns),
    })


def column_more(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next cards of one column, for its «показать ещё» link."""
    stage = get_object_or_404(Stage, pk=stage_id)
    page = card_page(request.user, stage, request.GET.get("cursor", ""))
    return render(request, "web/deals/_cards.html", {"page": page, "stage": stage})


@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to a stage through deal_move; a refusal keeps it where it was.

    The kanban posts here with HTMX headers and gets the refreshed column heads, or a 409
    with the service's message (the card snaps back and the message is shown). The deal
    card's stage form posts here without them and is redirected back with the message.
    """
    deal = get_object_or_404(deals_visible_to(request.user), pk=pk)
    stage_id = request.POST.get("stage", "")
    stage = get_object_or_404(Stage, pk=stage_id) if stage_id.isdigit() else None
    try:
        if stage is None:
            raise ValidationError(_("Выберите стадию."))
        deal = deal_move(deal=deal, stage=stage, acting_user=request.user)
    except ValidationError as error:
        if is_htmx(request):
            return HttpResponse(refusal_text(error), status=409,
                                content_type="text/plain; charset=utf-8")
        messages.error(request, refusal_text(error))
        return redirect("deals:card", pk=deal.pk)
    if is_htmx(request):
        return render(request, "web/deals/_heads.html",
                      {"columns": columns_count(request.user, deal.pipeline)})
    messages.success(request, _("Сделка переведена в стадию «%(stage)s».") % {"stage": stage.name})
    return redirect("deals:card", pk=deal.pk)
