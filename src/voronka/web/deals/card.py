"""The deal card: fields, client, stage changer, timeline, comments, closing as won or lost."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from voronka.crm.models import CloseReason, Communication, Deal, Entity
from voronka.crm.selectors import deals_visible_to
from voronka.crm.services.deals import deal_close
from voronka.crm.services.leads import comment_add
from voronka.web.deals.views import refusal_text
from voronka.web.timeline import timeline_for


class DealCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Итог"), widget=forms.RadioSelect, choices=[
        ("won", gettext_lazy("Успешна")), ("lost", gettext_lazy("Провалена"))])
    reason = forms.ModelChoiceField(
        CloseReason.objects.filter(entity=Entity.DEAL, is_active=True), required=False,
        label=gettext_lazy("Причина провала"), empty_label=gettext_lazy("— выберите —"))
    closed_on = forms.DateField(required=False, label=gettext_lazy("Дата закрытия"),
                                help_text=gettext_lazy("Пусто — сегодня."),
                                widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(required=False, label=gettext_lazy("Комментарий"),
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "lost" and not data.get("reason"):
            self.add_error("reason", _("Выберите причину, по которой сделка провалена."))
        return data


def visible_deal(request: HttpRequest, pk: int) -> Deal:
    return get_object_or_404(
        deals_visible_to(request.user).select_related(
            "pipeline", "stage", "contact", "company", "responsible", "source",
            "first_touch_source", "lead", "close_reason", "upsell_manager", "parent_deal"),
        pk=pk)


def card_render(request: HttpRequest, deal: Deal, *, close_form: DealCloseForm | None = None,
                comment_error: str = "", status: int = 200) -> HttpResponse:
    client_q = Q(pk__in=[])
    if deal.contact_id:
        client_q |= Q(contact=deal.contact_id)
    if deal.company_id:
        client_q |= Q(company=deal.company_id)
    return render(request, "web/deals/card.html", {
        "deal": deal,
        "stages": deal.pipeline.stages.order_by("sort", "id"),
        "communications": Communication.objects.filter(client_q).order_by("kind", "id"),
        "tracking": {k: v for k, v in deal.tracking_values().items() if v},
        "close_form": close_form or DealCloseForm(),
        "comment_error": comment_error,
        "timeline": timeline_for(deal=deal),
    }, status=status)


@require_GET
def deal_card(request: HttpRequest, pk: int) -> HttpResponse:
    return card_render(request, visible_deal(request, pk))


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    deal = visible_deal(request, pk)
    try:
        comment_add(text=request.POST.get("text", ""), deal=deal, acting_user=request.user)
    except ValidationError as error:
        return card_render(request, deal, comment_error=refusal_text(error), status=400)
    return redirect("deals:card", pk=deal.pk)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    deal = visible_deal(request, pk)
    form = DealCloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            deal_close(deal=deal, won=data["outcome"] == "won", acting_user=request.user,
                       closed_on=data["closed_on"],
                       reason=data["reason"] if data["outcome"] == "lost" else None,
                       comment=data["comment"])
        except ValidationError as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Сделка закрыта."))
            return redirect("deals:card", pk=deal.pk)
    return card_render(request, deal, close_form=form, status=400)
