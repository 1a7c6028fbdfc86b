"""The registry of top-level keys. A new key is one module in `sections/` that calls `register()`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel

if TYPE_CHECKING:
    from voronka.setup.context import SetupContext
    from voronka.setup.report import SectionResult


class Entry(NamedTuple):
    """One validated item of a section and its path in the file, for errors about it."""

    path: str
    spec: BaseModel


@dataclass(frozen=True)
class Section:
    """A top-level key of the file.

    `schema` describes one item (`many=True`: the key holds a list of them) or the whole value
    (`many=False`: the key holds one mapping, like `deal_rules`).

    `check` runs on the valid entries before anything is written: rules across items (duplicate
    codes) and rules that read the database (a status with leads keeps its meaning). It reports
    through `ctx.error()` and must not write. `apply` writes (unless `ctx.dry_run`) and counts.
    Sections are checked and applied in the order of registration, so a section may refer to the
    items of one registered before it (e.g. `tracked_numbers` to `sources`).
    """

    key: str
    schema: type[BaseModel]
    apply: Callable[[list[Entry], SetupContext], SectionResult]
    many: bool = True
    check: Callable[[list[Entry], SetupContext], None] | None = None


class Registry:
    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> Section:
        if section.key in self._sections:
            raise ValueError(f"set-up section {section.key!r} is already registered")
        self._sections[section.key] = section
        return section

    def get(self, key: str) -> Section | None:
        return self._sections.get(key)

    def keys(self) -> list[str]:
        return list(self._sections)

    def __iter__(self) -> Iterator[Section]:
        return iter(list(self._sections.values()))


registry = Registry()


def register(section: Section) -> Section:
    """Add a top-level key to the set-up file (called by each module in `sections/`)."""
    return registry.register(section)
