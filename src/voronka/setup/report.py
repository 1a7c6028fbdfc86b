"""What applying a file did (or, in a dry run, would do)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SectionResult:
    """Counts for the items that a section names, and one line per change for people to read."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    def record(self, label: str, *, created: bool = False, changed: list[str] | None = None) -> None:
        """Count one item of the file. `changed` lists what differs (field names, never values)."""
        if created:
            self.created += 1
            self.details.append(f"{label}: created")
        elif changed:
            self.updated += 1
            self.details.append(f"{label}: updated ({', '.join(changed)})")
        else:
            self.unchanged += 1

    def note(self, text: str) -> None:
        """A change outside the items of the file, e.g. the previous default pipeline unset."""
        self.details.append(text)

    @property
    def has_changes(self) -> bool:
        return bool(self.details)

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class SetupReport:
    dry_run: bool = False
    sections: dict[str, SectionResult] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return any(result.has_changes for result in self.sections.values())

    def lines(self, *, details: bool = False) -> list[str]:
        """`users: 2 created, 1 updated, 0 unchanged`, one line per section in the file."""
        lines: list[str] = []
        for key, result in self.sections.items():
            lines.append(f"{key}: {result.summary()}")
            if details:
                lines.extend(f"  {line}" for line in result.details)
        return lines
