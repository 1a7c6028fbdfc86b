"""Phones, e-mails, sites and messengers: normalising, typing and attaching them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from voronka.crm.models import (
    Communication,
    CommunicationKind,
    CommunicationType,
    Company,
    Contact,
    Lead,
)
from voronka.crm.normalization import email_normalize, phone_details, phone_parse

# Addresses at these domains belong to a person, not to a company.
PERSONAL_EMAIL_DOMAINS = frozenset({
    "mail.ru", "bk.ru", "inbox.ru", "list.ru", "internet.ru", "yandex.ru", "ya.ru",
    "yandex.com", "rambler.ru", "gmail.com", "googlemail.com", "icloud.com", "me.com",
    "outlook.com", "hotmail.com", "live.com", "yahoo.com", "proton.me", "protonmail.com",
})


@dataclass(frozen=True)
class CommunicationInput:
    kind: str
    value: str
    value_type: str | None = None  # None: guess from the value


def communication_guess_type(kind: str, normalized: str) -> str:
    """MOBILE for a mobile number or a personal mailbox; WORK for a landline or a company domain."""
    if kind == CommunicationKind.PHONE and normalized:
        if phone_details(normalized)[1]:
            return CommunicationType.MOBILE
        return CommunicationType.WORK
    if kind == CommunicationKind.EMAIL and normalized:
        domain = normalized.rpartition("@")[2]
        return CommunicationType.HOME if domain in PERSONAL_EMAIL_DOMAINS else CommunicationType.WORK
    return CommunicationType.WORK


def communication_build(item: CommunicationInput) -> Communication:
    """An unsaved Communication with its normalised value and type filled in."""
    value = str(item.value).strip()
    normalized, extension = "", ""
    if item.kind == CommunicationKind.PHONE:
        parsed = phone_parse(value)
        if parsed:
            normalized, extension = parsed.e164, parsed.extension
    elif item.kind == CommunicationKind.EMAIL:
        normalized = email_normalize(value) or ""
    else:
        normalized = value.lower()
    value_type = item.value_type or communication_guess_type(item.kind, normalized)
    return Communication(
        kind=item.kind, value=value[:255], normalized=normalized[:255], extension=extension,
        value_type=value_type,
    )


def communications_add(
    owner: Lead | Contact | Company,
    items: Iterable[CommunicationInput | Communication],
    *,
    fresh: bool = False,
) -> list[Communication]:
    """Attach communications to an owner, skipping ones it already has (same normalised value).

    `fresh`: the owner was created a moment ago, so it has none yet to compare with.
    """
    field = {Lead: "lead", Contact: "contact", Company: "company"}[type(owner)]
    existing = set() if fresh else {
        (kind, normalized or value)
        for kind, normalized, value in Communication.objects.filter(**{field: owner}).values_list(
            "kind", "normalized", "value"
        )
    }
    created = []
    for item in items:
        if isinstance(item, CommunicationInput):
            comm = communication_build(item)
        else:
            comm = Communication(kind=item.kind, value=item.value, normalized=item.normalized,
                                 extension=item.extension, value_type=item.value_type)
        key = (comm.kind, comm.normalized or comm.value)
        if not comm.value or key in existing:
            continue
        existing.add(key)
        setattr(comm, field, owner)
        created.append(comm)
    Communication.objects.bulk_create(created)
    return created
