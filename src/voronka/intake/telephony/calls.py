"""Building a Call from a PBX's events, in whatever order they arrive.

Every provider's event is turned into a CallFact. Facts accumulate on one Call row (keyed
by the provider's call id): the earliest start, the first answer, the end, the summary.
Nothing depends on arrival order, so a late "Connected" after a "Disconnected" still marks
the call answered, and a missed-call task made too early is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.models import User
from voronka.core.batch_cache import cached
from voronka.crm.models import Call, CallDirection, EventKind, Task, TaskKind
from voronka.crm.normalization import phone_format, phone_normalize
from voronka.crm.services.leads import lead_assign
from voronka.intake.models import Channel, InboundEvent, TelephonyConnection
from voronka.intake.request import InboundRequest
from voronka.intake.services.events import event_handler
from voronka.intake.services.routing import (
    Outcome,
    RoutingResult,
    identities_lock,
    inbound_request_accept,
)

CALL_BACK_MINUTES = 15


@dataclass
class CallFact:
    external_id: str
    kind: str  # appeared | connected | disconnected | summary | recording
    at: dt.datetime
    direction: str = CallDirection.INCOMING
    client_number: str = ""
    line_number: str = ""
    extension: str = ""
    answered: bool | None = None  # the summary's verdict
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    talk_seconds: int | None = None
    disconnect_reason: str = ""
    recording_ref: str = ""
    recording_url: str = ""


@dataclass
class CallResult:
    """What process_event records on the event: ids only, so nothing is fetched for it."""

    call: Call
    outcome: str

    @property
    def lead_id(self) -> int | None:
        return self.call.lead_id

    @property
    def deal_id(self) -> int | None:
        return self.call.deal_id


def user_by_extension(extension: str) -> User | None:
    if not extension:
        return None
    return cached(("extension", str(extension)), lambda: User.objects.filter(
        extension=str(extension), is_active=True).first(), settled=True)


def connection_for(provider: str, slug: str) -> TelephonyConnection:
    return cached(("connection", provider, slug), lambda: TelephonyConnection.objects.get(
        provider=provider, slug=slug), settled=True)


def _route_new_call(call: Call, fact: CallFact, connection: TelephonyConnection) -> RoutingResult:
    incoming = call.direction == CallDirection.INCOMING
    formatted = phone_format(call.client_number) if call.client_number else _("скрытый номер")
    request = InboundRequest(
        channel=Channel.CALL, occurred_at=call.started_at,
        phones=[call.client_number] if call.client_number else [],
        title=_("Входящий звонок %(n)s") % {"n": formatted} if incoming else "",
        tracked_number=call.line_number if incoming else "",
        answered_by=call.answered_by,
        creates_leads=incoming and connection.create_leads and bool(call.client_number),
        repeat_lead_allowed=not connection.only_unknown_numbers,
        set_source_from_number=connection.set_source,
        activity_kind=EventKind.CALL,
        activity_payload={"direction": call.direction, "client_number": call.client_number,
                          "line_number": call.line_number, "provider": call.provider},
        call=call,
    )
    return inbound_request_accept(request)


def _call_back_task_sync(call: Call, *, was_missed: bool) -> None:
    """A missed incoming call gets one "call back" task for whoever owns the lead or deal."""
    auto_task = Task.objects.filter(call=call, kind=TaskKind.CALL_BACK)
    if not (call.is_finished and call.is_missed and call.direction == CallDirection.INCOMING):
        if was_missed and call.result == "answered":  # it looked missed: withdraw that task
            auto_task.filter(done_at__isnull=True).delete()
        return
    if auto_task.exists():
        return
    owner = (call.lead.responsible if call.lead else None) or (
        call.deal.responsible if call.deal else None) or (
        call.contact.responsible if call.contact else None)
    Task.objects.create(
        kind=TaskKind.CALL_BACK, call=call, responsible=owner, lead=call.lead, deal=call.deal,
        contact=call.contact, company=call.company,
        title=_("Перезвонить: пропущенный звонок %(n)s") % {
            "n": phone_format(call.client_number) if call.client_number else "—"},
        deadline=(call.ended_at or timezone.now()) + dt.timedelta(minutes=CALL_BACK_MINUTES),
    )


def _apply(call: Call, fact: CallFact) -> None:
    call.started_at = min(call.started_at, fact.at) if fact.kind != "recording" else call.started_at
    if fact.kind == "connected":
        if call.answered_at is None or fact.at < call.answered_at:
            call.answered_at = fact.at
        user = user_by_extension(fact.extension)
        if user is not None and call.answered_by_id is None:
            call.answered_by, call.extension = user, fact.extension
    elif fact.kind == "disconnected":
        call.is_finished = True
        call.ended_at = max(call.ended_at or fact.at, fact.at)
        if fact.disconnect_reason:
            call.disconnect_reason = fact.disconnect_reason
    elif fact.kind == "summary":
        call.is_finished = True
        call.ended_at = fact.ended_at or call.ended_at or fact.at
        if fact.answered_at:
            call.answered_at = fact.answered_at
        if fact.talk_seconds is not None:
            call.talk_seconds = fact.talk_seconds
        if fact.disconnect_reason:
            call.disconnect_reason = fact.disconnect_reason
        if fact.extension and call.answered_by_id is None:
            user = user_by_extension(fact.extension)
            if user is not None:
                call.answered_by, call.extension = user, fact.extension
    elif fact.kind == "recording":
        call.recording_ref = fact.recording_ref or call.recording_ref
        call.recording_url = fact.recording_url or call.recording_url
    if fact.answered is not None:
        call.result = "answered" if fact.answered else "missed"
    elif call.is_finished and not call.result:
        call.result = "answered" if call.answered_at else "missed"
    if call.answered_at and call.result == "missed" and fact.answered is None:
        call.result = "answered"
    call.is_missed = call.is_finished and call.result == "missed"
    if call.answered_at and call.ended_at and not call.talk_seconds:
        call.talk_seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))


def _hand_to_answerer(call: Call) -> None:
    """The lead this call created goes to whoever took the call (assignment rule 1)."""
    if not (call.created_lead and call.lead_id and call.answered_by_id):
        return
    if call.lead.responsible_id == call.answered_by_id:  # routed to the answerer already
        return
    lead_assign(lead=call.lead, responsible=call.answered_by, reason="answered",
                reason_text=_("ответил на звонок"))


def _call_locked(provider: str, external_id: str) -> Call | None:
    """The call with this provider id, row-locked where the database locks rows.

    Plain SQL on the unique key: this runs for every call event of a burst, and building
    the ORM's query costs several times what the indexed read itself does.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    found = list(Call.objects.raw(
        f"SELECT * FROM {connection.ops.quote_name(Call._meta.db_table)} "
        f"WHERE provider = %s AND external_id = %s{lock}", [provider, external_id]))
    return found[0] if found else None


def call_facts_apply(facts: list[CallFact], *, provider: str,
                     connection: TelephonyConnection) -> tuple[Call, str]:
    """Record facts about one call (one external id); the call's first facts route it.

    Returns the call and the outcome: the routing's when these facts created the call,
    else "call_updated". Facts may come one per event or several at once (a burst's events
    of one call, processed together); the result is the same, because no fact depends on
    the order. Runs inside the caller's transaction (process_event's).
    """
    external_id = facts[0].external_id
    client = next((number for number in (phone_normalize(fact.client_number) for fact in facts)
                   if number), "")
    line = next((fact.line_number for fact in facts if fact.line_number), "")
    keys = [f"call:{provider}:{external_id}"]
    if client:
        keys.append(f"phone:{client}")
    identities_lock(sorted(keys))
    call = _call_locked(provider, external_id)
    if call is not None:
        # Most facts only add times to a known call; the lead hand-over and the call-back
        # task are revisited only when these facts changed who answered or whether it was missed.
        answerer_before, was_missed = call.answered_by_id, call.is_missed
        if not call.client_number and client:
            call.client_number = client
        if not call.line_number and line:
            call.line_number = phone_normalize(line) or ""
        for fact in facts:
            _apply(call, fact)
        call.save()
        if call.answered_by_id != answerer_before:
            _hand_to_answerer(call)
        if call.is_missed or was_missed:
            _call_back_task_sync(call, was_missed=was_missed)
        return call, "call_updated"
    first = facts[0]
    call = Call(provider=provider, external_id=external_id, direction=first.direction,
                client_number=client, line_number=phone_normalize(line) or "",
                started_at=first.at)
    for fact in facts:
        _apply(call, fact)
    call.save()
    routed = _route_new_call(call, first, connection)
    call.lead, call.deal = routed.lead, routed.deal
    call.contact, call.company = routed.contact, routed.company
    call.created_lead = routed.outcome in (Outcome.NEW_LEAD, Outcome.REPEAT_LEAD)
    call.save()
    if call.answered_by_id:
        _hand_to_answerer(call)
    _call_back_task_sync(call, was_missed=False)
    return call, routed.outcome


def call_fact_apply(fact: CallFact, *, provider: str,
                    connection: TelephonyConnection) -> CallResult:
    """Record one fact about a call (see call_facts_apply)."""
    call, outcome = call_facts_apply([fact], provider=provider, connection=connection)
    return CallResult(call=call, outcome=outcome)


def call_events_apply(events: list[InboundEvent], *, provider: str,
                      facts_of: Callable[[InboundEvent], list[CallFact]]) -> list[CallResult | None]:
    """Process several stored events of one connection at once, one pass per call.

    The events' facts are grouped by call, so the four events of a MANGO call (appeared,
    connected, disconnected, summary) lock, read and write their call once. Each event
    gets the result of its first fact: the routing outcome for the one that created the
    call, "call_updated" for the rest, None for an event with no facts.
    """
    connection = connection_for(provider, events[0].connection)
    per_call: dict[str, list[tuple[int, CallFact]]] = {}
    for index, event in enumerate(events):
        for fact in facts_of(event):
            per_call.setdefault(fact.external_id, []).append((index, fact))
    results: list[CallResult | None] = [None] * len(events)
    for items in per_call.values():
        call, outcome = call_facts_apply([fact for _index, fact in items], provider=provider,
                                         connection=connection)
        for position, (index, _fact) in enumerate(items):
            if results[index] is None:
                results[index] = CallResult(call=call,
                                            outcome=outcome if position == 0 else "call_updated")
    return results


def call_event_handlers(provider: str,
                        facts_of: Callable[[InboundEvent], list[CallFact]]) -> None:
    """Register a telephony provider: its events are turned into CallFacts by `facts_of`."""

    def one(event: InboundEvent) -> CallResult | None:
        return call_events_apply([event], provider=provider, facts_of=facts_of)[0]

    def many(events: list[InboundEvent]) -> list[CallResult | None]:
        return call_events_apply(events, provider=provider, facts_of=facts_of)

    event_handler(provider, group=many)(one)
