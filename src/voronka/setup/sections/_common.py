"""Helpers shared by the section modules."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from voronka.setup.context import SetupContext


def check_unique(
    items: Iterable[tuple[str, Any]], key: Callable[[Any], Hashable], field: str, ctx: SetupContext
) -> None:
    """Report an item whose `field` repeats an earlier one, naming both places in the file.

    `items` are (path, spec) pairs; an empty or missing value is not a duplicate.
    """
    first_seen: dict[Hashable, str] = {}
    for path, spec in items:
        value = key(spec)
        if value in (None, ""):
            continue
        if value in first_seen:
            ctx.error(f"{path}.{field}", f"duplicate “{value}”: already used at {first_seen[value]}.{field}")
        else:
            first_seen[value] = path


def source_known(code: str, ctx: SetupContext) -> bool:
    """A source exists in the database or is defined by the same file's `sources:`."""
    from voronka.crm.models import Source

    in_file = any(getattr(spec, "code", None) == code for _path, spec in ctx.entries.get("sources", []))
    return in_file or Source.objects.filter(code=code).exists()


def check_sources(items: Iterable[tuple[str, Any]], field: str, ctx: SetupContext) -> None:
    """Report every item whose source code names no source."""
    for path, spec in items:
        code = getattr(spec, field)
        if code and not source_known(code, ctx):
            ctx.error(f"{path}.{field}",
                      f"unknown source “{code}”: add it under `sources:` or use an existing code")
