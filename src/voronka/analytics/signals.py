"""Keep rollups exact: mark the local days a saved or deleted lead or deal can change.

Receivers only mark days (one insert-or-ignore); the recount happens when a report reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from voronka.analytics.periods import local_day
from voronka.analytics.rollups import rollups_mark_all_dirty, rollups_mark_days
from voronka.core.signals import leads_written
from voronka.crm.models import Deal, Lead, LeadStatus, Stage

_OLD = "_analytics_old_days"
_paused = threading.local()


@contextmanager
def rollups_signals_paused() -> Iterator[None]:
    """For bulk jobs (demo load/reset, imports): the receivers do nothing inside, and every day
    with data is marked dirty at the end (the next report recounts them)."""
    _paused.on = getattr(_paused, "on", 0) + 1
    try:
        yield
    finally:
        _paused.on -= 1
        if not _paused.on:
            rollups_mark_all_dirty()


def _unless_paused(receiver: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(receiver)
    def wrapped(*args: Any, **kwargs: Any) -> None:
        if not getattr(_paused, "on", 0):
            receiver(*args, **kwargs)
    return wrapped


def _deal_days(created_at: dt.datetime | None, closed_on: dt.date | None) -> list[dt.date | None]:
    return [local_day(created_at) if created_at else None, closed_on]


def _lead_day(lead_pk: int | None) -> list[dt.date | None]:
    """The creation day of a deal's lead: the funnel cohort of that day counts the deal."""
    if lead_pk is None:
        return []
    created_at = Lead.objects.filter(pk=lead_pk).values_list("created_at", flat=True).first()
    return [local_day(created_at) if created_at else None]


def _lead_deals_days(lead_pk: int) -> list[dt.date | None]:
    days: list[dt.date | None] = []
    for created_at, closed_on in Deal.objects.filter(lead_id=lead_pk).values_list("created_at", "closed_on"):
        days += _deal_days(created_at, closed_on)
    return days


@_unless_paused
def lead_pre_save(sender, instance: Lead, raw: bool = False, **kwargs: Any) -> None:
    days: list[dt.date | None] = []
    if instance.pk is not None:
        old = Lead.objects.filter(pk=instance.pk).values("created_at", "source_id", "utm_campaign").first()
        if old is not None:
            days.append(local_day(old["created_at"]))
            # A deal's source and campaign are its lead's: their days change with the lead.
            if (old["source_id"], old["utm_campaign"]) != (instance.source_id, instance.utm_campaign):
                days += _lead_deals_days(instance.pk)
    setattr(instance, _OLD, days)


@_unless_paused
def lead_post_save(sender, instance: Lead, **kwargs: Any) -> None:
    rollups_mark_days([*getattr(instance, _OLD, []), local_day(instance.created_at)])


@_unless_paused
def lead_pre_delete(sender, instance: Lead, **kwargs: Any) -> None:
    # Deleting a lead sets its deals' lead to NULL with an UPDATE (no signal): their source changes.
    rollups_mark_days([local_day(instance.created_at), *_lead_deals_days(instance.pk)])


@_unless_paused
def deal_pre_save(sender, instance: Deal, raw: bool = False, **kwargs: Any) -> None:
    days: list[dt.date | None] = []
    if instance.pk is not None:
        old = Deal.objects.filter(pk=instance.pk).values("created_at", "closed_on", "lead_id").first()
        if old is not None:
            days = [*_deal_days(old["created_at"], old["closed_on"]), *_lead_day(old["lead_id"])]
    setattr(instance, _OLD, days)


@_unless_paused
def deal_post_save(sender, instance: Deal, **kwargs: Any) -> None:
    rollups_mark_days([*getattr(instance, _OLD, []), *_deal_days(instance.created_at, instance.closed_on),
                       *_lead_day(instance.lead_id)])


@_unless_paused
def deal_pre_delete(sender, instance: Deal, **kwargs: Any) -> None:
    setattr(instance, _OLD, _lead_day(instance.lead_id))


@_unless_paused
def deal_post_delete(sender, instance: Deal, **kwargs: Any) -> None:
    rollups_mark_days([*_deal_days(instance.created_at, instance.closed_on), *getattr(instance, _OLD, [])])


@_unless_paused
def semantics_pre_save(sender, instance: LeadStatus | Stage, **kwargs: Any) -> None:
    old = sender.objects.filter(pk=instance.pk).values_list("semantics", flat=True).first() \
        if instance.pk else None
    instance._analytics_semantics_changed = old is not None and old != instance.semantics


@_unless_paused
def semantics_post_save(sender, instance: LeadStatus | Stage, **kwargs: Any) -> None:
    """A status or stage that changes meaning changes the counts of every day that used it."""
    if getattr(instance, "_analytics_semantics_changed", False):
        rollups_mark_all_dirty()


@_unless_paused
def leads_written_receiver(sender, created_at, **kwargs: Any) -> None:
    """A bulk insert or a queryset update of leads (see voronka.core.signals)."""
    rollups_mark_days(local_day(moment) for moment in created_at if moment is not None)


def signals_connect() -> None:
    uid = "voronka.analytics"
    leads_written.connect(leads_written_receiver, dispatch_uid=f"{uid}.leads_written")
    pre_save.connect(lead_pre_save, sender=Lead, dispatch_uid=f"{uid}.lead_pre_save")
    post_save.connect(lead_post_save, sender=Lead, dispatch_uid=f"{uid}.lead_post_save")
    pre_delete.connect(lead_pre_delete, sender=Lead, dispatch_uid=f"{uid}.lead_pre_delete")
    pre_save.connect(deal_pre_save, sender=Deal, dispatch_uid=f"{uid}.deal_pre_save")
    post_save.connect(deal_post_save, sender=Deal, dispatch_uid=f"{uid}.deal_post_save")
    pre_delete.connect(deal_pre_delete, sender=Deal, dispatch_uid=f"{uid}.deal_pre_delete")
    post_delete.connect(deal_post_delete, sender=Deal, dispatch_uid=f"{uid}.deal_post_delete")
    for model in (LeadStatus, Stage):
        pre_save.connect(semantics_pre_save, sender=model, dispatch_uid=f"{uid}.{model.__name__}_pre")
        post_save.connect(semantics_post_save, sender=model, dispatch_uid=f"{uid}.{model.__name__}_post")
