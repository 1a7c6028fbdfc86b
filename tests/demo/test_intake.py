"""The demo's requests arrive through the intake: calls, e-mails, forms, their events and SLA."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from tests.demo.conftest import NOW
from voronka.crm.models import (
    UTM_FIELDS,
    Call,
    Communication,
    EventKind,
    Lead,
    Task,
    TaskKind,
    TimelineEvent,
)
from voronka.demo.catalog import LINES, SLA_MINUTES
from voronka.demo.inbound import CONNECTION, UNKNOWN_CONNECTION
from voronka.intake.models import (
    EventState,
    InboundEvent,
    IntakeSettings,
    SlaRule,
    TelephonyConnection,
    TrackedNumber,
)
from voronka.intake.selectors import leads_overdue

WEB_SOURCES = {"SITE", "YANDEX_DIRECT", "SEO", "SOCIAL"}  # DIRECT: visits without tags
# Leads the intake made (business-process copies are made by a manager, not by a request).
INTAKE_LEADS = ~Q(title__startswith="Повторный лид из сделки")


def test_configuration_is_set_up(demo):
    connection = TelephonyConnection.objects.get(slug=CONNECTION)
    assert connection.provider == "mango" and connection.api_key and connection.salt
    numbers = dict(TrackedNumber.objects.values_list("number", "source__code"))
    assert set(numbers) == set(LINES)
    assert all(n.startswith("+7495") for n in numbers)
    assert {"AVITO", "2GIS", "YANDEX_MAPS", "YULA", "SITE", "YANDEX_DIRECT"} <= set(numbers.values())
    assert TrackedNumber.objects.exclude(campaign="").exists()
    assert SlaRule.objects.get(source__code="AVITO").first_response_minutes == 10
    hours = IntakeSettings.load()
    assert (hours.working_days, hours.work_start, hours.work_end, hours.time_zone) == (
        [1, 2, 3, 4, 5], dt.time(9), dt.time(18), "Europe/Moscow")
    assert hours.first_response_minutes == 15


def test_calls_have_a_missed_share_in_range_and_call_backs(demo):
    calls = Call.objects.all()
    assert calls.count() > 100
    missed = calls.filter(is_missed=True)
    assert 0.15 <= missed.count() / calls.count() <= 0.35
    assert set(calls.values_list("provider", "direction", "is_finished").distinct()) == {
        ("mango", "in", True)}
    assert calls.values("external_id").distinct().count() == calls.count()
    for call in calls.select_related("answered_by"):
        assert call.started_at <= call.ended_at <= NOW
        if call.is_missed:
            assert call.result == "missed" and call.answered_by_id is None
            assert call.answered_at is None and call.talk_seconds == 0
        else:
            assert call.result == "answered" and call.answered_by.extension == call.extension
            assert call.started_at < call.answered_at <= call.ended_at
            assert call.talk_seconds == int((call.ended_at - call.answered_at).total_seconds())
        if call.recording_url:
            assert call.recording_url.startswith("https://records.example/")
            call.full_clean()
    assert calls.exclude(recording_url="").exists()
    tasks = Task.objects.filter(kind=TaskKind.CALL_BACK).select_related("call", "lead")
    assert tasks.count() == missed.count()
    assert set(tasks.values_list("call", flat=True)) == set(missed.values_list("pk", flat=True))
    for task in tasks:
        call = task.call
        assert task.title.startswith("Перезвонить: пропущенный звонок +7 ")
        assert task.deadline == call.ended_at + dt.timedelta(minutes=15)
        assert (task.lead_id, task.deal_id) == (call.lead_id, call.deal_id)
        owner = task.lead.responsible_id if task.lead_id else task.deal.responsible_id
        assert task.responsible_id == owner
        assert task.done_at is None or call.ended_at < task.done_at <= NOW
    assert tasks.filter(done_at__isnull=False).exists()
    recent_open = tasks.filter(done_at__isnull=True)
    assert not recent_open.filter(call__started_at__lt=NOW - dt.timedelta(days=30)).exists()


def test_every_call_lead_came_to_a_line_of_its_source(demo):
    created = Call.objects.filter(created_lead=True).select_related("lead__source")
    assert created.exists()
    lines = dict(TrackedNumber.objects.values_list("number", "source_id"))
    for call in created:
        lead = call.lead
        assert lines[call.line_number] == lead.source_id, call.line_number
        assert lead.tracked_number == call.line_number
        assert Communication.objects.filter(lead=lead, normalized=call.client_number).exists()
        assert lead.created_at == call.started_at
    # Every lead that came by phone has its call.
    by_phone = Lead.objects.filter(INTAKE_LEADS, title__contains="звонок +7")
    assert not by_phone.filter(calls__isnull=True).exists()


def test_call_events_point_at_their_calls(demo):
    events = TimelineEvent.objects.filter(kind=EventKind.CALL).select_related("call")
    assert events.count() == Call.objects.count()
    outcomes = set()
    for event in events:
        call = event.call
        assert set(event.payload) == {"direction", "client_number", "line_number", "provider",
                                      "outcome"}
        assert event.payload["client_number"] == call.client_number
        assert event.payload["line_number"] == call.line_number
        assert (event.lead_id, event.deal_id) == (call.lead_id, call.deal_id)
        assert event.created_at == call.started_at
        outcomes.add(event.payload["outcome"])
        assert call.created_lead == (event.payload["outcome"] in ("new_lead", "repeat_lead"))
    assert {"new_lead", "repeat_lead", "on_open_deal"} <= outcomes


def test_forms_carry_utm_and_e_mails_their_letter(demo):
    forms = TimelineEvent.objects.filter(kind=EventKind.FORM).select_related("lead__source")
    assert forms.exists()
    for event in forms:
        payload = event.payload
        assert {"form", "fields", "utm", "landing_page", "outcome"} <= set(payload)
        assert payload["outcome"] in ("new_lead", "repeat_lead")
        lead = event.lead
        assert payload["utm"] == {k: getattr(lead, k) for k in UTM_FIELDS if getattr(lead, k)}
        if lead.source.code in WEB_SOURCES:
            assert payload["utm"]["utm_source"] == lead.utm_source != ""
            assert payload["landing_page"].startswith("https://")
        assert {f["name"] for f in payload["fields"]} >= {"name", "phone", "comment"}
    emails = TimelineEvent.objects.filter(kind=EventKind.EMAIL).select_related("lead")
    assert emails.exists()
    for event in emails:
        assert {"subject", "from", "mailbox", "outcome"} <= set(event.payload)
        assert "@" in event.payload["from"] and event.text == event.lead.comments != ""


def test_leads_are_assigned_with_a_reason(demo):
    assigned = TimelineEvent.objects.filter(kind=EventKind.ASSIGNED)
    reasons = {e.payload["reason"] for e in assigned}
    assert reasons == {"answered", "round_robin", "client_owner"}
    intake = Lead.objects.filter(INTAKE_LEADS).annotate(
        n=Count("events", filter=Q(events__kind=EventKind.ASSIGNED)))
    assert not intake.exclude(n=1).exists()
    for event in assigned.select_related("lead"):
        assert event.payload["to"]["id"] == event.lead.responsible_id
        assert event.payload["reason_text"]
        if event.payload["reason"] == "answered":
            assert event.lead.calls.filter(answered_by=event.lead.responsible_id).exists()
        if event.payload["reason"] == "client_owner":
            assert event.lead.is_repeat


def test_recent_requests_have_their_inbound_events(demo):
    processed = InboundEvent.objects.filter(state=EventState.PROCESSED)
    assert not processed.filter(received_at__lt=NOW - dt.timedelta(days=30, minutes=5)).exists()
    assert {"call", "email", "form"} <= set(processed.values_list("channel", flat=True))
    assert not processed.filter(lead__isnull=True, deal__isnull=True).exists()
    first = processed.filter(kind="call", idempotency_key__endswith=":1")
    assert first.exists() and not first.filter(outcome="").exists()
    for event in first[:50]:
        entry, call_id = event.payload["entry_id"], event.payload["call_id"]
        assert event.idempotency_key == f"call:{entry}:{call_id}:1"
        assert Call.objects.filter(external_id=entry, lead=event.lead_id).exists()
        assert event.payload["from"]["number"].startswith("7")
    recent_calls = Call.objects.filter(started_at__gte=NOW - dt.timedelta(days=30))
    assert processed.filter(kind="summary").count() == recent_calls.count()


def test_failed_events_are_there_for_retry(demo):
    failed = InboundEvent.objects.filter(state=EventState.FAILED)
    assert 3 <= failed.count() <= 10
    assert failed.filter(connection=UNKNOWN_CONNECTION, error__startswith="DoesNotExist: "
                         "TelephonyConnection matching query does not exist.").exists()
    assert not failed.filter(error="").exists()
    assert not failed.filter(received_at__gt=NOW).exists()


def test_retry_processes_the_retryable_failed_events(demo):
    import voronka.intake.handlers  # noqa: F401  (registers the MANGO handler)
    from voronka.intake.services.events import events_retry

    leads = Lead.objects.count()
    results = {e.pk: e for e in events_retry(failed=True)}
    processed = [e for e in results.values() if e.state == EventState.PROCESSED]
    assert processed and all(e.connection == CONNECTION for e in processed)
    assert Lead.objects.count() == leads + len(processed)
    still = [e for e in results.values() if e.state == EventState.FAILED]
    assert {e.connection for e in still if e.kind == "call"} == {UNKNOWN_CONNECTION}


def test_sla_deadlines_and_first_reactions_agree(demo):
    intake = Lead.objects.filter(INTAKE_LEADS).select_related("source")
    assert not intake.filter(sla_deadline__isnull=True).exists()
    handled = late = 0
    for lead in intake:
        minutes = SLA_MINUTES.get(lead.source.code, 15)
        assert lead.sla_deadline >= lead.created_at + dt.timedelta(minutes=minutes)
        if lead.first_handled_at is not None:
            assert lead.first_handled_at > lead.created_at
            handled += 1
            late += lead.first_handled_at > lead.sla_deadline
    assert 0.05 <= late / handled <= 0.25
    overdue = leads_overdue(NOW)
    assert overdue.exists()
    assert overdue.filter(created_at__gte=NOW - dt.timedelta(days=30)).exists()


def test_reset_clears_intake_rows_and_keeps_configuration(demo, run_demo):
    config = (TelephonyConnection.objects.count(), TrackedNumber.objects.count(),
              SlaRule.objects.count(), IntakeSettings.objects.count())
    old_calls = set(Call.objects.values_list("pk", flat=True))
    old_events = set(InboundEvent.objects.values_list("pk", flat=True))
    old_tasks = set(Task.objects.values_list("pk", flat=True))
    run_demo("--reset", "--leads", "150", "--seed", "7")
    assert not Call.objects.filter(pk__in=old_calls).exists()
    assert not InboundEvent.objects.filter(pk__in=old_events).exists()
    assert not Task.objects.filter(pk__in=old_tasks).exists()
    assert (TelephonyConnection.objects.count(), TrackedNumber.objects.count(),
            SlaRule.objects.count(), IntakeSettings.objects.count()) == config
    assert Call.objects.exists() and InboundEvent.objects.filter(state="failed").exists()


def test_the_site_form_is_there_and_takes_a_request(demo, client):
    """The demo's «Заявка на пропуск» is a working form: its page renders its fields."""
    from voronka.webforms.models import WebForm

    form = WebForm.objects.get(slug="propusk")
    assert form.source.code == "SITE" and form.is_active
    assert list(form.fields.values_list("name", flat=True)) == [
        "name", "phone", "email", "pass_zone", "car"]
    html = client.get("/forms/propusk/").content.decode()
    assert "Зона пропуска" in html and "ТТК" in html
