"""State shared by the sections during one application of a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from voronka.setup.errors import Issue
from voronka.setup.registry import Entry


class SetupContext:
    def __init__(self, *, dry_run: bool, entries: Mapping[str, list[Entry]]):
        self.dry_run = dry_run
        # Every section's valid entries, so a section can resolve references to items that the
        # same file defines (in a dry run they are not in the database yet).
        self.entries = entries
        self.issues: list[Issue] = []

    def error(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))

    def assign(self, instance: models.Model, values: Mapping[str, Any]) -> list[str]:
        """Set the attributes that differ and return their names; an equal item is not saved."""
        changed = []
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed.append(name)
        return changed

    def save(self, instance: models.Model, *, path: str, exclude: Iterable[str] = ()) -> bool:
        """Check the model's own rules, then save unless this is a dry run.

        The schemas already enforce these rules with paths; full_clean() is the safety net for a
        rule a schema missed, reported under the item's path instead of a database error.
        """
        try:
            instance.full_clean(exclude=list(exclude))
        except DjangoValidationError as exc:
            for field, messages in exc.message_dict.items():
                where = path if field == NON_FIELD_ERRORS else f"{path}.{field}"
                for message in messages:
                    self.error(where, str(message))
            return False
        if not self.dry_run:
            instance.save()
        return True
