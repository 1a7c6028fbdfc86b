"""Errors of a set-up file: each one names the place in the file it is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Loc = Sequence[str | int]


def format_path(loc: Loc) -> str:
    """`("users", 0, "role")` → `users[0].role`, the way a person finds the place in the file."""
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            # Keys with dots, spaces or of other types must not look like nested keys.
            text += f"[{part!r}]"
    return text


@dataclass(frozen=True)
class Issue:
    """One problem in the file: where (`users[0].role`) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SetupValidationError(Exception):
    """The file is not valid; nothing was written. Carries every problem found, not just the first."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues: list[Issue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))
