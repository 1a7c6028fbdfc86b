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
