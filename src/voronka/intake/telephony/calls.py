"""Building a Call from a PBX's events, in whatever order they arrive.

Every provider's event is turned into a CallFact. Facts accumulate on one Call row (keyed
by the provider's call id): the earliest start, the first answer, the end, the summary.
Nothing depends on arrival order, so a late "Connected" after a "Disconnected" still marks
the call answered, and a missed-call task made too early is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.models import User
from voronka.core.batch_cache import cached
from voronka.crm.models import Call, CallDirection, EventKind, Task, TaskKind
from voronka.crm.normalization import phone_format, phone_normalize
from voronka.crm.services.leads import lead_assign
from voronka.intake.models import Channel, TelephonyConnection
from voronka.intake.request import InboundRequest
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
        extension=str(extension), is_active=True).first())


def connection_for(provider: str, slug: str) -> TelephonyConnection:
    return cached(("connection", provider, slug), lambda: TelephonyConnection.objects.get(
        provider=provider, slug=slug))


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
    lead_assign(lead=call.lead, responsible=call.answered_by, reason="answered",
                reason_text=_("ответил на звонок"))


def call_fact_apply(fact: CallFact, *, provider: str,
                    connection: TelephonyConnection) -> CallResult:
    """Record one fact about a call; the first fact of a call routes it (lead/activity).

    Runs inside the caller's transaction (process_event's).
    """
    client = phone_normalize(fact.client_number) or ""
    keys = [f"call:{provider}:{fact.external_id}"]
    if client:
        keys.append(f"phone:{client}")
    identities_lock(sorted(keys))
    call = Call.objects.select_for_update().filter(provider=provider,
                                                   external_id=fact.external_id).first()
    outcome = "call_updated"
    if call is None:
        call = Call(provider=provider, external_id=fact.external_id, direction=fact.direction,
                    client_number=client, line_number=phone_normalize(fact.line_number) or "",
                    started_at=fact.at)
        _apply(call, fact)
        call.save()
        routed = _route_new_call(call, fact, connection)
        call.lead, call.deal = routed.lead, routed.deal
        call.contact, call.company = routed.contact, routed.company
        call.created_lead = routed.outcome in (Outcome.NEW_LEAD, Outcome.REPEAT_LEAD)
        outcome = routed.outcome
    else:
        # Most facts only add times to a known call; the lead hand-over and the call-back
        # task are revisited only when this fact changed who answered or whether it was missed.
        answerer_before, was_missed = call.answered_by_id, call.is_missed
        if not call.client_number and client:
            call.client_number = client
        if not call.line_number and fact.line_number:
            call.line_number = phone_normalize(fact.line_number) or ""
        _apply(call, fact)
        call.save()
        if call.answered_by_id != answerer_before:
            _hand_to_answerer(call)
        if call.is_missed or was_missed:
            _call_back_task_sync(call, was_missed=was_missed)
        return CallResult(call=call, outcome=outcome)
    call.save()
    if call.answered_by_id:
        _hand_to_answerer(call)
    _call_back_task_sync(call, was_missed=False)
    return CallResult(call=call, outcome=outcome)
