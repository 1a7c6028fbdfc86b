"""Model validation without needless queries."""

from __future__ import annotations

from django.db import models


def full_clean_with_loaded_relations(instance: models.Model) -> None:
    """`full_clean()`, trusting foreign keys the caller set as saved model instances.

    Django checks every foreign key with a query; a related object that was just read from
    the database needs no such check, and on the intake's hot path these add up.
    """
    loaded = []
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if related is not None and related.pk is not None and not related._state.adding:
            loaded.append(field.name)
    instance.full_clean(exclude=loaded)
