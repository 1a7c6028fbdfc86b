"""Saving field edits of any CRM item with their old and new values on its timeline."""

from __future__ import annotations

from typing import Any

from django.db import models

from voronka.crm.cleaning import full_clean_with_loaded_relations
from voronka.crm.models import EventKind
from voronka.crm.timeline import event_record, field_changes


def fields_check(fields: dict[str, Any], allowed: frozenset[str], entity: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown {entity} fields: {sorted(unknown)}")


def changes_save(instance: models.Model, changes: dict[str, Any], *, acting_user,
                 timeline_owner: str) -> None:
    """Apply `changes` (already locked and validated by the caller's rules) and log them.

    Nothing is written when nothing changes. A change of the responsible person alone is an
    ASSIGNED event, so "who handed this to whom" is easy to find on the timeline.
    """
    diff = field_changes(instance, changes)
    if not diff:
        return
    for name, value in changes.items():
        setattr(instance, name, value)
    full_clean_with_loaded_relations(instance)
    instance.save()
    kind = EventKind.ASSIGNED if set(diff) == {"responsible"} else EventKind.UPDATED
    event_record(kind, actor=acting_user, payload={"changes": diff}, **{timeline_owner: instance})
