"""The channel-independent shape of one inbound request, produced by every channel parser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from voronka.crm.models import Call, EventKind


@dataclass
class InboundRequest:
    channel: str
    occurred_at: dt.datetime
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    name: str = ""
    last_name: str = ""
    company_title: str = ""
    title: str = ""
    text: str = ""
    # attribution
    source_code: str = ""
    campaign: str = ""
    tracked_number: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    visit_id: str = ""
    landing_page: str = ""
    referrer: str = ""
    custom_fields: dict[str, Any] = field(default_factory=dict)
    # routing hints
    answered_by: Any = None  # a User who took the call
    creates_leads: bool = True
    repeat_lead_allowed: bool | None = None  # None: the intake setting decides
    set_source_from_number: bool = True
    reply_to_lead_id: int | None = None
    reply_to_deal_id: int | None = None
    # what is written on the timeline
    activity_kind: str = EventKind.SYSTEM
    activity_payload: dict[str, Any] = field(default_factory=dict)
    call: Call | None = None
