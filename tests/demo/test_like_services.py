"""The demo writes rows in bulk, past the services; here we check they look the same.

Events and communications made by the real services on a few items are the reference:
the demo's events of each kind must have the same payload keys, value shapes and owners,
and its communications the normalised values and types `communication_build` gives.
"""

from __future__ import annotations

from typing import Any

import pytest

from voronka.crm.models import (
    CloseReason,
    Communication,
    CommunicationKind,
    CommunicationType,
    EventKind,
    LeadStatus,
    Stage,
    TimelineEvent,
)
from voronka.crm.normalization import phone_format
from voronka.crm.services.communications import CommunicationInput, communication_build
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close, deal_move
from voronka.crm.services.leads import comment_add, lead_change_status, lead_close_as_junk

SERVICE_KINDS = (EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.CLOSED,
                 EventKind.CONVERTED, EventKind.STAGE_CHANGED, EventKind.COMMENT)


def _shape(value: Any) -> str:
    if value is None or (isinstance(value, dict) and set(value) == {"id", "name"}):
        return "ref"  # a row, or no row where the service allows none (company, reason)
    return type(value).__name__


def _signature(event: TimelineEvent) -> tuple:
    owner = "lead" if event.lead_id else "deal"
    return (event.kind, owner, event.deal_id is not None, event.contact_id is not None,
            tuple(sorted((k, _shape(v)) for k, v in event.payload.items())))


@pytest.fixture
def service_signatures(make_lead, manager, junk_reason, main_pipeline) -> set[tuple]:
    """Signatures of events written by the services for every path the demo imitates."""
    in_process = LeadStatus.objects.get(code="IN_PROCESS")
    stage = Stage.objects.get(pipeline=main_pipeline, code="PREPARATION")
    loss = CloseReason.objects.get(entity="deal", code="PRICE")
    person = make_lead()
    lead_change_status(lead=person, status=in_process, acting_user=manager)
    comment_add(text="Перезвонить", lead=person, acting_user=manager)
    won = lead_convert(lead=person, acting_user=manager, amount=10000).deal
    deal_move(deal=won, stage=stage, acting_user=manager)
    comment_add(text="Ждём оплату", deal=won, acting_user=manager)
    deal_close(deal=won, won=True, acting_user=manager)
    firm = make_lead(phones=("+7 495 123-45-67",), company_title="ООО «Тест»")
    lost = lead_convert(lead=firm, acting_user=manager, legal_entity=True, amount=5000).deal
    deal_close(deal=lost, won=False, reason=loss, acting_user=manager)
    make_lead(contact=won.contact, is_repeat=True)  # a returning client
    junk = make_lead(phones=("8 900 765-43-21",))
    lead_close_as_junk(lead=junk, reason=junk_reason, comment="Спам", acting_user=manager)
    signatures = {_signature(e) for e in TimelineEvent.objects.all()}
    TimelineEvent.objects.all().delete()
    return signatures


def test_events_have_the_payloads_and_owners_the_services_write(service_signatures, run_demo):
    run_demo("--leads", "300", "--seed", "3")
    demo_signatures = {_signature(e) for e in TimelineEvent.objects.filter(kind__in=SERVICE_KINDS)}
    assert demo_signatures - service_signatures == set()
    kinds = {s[0] for s in demo_signatures}
    assert kinds == set(SERVICE_KINDS)


def test_payload_values_render_rows_as_the_services_do(run_demo):
    run_demo("--leads", "200", "--seed", "3")
    converted = TimelineEvent.objects.filter(kind=EventKind.CONVERTED).select_related(
        "lead__status", "deal").first()
    assert converted.payload["to"] == {"id": converted.lead.status.pk, "name": "Сконвертирован"}
    assert converted.payload["deal"] == {"id": converted.deal.pk, "name": converted.deal.title}
    created = TimelineEvent.objects.filter(kind=EventKind.CREATED, deal__isnull=False).first()
    assert created.payload["amount"] == str(created.deal.amount)
    assert created.payload["stage"]["name"] == "Главное: Новая"
    closed = TimelineEvent.objects.filter(kind=EventKind.CLOSED, deal__isnull=False).first()
    assert closed.payload["closed_on"] == closed.deal.closed_on.isoformat()


def test_communications_are_normalised_and_typed_like_the_services(run_demo):
    run_demo("--leads", "400", "--seed", "3")
    comms = list(Communication.objects.all())
    assert {c.kind for c in comms} == {CommunicationKind.PHONE, CommunicationKind.EMAIL}
    for comm in comms:
        built = communication_build(CommunicationInput(comm.kind, comm.value))
        assert (comm.normalized, comm.extension, comm.value_type) == (
            built.normalized, built.extension, built.value_type), comm.value
        if comm.kind == CommunicationKind.PHONE:
            assert comm.normalized.startswith("+7") and len(comm.normalized) == 12
    types = {(c.kind, c.value_type) for c in comms}
    assert {(CommunicationKind.PHONE, CommunicationType.MOBILE),
            (CommunicationKind.PHONE, CommunicationType.WORK)} <= types
    assert any(c.extension for c in comms if c.kind == CommunicationKind.PHONE)


def test_conversion_puts_work_values_on_the_company_and_the_rest_on_the_person(run_demo):
    run_demo("--leads", "600", "--seed", "3")
    on_company = Communication.objects.filter(company__isnull=False)
    assert on_company.exists()
    assert set(on_company.values_list("value_type", flat=True)) == {CommunicationType.WORK}
    legal_contacts = Communication.objects.filter(contact__company__isnull=False)
    assert CommunicationType.WORK not in set(legal_contacts.values_list("value_type", flat=True))
    # A client's values are copies of its first lead's: nothing is invented on conversion.
    lead_values = set(Communication.objects.filter(lead__isnull=False)
                      .values_list("normalized", flat=True))
    client_values = set(Communication.objects.filter(lead__isnull=True)
                        .values_list("normalized", flat=True))
    assert client_values <= lead_values


def test_call_titles_show_the_phone_as_phone_format_does(run_demo):
    run_demo("--leads", "200", "--seed", "3")
    calls = Communication.objects.filter(lead__title__startswith="Входящий звонок",
                                         kind=CommunicationKind.PHONE).select_related("lead")
    assert calls.exists()
    for comm in calls:
        assert comm.lead.title == f"Входящий звонок {phone_format(comm.normalized)}"
