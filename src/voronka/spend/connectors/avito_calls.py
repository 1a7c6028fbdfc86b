"""Avito's tracked calls as call events of the intake (provider "avito").

A sync stores each call as an InboundEvent (idempotency key: connector slug + callId) and
processes it with the handler below, which builds the Call and routes it (lead or activity)
through the shared call service, as a PBX call is. Avito's virtual number is registered as a
tracked number of the connector's source, so the call is attributed to Avito.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from voronka.crm.models import CallDirection
from voronka.crm.normalization import phone_normalize
from voronka.intake.models import Channel, InboundEvent, TelephonyConnection, TelephonyProvider, TrackedNumber
from voronka.intake.services.events import event_handler, inbound_event_store, process_event
from voronka.intake.telephony.calls import CallFact, CallResult, call_fact_apply
from voronka.spend.models import SpendConnector

PROVIDER = "avito"


def _parse_time(text: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def fact_from_call(slug: str, call: dict[str, Any]) -> CallFact:
    started = _parse_time(call["callTime"])
    talk = int(call.get("talkDuration") or 0)
    waiting = int(float(call.get("waitingDuration") or 0))
    answered_at = started + dt.timedelta(seconds=waiting) if talk > 0 else None
    ended = (answered_at + dt.timedelta(seconds=talk)) if answered_at else started + dt.timedelta(
        seconds=waiting)
    return CallFact(external_id=f"{slug}:{call['callId']}", kind="summary", at=started,
                    direction=CallDirection.INCOMING, client_number=str(call.get("buyerPhone") or ""),
                    line_number=str(call.get("virtualPhone") or call.get("sellerPhone") or ""),
                    answered=talk > 0, answered_at=answered_at, ended_at=ended, talk_seconds=talk)


def _line_attributed(connector: SpendConnector, call: dict[str, Any]) -> None:
    """Avito's virtual number belongs to Avito: a tracked number of the connector's source."""
    line = phone_normalize(str(call.get("virtualPhone") or ""))
    if line:
        TrackedNumber.objects.get_or_create(number=line, defaults={
            "source": connector.source, "campaign": f"avito_item_{call.get('itemId') or ''}"[:255],
            "description": f"Подменный номер Авито ({connector.slug})"})


def _connection() -> TelephonyConnection:
    """How Avito calls are routed: a lead for a new number, an activity for a known client.
    Not stored: the intake's call service only reads these settings."""
    return TelephonyConnection(provider=TelephonyProvider.GENERIC, slug=PROVIDER, create_leads=True,
                               only_unknown_numbers=True, set_source=True)


@event_handler(PROVIDER)
def handle(event: InboundEvent) -> CallResult:
    connector = SpendConnector.objects.select_related("source").get(slug=event.connection)
    call = event.payload
    _line_attributed(connector, call)
    return call_fact_apply(fact_from_call(connector.slug, call), provider=PROVIDER,
                           connection=_connection())


def calls_store(connector: SpendConnector, calls: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Store and process each call once; return (new, already known, failed)."""
    new = known = failed = 0
    for call in calls:
        if call.get("callId") in (None, "") or not call.get("callTime"):
            failed += 1
            continue
        key = f"{connector.slug}:{call['callId']}"
        event, created = inbound_event_store(
            channel=Channel.CALL, provider=PROVIDER, connection=connector.slug, kind="call",
            idempotency_key=key, thread_key=key, payload=call)
        if not created:
            known += 1
            continue
        new += 1
        if process_event(event).state == "failed":
            failed += 1
    return new, known, failed
