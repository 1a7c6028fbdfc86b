"""Wiping the CRM rows of a demo database before loading the demo again.

It deletes every lead, deal, contact, company, communication, timeline event and
activity (calls, tasks) and the intake's event log (a demo database has no other data),
keeping the dictionaries (sources, statuses, pipelines, reasons) and the configuration
(telephony connections, tracked numbers, SLA rules, intake settings), which the demo
updates in place.
Deletion goes through the ORM, so rows of other apps that point at CRM rows are
cascaded or nulled as their models say; large tables are deleted in chunks so that
Django never loads a million rows to collect them.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models, router, transaction
from django.db.models.deletion import Collector

from voronka.crm.models import Communication, Company, Contact, Deal, Lead, TimelineEvent
from voronka.demo.users import demo_users_delete
from voronka.intake.models import IdentityLock, InboundEvent

CHUNK = 5000
# The core items, deleted last; by then little points at them and they go in few queries.
CORE_MODELS: tuple[type[models.Model], ...] = (Deal, Lead, Contact, Company)
# Deleted first: the biggest tables, which nothing else points at.
LOG_MODELS: tuple[type[models.Model], ...] = (InboundEvent, IdentityLock, TimelineEvent,
                                              Communication)


def crm_data_models() -> list[type[models.Model]]:
    """Every CRM model holding data about leads, deals and clients, dependents first.

    Activity models (calls, tasks …) are found by their foreign keys to the core items,
    so ones added later are wiped too; dictionaries (sources, statuses, stages, reasons,
    custom field definitions) point at none of them and are kept.
    """
    attached = [
        model for model in apps.get_app_config("crm").get_models()
        if model not in CORE_MODELS and model not in LOG_MODELS and any(
            field.many_to_one and field.related_model in CORE_MODELS
            for field in model._meta.concrete_fields)
    ]
    return [*LOG_MODELS, *_pointers_first(attached), *CORE_MODELS]


def _pointers_first(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """A model before the ones it points at (tasks before calls): nothing is left to null."""
    ordered: list[type[models.Model]] = []
    pending = list(found)
    while pending:
        for model in pending:
            pointed_at = any(f.many_to_one and f.related_model is model
                             for other in pending if other is not model
                             for f in other._meta.concrete_fields)
            if not pointed_at:
                ordered.append(model)
                pending.remove(model)
                break
        else:  # a cycle: keep the registry order for the rest
            return [*ordered, *pending]
    return ordered


def _delete_all(model: type[models.Model]) -> int:
    queryset = model._default_manager.all()
    collector = Collector(using=router.db_for_write(model))
    if collector.can_fast_delete(queryset):
        return queryset.delete()[0]
    deleted = 0
    while True:
        # The last pk of the next chunk: delete by range, not by a huge IN (...) list.
        boundary = list(queryset.order_by("pk").values_list("pk", flat=True)[CHUNK - 1: CHUNK])
        chunk = queryset.filter(pk__lte=boundary[0]) if boundary else queryset
        count = chunk.delete()[0]
        deleted += count
        if not boundary:
            return deleted


# No savepoint when nested in the loader's transaction: SQLite would keep a copy of every
# deleted page to be able to roll back to it, in memory (temp_store=MEMORY) — 300 MB for
# 100k leads. Nobody rolls back to the middle of a reset.
@transaction.atomic(savepoint=False)
def demo_reset() -> dict[str, int]:
    """Delete all CRM rows and the demo users; return deleted rows by model."""
    counts = {model._meta.verbose_name_plural: _delete_all(model) for model in crm_data_models()}
    counts["demo users"] = demo_users_delete()
    return {str(k): v for k, v in counts.items()}
