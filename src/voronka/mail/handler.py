"""Processing a stored e-mail: InboundEvent → InboundRequest → routing.

Registered for provider "email" when `voronka.intake.handlers` imports this module.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile

from voronka.crm.models import EventKind
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.request import InboundRequest
from voronka.intake.services.events import event_handler
from voronka.intake.services.routing import inbound_request_accept
from voronka.mail.imap import PROVIDER
from voronka.mail.models import Attachment, Mailbox
from voronka.mail.parsing import ParsedEmail, email_parse

LEAD_IN_SUBJECT = re.compile(r"\[#L(\d+)\]|Лид\s*№\s*(\d+)", re.IGNORECASE)
DEAL_IN_SUBJECT = re.compile(r"\[#D(\d+)\]|Сделка\s*№\s*(\d+)", re.IGNORECASE)


@dataclass
class Ignored:
    outcome: str = "ignored_auto"
    lead: None = None
    deal: None = None


def _number(pattern: re.Pattern, subject: str) -> int | None:
    match = pattern.search(subject)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def reply_target(parsed: ParsedEmail) -> tuple[int | None, int | None]:
    """(lead id, deal id) this e-mail answers: its thread, else a number in the subject."""
    ids = [i[:255] for i in parsed.in_reply_to + list(reversed(parsed.references))]
    if ids:
        earlier = (InboundEvent.objects.filter(provider=PROVIDER, idempotency_key__in=ids)
                   .exclude(lead=None, deal=None).order_by("-received_at").first())
        if earlier is not None:
            return earlier.lead_id, earlier.deal_id
    return _number(LEAD_IN_SUBJECT, parsed.subject), _number(DEAL_IN_SUBJECT, parsed.subject)


def _attachments_store(event: InboundEvent, parsed: ParsedEmail) -> list[Attachment]:
    stored = list(event.mail_attachments.order_by("pk"))
    if stored:  # a retry of an event whose files were already written
        return stored
    for item in parsed.attachments:
        attachment = Attachment(event=event, filename=item.filename,
                                content_type=item.content_type[:255], size=len(item.data))
        attachment.file.save(item.filename, ContentFile(item.data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@event_handler(PROVIDER)
def handle(event: InboundEvent):
    raw = base64.b64decode(event.payload["raw"])
    parsed = email_parse(raw)
    if parsed.is_auto or not parsed.from_address:
        return Ignored()
    mailbox = Mailbox.objects.select_related("source").filter(
        pk=event.payload.get("mailbox")).first()
    attachments = _attachments_store(event, parsed)
    lead_id, deal_id = reply_target(parsed)
    request = InboundRequest(
        channel=Channel.EMAIL, occurred_at=parsed.date or event.received_at,
        emails=[parsed.from_address], name=parsed.from_name[:255],
        title=(parsed.subject or parsed.from_address)[:255], text=parsed.text,
        source_code=mailbox.source.code if mailbox is not None else "",
        reply_to_lead_id=lead_id, reply_to_deal_id=deal_id,
        activity_kind=EventKind.EMAIL,
        activity_payload={
            "subject": parsed.subject, "from": parsed.from_address,
            "mailbox": mailbox.name if mailbox is not None else "",
            "message_id": parsed.message_id, "inbound_event": event.pk,
            "attachments": [{"id": a.pk, "filename": a.filename, "size": a.size}
                            for a in attachments],
        },
    )
    return inbound_request_accept(request)
