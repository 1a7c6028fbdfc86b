"""Which advertising source and campaign a request came from."""

from __future__ import annotations

from dataclasses import dataclass

from voronka.core.batch_cache import cached
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
    return cached(("line_source", digits), lambda: Source.objects.get_or_create(
        code=f"CALL_TO_{digits}", defaults={"name": f"Звонок на номер: {digits}", "sort": 900})[0])


def _source(code: str) -> Source | None:
    return cached(("source", code), lambda: Source.objects.filter(code=code).first())


def _tracked(line: str) -> TrackedNumber | None:
    return cached(("tracked", line), lambda: TrackedNumber.objects.select_related("source")
                  .filter(number=line, is_active=True).first(), settled=True)


def attribute(request: InboundRequest) -> Attribution:
    if request.source_code:
        source = _source(request.source_code)
        if source is not None:
            return Attribution(source, request.campaign)
    line = phone_normalize(request.tracked_number) if request.tracked_number else None
    if line and request.set_source_from_number:
        tracked = _tracked(line)
        if tracked is not None:
            return Attribution(tracked.source, tracked.campaign or request.campaign,
                               tracked.description)
        return Attribution(source_for_unmapped_line(line), request.campaign)
    fallback = CHANNEL_FALLBACK_SOURCE.get(request.channel)
    return Attribution(_source(fallback) if fallback else None,
                       request.campaign)
