"""Identification, routing and assignment, through `inbound_request_accept`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from voronka.accounts.models import Role
from voronka.crm.models import Lead
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close
from voronka.crm.services.leads import comment_add
from voronka.intake.models import IntakeSettings
from voronka.intake.request import InboundRequest
from voronka.intake.selectors import leads_overdue
from voronka.intake.services.routing import Outcome, inbound_request_accept

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def around_the_clock(db):
    # Working hours every day, all day, so round robin runs whenever the test does.
    IntakeSettings.objects.update_or_create(pk=1, defaults={
        "working_days": [1, 2, 3, 4, 5, 6, 7], "work_start": dt.time(0, 0),
        "work_end": dt.time(23, 59)})


def request(phone="+79001234567", **extra) -> InboundRequest:
    return InboundRequest(channel="api", occurred_at=timezone.now(), phones=[phone], **extra)


def test_unknown_requester_gets_new_lead_with_sla(manager):
    result = inbound_request_accept(request(name="Иван"))
    assert result.outcome == Outcome.NEW_LEAD
    lead = result.lead
    assert lead.responsible == manager and lead.sla_deadline > lead.created_at
    assignment = lead.events.get(kind="assigned")
    assert assignment.payload["reason"] == "round_robin"


def test_open_lead_gets_the_activity(manager):
    first = inbound_request_accept(request()).lead
    second = inbound_request_accept(request(phone="8 (900) 123-45-67"))
    assert second.outcome == Outcome.ON_OPEN_LEAD and second.lead == first
    assert Lead.objects.count() == 1


def test_open_deal_gets_the_activity(manager):
    lead = inbound_request_accept(request()).lead
    deal = lead_convert(lead=lead, amount=1000, acting_user=manager).deal
    result = inbound_request_accept(request())
    assert result.outcome == Outcome.ON_OPEN_DEAL and result.deal == deal


def test_known_client_with_nothing_open_gets_repeat_lead_to_its_owner(manager, make_user):
    lead = inbound_request_accept(request()).lead
    converted = lead_convert(lead=lead, amount=1000, acting_user=manager)
    deal_close(deal=converted.deal, won=True, acting_user=manager)
    make_user("second_manager")  # round robin would now pick someone else
    result = inbound_request_accept(request())
    assert result.outcome == Outcome.REPEAT_LEAD
    repeat = result.lead
    assert repeat.is_repeat and repeat.contact == converted.contact
    assert repeat.responsible == manager
    assert repeat.events.get(kind="assigned").payload["reason"] == "client_owner"


def test_repeat_leads_off_puts_activity_on_the_client(manager):
    lead = inbound_request_accept(request()).lead
    converted = lead_convert(lead=lead, amount=1000, acting_user=manager)
    deal_close(deal=converted.deal, won=True, acting_user=manager)
    IntakeSettings.objects.update(repeat_lead_for_known_client=False)
    result = inbound_request_accept(request())
    assert result.outcome == Outcome.ON_CLIENT and result.contact == converted.contact
    assert converted.contact.events.filter(kind="system").exists()


def test_open_lead_rule_off_makes_a_second_lead(manager):
    IntakeSettings.objects.update(activity_on_open_lead=False)
    inbound_request_accept(request())
    assert inbound_request_accept(request()).outcome == Outcome.NEW_LEAD


def test_round_robin_takes_turns_and_skips_absent_managers(make_user):
    a, b, c = make_user("a"), make_user("b"), make_user("c")
    c.absent_until = timezone.now() + dt.timedelta(days=3)
    c.save()
    owners = [inbound_request_accept(request(phone=f"+7900000000{i}")).lead.responsible
              for i in range(4)]
    assert owners == [a, b, a, b]


def test_nobody_on_duty_goes_to_the_default(make_user):
    head = make_user("boss", Role.HEAD)
    IntakeSettings.objects.update(default_responsible=head)
    lead = inbound_request_accept(request()).lead
    assert lead.responsible == head
    assert lead.events.get(kind="assigned").payload["reason"] == "default"


def test_answerer_comes_first(manager, make_user):
    answerer = make_user("answerer")
    lead = inbound_request_accept(request(answered_by=answerer)).lead
    assert lead.responsible == answerer


def test_overdue_selector_lists_unhandled_leads_past_deadline(manager):
    lead = inbound_request_accept(request()).lead
    later = lead.sla_deadline + dt.timedelta(minutes=1)
    assert list(leads_overdue(later)) == [lead]
    comment_add(lead=lead, text="Перезвонил", acting_user=manager)
    assert list(leads_overdue(later)) == []


def test_tracking_junk_never_fails_a_request(manager):
    lead = inbound_request_accept(request(landing_page="not a url", referrer="javascript:alert(1)",
                                          utm={"utm_source": "yandex", "bogus": "x"})).lead
    assert lead.landing_page == "" and lead.referrer == "" and lead.utm_source == "yandex"
