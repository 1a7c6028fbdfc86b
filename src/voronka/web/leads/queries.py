"""Read queries of the lead screens: the inbox (filters, search, keyset pages, the poll).

Everything starts from `leads_visible_to(user)`, so a manager never sees another
manager's lead, whatever the filters say. Pages are keyset-paginated on (created_at, id):
no OFFSET, no COUNT over the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from voronka.crm.models import Communication, CommunicationKind, Lead, LeadStatus
from voronka.crm.normalization import email_normalize, phone_normalize
from voronka.crm.selectors import leads_visible_to, open_leads_of
from voronka.web.search.matching import MAX_WORDS, SearchTerms, lead_words_q

PAGE_SIZE = 50


def lead_for(user, pk: int) -> Lead:
    """One lead the user may see, else 404 (for GET and for hand-made POSTs alike)."""
    leads = leads_visible_to(user).select_related(
        "status", "source", "responsible", "contact", "company", "junk_reason")
    lead = leads.filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


# A cursor is "<microseconds since the epoch>-<id>" of a row: short, URL-safe, exact.
def cursor_of(lead: Lead) -> str:
    return f"{int(lead.created_at.timestamp() * 1_000_000)}-{lead.pk}"


def cursor_parse(raw: str) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = raw.split("-", 1)
        at = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
        return at, int(pk)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass
class InboxQuery:
    """What the filter form asked for, already cleaned."""

    status: LeadStatus | None = None
    source_id: int | None = None
    responsible: int | str | None = None  # a user id, or "none" for unassigned
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    repeat: str = ""  # "new" | "repeat" | ""
    overdue: bool = False
    search: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    # The user's zone is active (middleware): their "1 December" starts at their midnight.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _search(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """A phone in any format, an e-mail, or a part of the title or name."""
    text = text.strip()
    if not text:
        return leads
    digits = sum(ch.isdigit() for ch in text)
    phone = phone_normalize(text) if digits >= 5 else None
    if phone:
        by_comm = Communication.objects.filter(kind=CommunicationKind.PHONE, normalized=phone,
                                               lead__isnull=False)
        return leads.filter(pk__in=by_comm.values("lead"))
    if "@" in text:
        email = email_normalize(text)
        by_comm = Communication.objects.filter(kind=CommunicationKind.EMAIL,
                                               normalized=email or text.lower(),
                                               lead__isnull=False)
        return leads.filter(pk__in=by_comm.values("lead"))
    return leads.filter(lead_words_q(SearchTerms(text=text, words=tuple(text.split()[:MAX_WORDS]))))


def inbox_leads(user, query: InboxQuery) -> QuerySet[Lead]:
    leads = leads_visible_to(user)
    # The inbox is for open leads; an explicit status shows closed ones too.
    leads = leads.filter(status=query.status) if query.status is not None else open_leads_of(leads)
    if query.source_id:
        leads = leads.filter(source_id=query.source_id)
    if user.can_see_all and query.responsible == "none":
        leads = leads.filter(responsible__isnull=True)
    elif user.can_see_all and query.responsible:
        leads = leads.filter(responsible_id=query.responsible)
    if query.date_from:
        leads = leads.filter(created_at__gte=_day_start(query.date_from))
    if query.date_to:
        leads = leads.filter(created_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    if query.repeat:
        leads = leads.filter(is_repeat=query.repeat == "repeat")
    if query.overdue:
        leads = leads.filter(first_handled_at__isnull=True, sla_deadline__lt=timezone.now())
    return _search(leads, query.search)


def _rows(leads: QuerySet[Lead], limit: int) -> list[Lead]:
    """The rows with what a row shows; `lead.phones` are its phones in the order given.

    The prefetch reads all of the rows' communications by lead id (a few each) and picks
    the phones here: asking the database for `kind = PHONE` too makes SQLite walk the
    (kind, value) index over every phone of every lead instead.
    """
    comms = Communication.objects.order_by("pk")
    rows = list(leads.select_related("status", "source", "responsible").prefetch_related(
        Prefetch("communications", queryset=comms, to_attr="comms"))[:limit])
    for lead in rows:
        lead.phones = [c for c in lead.comms if c.kind == CommunicationKind.PHONE]
    return rows


@dataclass
class InboxPage:
    leads: list[Lead]
    next_cursor: str = ""
    newest_cursor: str = ""


def inbox_page(leads: QuerySet[Lead], before: str = "") -> InboxPage:
    """One page newest first, starting after the `before` cursor."""
    position = cursor_parse(before) if before else None
    if position is not None:
        at, pk = position
        # The plain range first lets the database walk the created_at index.
        leads = leads.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(pk__lt=pk))
    rows = _rows(leads.order_by("-created_at", "-pk"), PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return InboxPage(leads=rows, next_cursor=cursor_of(rows[-1]) if more else "",
                     newest_cursor=cursor_of(rows[0]) if rows else "")


def inbox_newer(leads: QuerySet[Lead], after: str) -> list[Lead]:
    """Rows created after the newest one shown (the live poll): a range on an index."""
    position = cursor_parse(after)
    if position is None:
        return []
    at, pk = position
    newer = leads.filter(created_at__gte=at).filter(Q(created_at__gt=at) | Q(pk__gt=pk))
    return _rows(newer.order_by("-created_at", "-pk"), PAGE_SIZE)
