"""The convert wizard: lead → contact (+ company) + deal, on one page.

The page offers the clients that already own the lead's phones and e-mails (and companies
found by ИНН), lets the user send each communication to the contact or the company, and
asks for the pipeline, stage and amount. `lead_convert` does the work and enforces the
rules; its refusals come back as form errors and nothing is written.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.crm.models import Communication, Lead, Semantics, Stage
from voronka.crm.requisites import validate_inn
from voronka.crm.selectors import ConversionCandidates, conversion_candidates
from voronka.crm.services.conversion import communication_default_target, lead_convert
from voronka.crm.services.deals import pipeline_default
from voronka.web.leads.queries import lead_for

NEW = "new"
TARGET_LABELS = [("contact", pgettext_lazy("goes to", "контакту")),
                 ("company", pgettext_lazy("goes to", "компании")),
                 ("both", pgettext_lazy("goes to", "обоим")), ("none", pgettext_lazy("goes to", "никому"))]


def _stage_choices() -> list:
    """Working stages grouped by pipeline, the default pipeline first."""
    groups: dict = {}
    stages = (Stage.objects.filter(semantics=Semantics.PROCESS).select_related("pipeline")
              .order_by("-pipeline__is_default", "pipeline__sort", "pipeline_id", "sort", "pk"))
    for stage in stages:
        groups.setdefault(stage.pipeline.name, []).append((stage.pk, stage.name))
    return list(groups.items())


class ConvertForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Клиент"), widget=forms.RadioSelect, choices=[
        ("person", gettext_lazy("Физическое лицо")), ("legal", gettext_lazy("Юридическое лицо"))])
    contact = forms.ChoiceField(label=gettext_lazy("Контакт"), widget=forms.RadioSelect)
    company = forms.ChoiceField(label=gettext_lazy("Компания"), widget=forms.RadioSelect)
    company_title = forms.CharField(label=gettext_lazy("Название новой компании"), max_length=255,
                                    required=False)
    inn = forms.CharField(label=gettext_lazy("ИНН"), max_length=12, required=False,
                          validators=[validate_inn],
                          help_text=gettext_lazy("10 цифр у организации, 12 у ИП."))
    stage = forms.TypedChoiceField(label=gettext_lazy("Воронка и стадия"), coerce=int)
    amount = forms.CharField(label=gettext_lazy("Сумма сделки, ₽"), max_length=30, required=False,
                             help_text=gettext_lazy("Например, 150 000 или 1 234,50."))
    deal_title = forms.CharField(label=gettext_lazy("Название сделки"), max_length=255)

    def __init__(self, *args, lead: Lead, candidates: ConversionCandidates,
                 communications: list[Communication], **kwargs):
        super().__init__(*args, **kwargs)
        self.lead, self.candidates, self.communications = lead, candidates, communications
        self.fields["contact"].choices = [(NEW, _("Создать новый контакт"))] + [
            (str(c.pk), str(c)) for c in candidates.contacts]
        self.fields["company"].choices = [(NEW, _("Создать новую компанию"))] + [
            (str(c.pk), f"{c.title} · {_('ИНН')} {c.inn}" if c.inn else c.title)
            for c in candidates.companies]
        self.fields["stage"].choices = _stage_choices()
        for comm in communications:
            self.fields[f"comm_{comm.pk}"] = forms.ChoiceField(
                label=comm.value, choices=TARGET_LABELS, widget=forms.RadioSelect)

    def target_fields(self) -> list[tuple[Communication, forms.BoundField, str]]:
        """Each communication, its choice, and its default per kind of client (for the page's
        script, which follows the person/legal switch until the user picks by hand)."""
        return [(comm, self[f"comm_{comm.pk}"], json.dumps({
            "person": communication_default_target(comm, with_company=False),
            "legal": communication_default_target(comm, with_company=True)}))
            for comm in self.communications]

    def clean(self):
        data = super().clean()
        legal = data.get("kind") == "legal"
        if legal and data.get("company") == NEW and not (data.get("company_title") or "").strip():
            self.add_error("company_title", _("Укажите название компании или выберите найденную."))
        return data


def initial_for(lead: Lead, candidates: ConversionCandidates,
                communications: list[Communication], *, inn: str = "") -> dict:
    legal = bool(lead.company_title or inn or candidates.companies)
    default_stage = pipeline_default().first_stage()
    initial = {
        "kind": "legal" if legal else "person",
        "contact": str(candidates.contacts[0].pk) if candidates.contacts else NEW,
        "company": str(candidates.companies[0].pk) if candidates.companies else NEW,
        "company_title": lead.company_title, "inn": inn, "stage": default_stage.pk,
        "amount": "" if lead.amount is None else str(lead.amount), "deal_title": lead.title,
    }
    for comm in communications:
        initial[f"comm_{comm.pk}"] = communication_default_target(comm, with_company=legal)
    return initial


def _convert(form: ConvertForm, user) -> Lead | None:
    """Run the conversion; on a refusal, put the reasons on the form and return None."""
    data = form.cleaned_data
    legal = data["kind"] == "legal"
    contacts = {str(c.pk): c for c in form.candidates.contacts}
    companies = {str(c.pk): c for c in form.candidates.companies}
    company = companies.get(data["company"]) if legal else None
    stage = Stage.objects.select_related("pipeline").get(pk=data["stage"])
    try:
        result = lead_convert(
            lead=form.lead, acting_user=user, legal_entity=legal,
            contact=contacts.get(data["contact"]), company=company,
            company_data=({"title": data["company_title"], "inn": data["inn"]}
                          if legal and company is None else None),
            pipeline=stage.pipeline, stage=stage,
            amount=data["amount"].strip() or None, deal_title=data["deal_title"],
            communication_targets={comm.pk: data[f"comm_{comm.pk}"]
                                   for comm in form.communications})
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None
    return result.deal


@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for(request.user, pk)
    if lead.status.semantics != Semantics.PROCESS:
        messages.error(request, _("Сконвертировать можно только лид в работе."))
        return redirect(f"/leads/{lead.pk}/")
    source = request.POST if request.method == "POST" else request.GET
    inn = (source.get("inn") or "").strip()
    inn = inn if inn.isdigit() and len(inn) in (10, 12) else ""
    candidates = conversion_candidates(lead, request.user, inn=inn)
    communications = list(lead.communications.order_by("kind", "pk"))
    kwargs = {"lead": lead, "candidates": candidates, "communications": communications}
    if request.method == "POST" and "convert" in request.POST:
        form = ConvertForm(request.POST, **kwargs)
        if form.is_valid():
            deal = _convert(form, request.user)
            if deal is not None:
                messages.success(request, _("Лид сконвертирован: сделка «%(title)s».")
                                 % {"title": deal.title})
                return redirect(f"/deals/{deal.pk}/")
        status = 400
    else:  # the first visit, or «Найти по ИНН»: the same page with what was typed kept
        initial = initial_for(lead, candidates, communications, inn=inn)
        form = ConvertForm(initial={**initial, **source.dict()}, **kwargs)
        status = 200
    return render(request, "web/leads/convert.html",
                  {"lead": lead, "form": form, "candidates": candidates}, status=status)
