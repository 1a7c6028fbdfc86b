"""Simple mode (leads off, docs/decisions/0009-simple-mode.md): every new request becomes a
converted lead + contact + deal at the first stage of the default pipeline, keeping its source;
known clients are routed as before; the workspace and the lead reports keep working."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from voronka.accounts.services import api_token_create
from voronka.analytics.periods import period_preset
from voronka.analytics.reports import report_run
from voronka.crm.models import (
    Contact,
    CrmSettings,
    CustomFieldDefinition,
    Deal,
    EventKind,
    Lead,
    Source,
    TimelineEvent,
)
from voronka.crm.services.deals import deal_close
from voronka.intake.models import IntakeSettings
from voronka.intake.request import InboundRequest
from voronka.intake.services.routing import Outcome, inbound_request_accept
from voronka.webforms.models import FormField, WebForm
from voronka.webforms.security import started_token

PHONE = "+7 900 555-11-22"


@pytest.fixture(autouse=True)
def around_the_clock(db):
    IntakeSettings.objects.update_or_create(pk=1, defaults={
        "working_days": [1, 2, 3, 4, 5, 6, 7], "work_start": dt.time(0, 0), "work_end": dt.time(23, 59)})
    cache.clear()  # the web form's rate limiter counts in the cache


@pytest.fixture
def simple_mode(db) -> CrmSettings:
    settings = CrmSettings.load()
    settings.simple_mode, settings.minimum_amount = True, Decimal("500")
    settings.save()
    return settings


@pytest.fixture
def webform(db) -> WebForm:
    form = WebForm.objects.create(slug="zayavka", name="Заявка", source=Source.objects.get(code="SITE"))
    FormField.objects.create(form=form, name="name", label="Имя", field_type="text", required=True,
                             maps_to="name", sort=1)
    FormField.objects.create(form=form, name="phone", label="Телефон", field_type="phone",
                             required=True, sort=2)
    return form


def form_post(client, **extra):
    data = {"name": "Иван", "phone": PHONE, "consent": "1",
            "_ts": started_token("zayavka", at=time.time() - 10), **extra}
    return client.post("/forms/zayavka/", data=urlencode(data),
                       content_type="application/x-www-form-urlencoded")


def api_request(**extra) -> InboundRequest:
    return InboundRequest(channel="api", occurred_at=timezone.now(), phones=[PHONE], **extra)


def test_a_form_submission_becomes_a_converted_lead_contact_and_deal(client, simple_mode, webform,
                                                                     manager):
    assert form_post(client, utm_source="yandex", utm_campaign="vesna").status_code == 200
    lead = Lead.objects.get()
    deal = Deal.objects.get()
    assert lead.status.code == "CONVERTED" and deal.lead == lead
    assert deal.pipeline.is_default and deal.stage == deal.pipeline.first_stage()
    assert deal.amount == Decimal("500.00")  # nobody named one: the company minimum
    assert deal.source.code == lead.source.code == "SITE"
    assert (deal.utm_source, deal.utm_campaign) == ("yandex", "vesna")
    assert deal.responsible == manager and deal.contact.name == "Иван"
    assert deal.contact.communications.get().normalized == "+79005551122"
    assert TimelineEvent.objects.filter(deal=deal, kind=EventKind.FORM).exists()  # the request itself


def test_an_api_lead_comes_back_converted_with_its_deal(simple_mode, manager):
    _token, raw = api_token_create(user=manager)
    response = Client().post("/api/v1/leads", data={"phones": [PHONE], "name": "Пётр", "source": "AVITO"},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201, response.content
    body = response.json()
    deal = Deal.objects.get()
    assert body["status"]["code"] == "CONVERTED" and body["deal_ids"] == [deal.pk]
    assert deal.source.code == "AVITO" and deal.contact.name == "Пётр"


def test_a_known_clients_next_requests_follow_the_routing_rules(simple_mode, manager):
    first = inbound_request_accept(api_request(name="Иван"))
    assert first.outcome == Outcome.NEW_LEAD and first.deal is not None
    again = inbound_request_accept(api_request())  # the deal is open: the activity goes there
    assert again.outcome == Outcome.ON_OPEN_DEAL and again.deal == first.deal
    assert Lead.objects.count() == Deal.objects.count() == 1

    deal_close(deal=first.deal, won=True, acting_user=manager)
    repeat = inbound_request_accept(api_request())  # nothing open: a repeat lead, as a deal too
    assert repeat.outcome == Outcome.REPEAT_LEAD and repeat.lead.is_repeat
    assert repeat.lead.status.code == "CONVERTED" and repeat.deal.contact == first.contact
    assert repeat.deal.is_repeat and Deal.objects.count() == 2


def test_off_by_default_a_request_stays_a_lead(db, manager):
    result = inbound_request_accept(api_request())
    assert result.lead.status.code == "NEW" and result.deal is None and not Deal.objects.exists()


def test_a_refused_conversion_keeps_the_request_as_an_open_lead(simple_mode, manager):
    # A deal field the request cannot fill: the deal rules refuse the conversion.
    CustomFieldDefinition.objects.create(entity="deal", code="UF_CRM_CONTRACT", label="Номер договора",
                                         field_type="string", required=True)
    result = inbound_request_accept(api_request())
    assert result.outcome == Outcome.NEW_LEAD and result.deal is None
    assert result.lead.status.code == "NEW" and not Deal.objects.exists()
    assert not Contact.objects.exists()  # the refused conversion left nothing half-made
    note = TimelineEvent.objects.get(lead=result.lead, kind=EventKind.SYSTEM, text__startswith="Простой")
    assert "Номер договора" in note.text


def test_the_lead_reports_still_count_simple_mode_requests(client, simple_mode, webform, head):
    form_post(client)
    inbound_request_accept(InboundRequest(channel="api", occurred_at=timezone.now(),
                                          phones=["+7 900 000-00-01"], source_code="AVITO"))
    rows = {row["source"]: row for row in report_run("leads-by-source", period=period_preset("today"),
                                                     user=head).rows}
    assert rows["SITE"]["leads"] == rows["SITE"]["converted_leads"] == 1
    assert rows["AVITO"]["leads"] == rows["AVITO"]["converted_leads"] == 1
    channels = {row["source"]: row for row in report_run("channels", period=period_preset("today"),
                                                         user=head).rows}
    assert channels["SITE"]["deals"] == channels["AVITO"]["deals"] == 1


def client_for(user) -> Client:
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in


def _nav(html: str) -> str:
    return re.search(r'<nav id="mainnav".*?</nav>', html, re.S).group(0)


def test_the_workspace_hides_leads_and_shows_the_deal(client, simple_mode, webform, manager,
                                                     admin_user):
    form_post(client)
    desk = client_for(manager)
    board = desk.get("/deals/")
    assert board.status_code == 200 and "Иван" in board.content.decode()
    assert 'href="/leads/"' not in _nav(board.content.decode())
    assert 'href="/deals/"' in _nav(board.content.decode())
    home = desk.get("/").content.decode()
    assert "Мои сделки" in home and "Мои открытые лиды" not in home

    admin = client_for(admin_user)
    saved = admin.post("/settings/deal-rules/", {"amount_required": "on", "minimum_amount": "500",
                                                  "zero_becomes_one": "on"})  # simple mode unticked
    assert saved.status_code == 302 and not CrmSettings.load().simple_mode
    assert 'href="/leads/"' in _nav(desk.get("/deals/").content.decode())
    admin.post("/settings/deal-rules/", {"amount_required": "on", "minimum_amount": "500",
                                         "zero_becomes_one": "on", "simple_mode": "on"})
    assert CrmSettings.load().simple_mode
