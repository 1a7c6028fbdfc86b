"""Which advertising source and campaign a request came from."""

from __future__ import annotations

from dataclasses import dataclass

from voronka.crm.models import Source
from voronka.crm.normalization import phone_normalize
from voronka.intake.models import Channel, TrackedNumber
from voronka.intake.request import InboundRequest

CHANNEL_FALLBACK_SOURCE = {
    Channel.CALL: "CALL",
    Channel.EMAIL: "EMAIL",
    Channel.FORM: "WEBFORM",
    Channel.API: "OTHER",
    Channel.IMPORT: "OTHER",
}


@dataclass(frozen=True)
class Attribution:
    source: Source | None
    campaign: str = ""
    source_description: str = ""


def source_for_unmapped_line(number_e164: str) -> Source:
    """«Звонок на номер: 74950000000», created on first use, as seed 001 sets them up."""
    digits = number_e164.lstrip("+")
    source, _created = Source.objects.get_or_create(
        code=f"CALL_TO_{digits}", defaults={"name": f"Звонок на номер: {digits}", "sort": 900})
    return source


def attribute(request: InboundRequest) -> Attribution:
    if request.source_code:
        source = Source.objects.filter(code=request.source_code).first()
        if source is not None:
            return Attribution(source, request.campaign)
    line = phone_normalize(request.tracked_number) if request.tracked_number else None
    if line and request.set_source_from_number:
        tracked = (TrackedNumber.objects.select_related("source")
                   .filter(number=line, is_active=True).first())
        if tracked is not None:
            return Attribution(tracked.source, tracked.campaign or request.campaign,
                               tracked.description)
        return Attribution(source_for_unmapped_line(line), request.campaign)
    fallback = CHANNEL_FALLBACK_SOURCE.get(request.channel)
    return Attribution(Source.objects.filter(code=fallback).first() if fallback else None,
                       request.campaign)
