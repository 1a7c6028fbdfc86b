"""E-mail attachments, served only to someone who may see an item the e-mail is on."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from voronka.crm.models import EventKind, TimelineEvent
from voronka.crm.selectors import (
    companies_visible_to,
    contacts_visible_to,
    deals_visible_to,
    leads_visible_to,
)
from voronka.mail.models import Attachment

VISIBLE = {"lead": leads_visible_to, "deal": deals_visible_to,
           "contact": contacts_visible_to, "company": companies_visible_to}


def event_visible(event: TimelineEvent, user) -> bool:
    """True when the user may see any item the event is on (one cheap query per owner)."""
    for owner, visible_to in VISIBLE.items():
        owner_id = getattr(event, f"{owner}_id")
        if owner_id and visible_to(user).filter(pk=owner_id).exists():
            return True
    return False


def attachment_download(request: HttpRequest, event_id: int, pk: int) -> FileResponse:
    # The URL names the timeline event: that is what says whose e-mail this is.
    event = get_object_or_404(TimelineEvent, pk=event_id, kind=EventKind.EMAIL)
    attachment = get_object_or_404(Attachment, pk=pk)
    if event.payload.get("inbound_event") != attachment.event_id or not event_visible(
            event, request.user):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download, never rendered inline: the file came from a stranger's e-mail.
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response
