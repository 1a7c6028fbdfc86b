"""Starting a business process from a deal card: a form for its parameters, then the card.

The view only turns the form into the process's parameters and its refusals back into form
errors; the rules (which deal may be the mother, how many copies, what they get) are the
process's own (voronka.automation.processes). A process is offered here once it has a form
in `FORMS`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.automation.processes import PROCESSES, ProcessResult
from voronka.automation.processes.repeat_lead_deal import MAX_COPIES, default_title
from voronka.automation.processes.repeat_lead_deal import NAME as REPEAT_LEAD_DEAL
from voronka.crm.models import Deal
from voronka.web.deals.card import visible_deal
from voronka.web.deals.views import refusal_text


class DealProcessForm(forms.Form):
    """The parameters of a process that runs on one deal (the deal comes from the URL)."""

    def __init__(self, *args, deal: Deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal = deal

    @staticmethod
    def probe(deal: Deal) -> dict[str, Any]:
        """The smallest valid parameters: checked before the form is shown, so that a deal the
        process refuses gets the process's reason instead of a form that cannot succeed."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        raise NotImplementedError


class RepeatLeadDealForm(DealProcessForm):
    count = forms.IntegerField(
        label=gettext_lazy("Сколько копий"), required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_COPIES, "inputmode": "numeric"}))
    titles = forms.CharField(
        label=gettext_lazy("Названия копий"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("По одному на строку, например по предложенной клиенту услуге. "
                               "Одна строка — это название у всех копий."))

    @staticmethod
    def probe(deal: Deal) -> dict[str, Any]:
        return {"deal_id": deal.pk, "count": 1}

    def __init__(self, *args, deal: Deal, **kwargs):
        kwargs.setdefault("initial", {"count": 1, "titles": default_title(deal.pk)})
        super().__init__(*args, deal=deal, **kwargs)
        self.fields["count"].help_text = _("От 1 до %(max)s. Пусто — по числу строк в названиях.") % {
            "max": MAX_COPIES}

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in (data.get("titles") or "").splitlines() if line.strip()]
        count = data.get("count")
        if count is None and len(lines) > 1:
            count = len(lines)
        elif count is None and "count" not in self.errors:
            self.add_error("count", _("Укажите, сколько копий сделать, или дайте по названию "
                                      "на строку."))
        if count is not None and 1 <= count <= MAX_COPIES and len(lines) == 1:
            lines *= count  # one title for every copy; a wrong count is the process's to refuse
        data["count"], data["title_lines"] = count, lines
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params = {"deal_id": self.deal.pk, "count": data["count"]}
        if data["title_lines"]:
            params["titles"] = data["title_lines"]
        return params


FORMS: dict[str, type[DealProcessForm]] = {REPEAT_LEAD_DEAL: RepeatLeadDealForm}


def _refusal_onto(form: forms.Form, error: ValidationError) -> None:
    """The process's refusal, each message under the field it names (else above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)


def _started_message(deal: Deal, result: ProcessResult) -> str:
    links = format_html_join(", ", '<a href="/deals/{}/">№{}</a>',
                             ((pk, pk) for pk in result.created.get("deals", [])))
    return format_html("{}. {} {}", result.summary[:1].upper() + result.summary[1:],
                       _("Новые сделки:"), links)


@require_http_methods(["GET", "POST"])
def process_start(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """GET: the form with a preview of what the copies get. POST: start, back to the card."""
    deal = visible_deal(request, pk)  # 404 for a deal the user may not see
    process, form_class = PROCESSES.get(name), FORMS.get(name)
    if process is None or form_class is None:
        raise Http404
    try:
        process.check(acting_user=request.user, params=form_class.probe(deal))
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("deals:card", pk=deal.pk)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, deal=deal)
        if form.is_valid():
            try:
                result = process.start(acting_user=request.user, params=form.params())
            except ValidationError as error:
                _refusal_onto(form, error)
            else:
                messages.success(request, _started_message(deal, result))
                return redirect("deals:card", pk=deal.pk)
        status = 400
    else:
        form = form_class(deal=deal)
    return render(request, "web/deals/process_start.html", {
        "deal": deal, "process": process, "form": form,
        "tracking": {k: v for k, v in deal.tracking_values().items() if v},
        "first_stage": deal.pipeline.first_stage(),
    }, status=status)
