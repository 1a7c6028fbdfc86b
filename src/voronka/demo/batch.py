"""One batch of generated rows, written with bulk_create in dependency order.

Rows point at each other through instances (a lead at its contact, a deal at its lead).
Django fills the foreign key from the related instance's pk at bulk_create time, so
writing companies, contacts, leads, deals, then the copies of deals (which point at
their mother deal), then communications and events, gives every row its links.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from voronka.core.rows import RowFactory
from voronka.crm.models import (
    Call,
    Communication,
    Company,
    Contact,
    Deal,
    Lead,
    Task,
    TimelineEvent,
)
from voronka.demo.events import EventSpec
from voronka.intake.models import InboundEvent

_communication_row = RowFactory(Communication)


class CommSpec(NamedTuple):
    """A communication whose owner may not have a pk yet."""

    kind: str
    value_type: str
    value: str
    normalized: str
    extension: str
    lead: Lead | None = None
    contact: Contact | None = None
    company: Company | None = None

    def to_row(self) -> Communication:
        return _communication_row(
            kind=self.kind, value_type=self.value_type, value=self.value,
            normalized=self.normalized, extension=self.extension,
            lead_id=self.lead.pk if self.lead is not None else None,
            contact_id=self.contact.pk if self.contact is not None else None,
            company_id=self.company.pk if self.company is not None else None,
        )


class Batch:
    def __init__(self) -> None:
        self.companies: list[Company] = []
        self.contacts: list[Contact] = []
        self.leads: list[Lead] = []
        self.deals: list[Deal] = []
        self.child_deals: list[Deal] = []  # copies pointing at a mother deal
        self.communications: list[CommSpec] = []
        self.events: list[EventSpec] = []
        self.calls: list[Call] = []
        self.tasks: list[Task] = []
        self.inbound: list[InboundEvent] = []

    def __len__(self) -> int:
        return len(self.leads)

    def __bool__(self) -> bool:
        return bool(self.leads or self.inbound)

    def flush(self) -> tuple[int, int]:
        """Write everything in one transaction; return (communications, events) written."""
        # A batch is all or nothing; inside the loader's transaction no savepoint is needed.
        with transaction.atomic(savepoint=False):
            Company.objects.bulk_create(self.companies)
            Contact.objects.bulk_create(self.contacts)
            Lead.objects.bulk_create(self.leads)
            Deal.objects.bulk_create(self.deals)
            Deal.objects.bulk_create(self.child_deals)
            # Built only now: their owners got their pks just above.
            comms = [c.to_row() for c in self.communications]
            Communication.objects.bulk_create(comms)
            Call.objects.bulk_create(self.calls)
            InboundEvent.objects.bulk_create(self.inbound)
            # Events point at calls and (in the payload) at inbound events: built only now.
            events = [e.to_row() for e in self.events]
            TimelineEvent.objects.bulk_create(events)
            Task.objects.bulk_create(self.tasks)
        written = len(comms), len(events)
        self.__init__()
        return written
