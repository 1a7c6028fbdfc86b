"""Business processes: named multi-step operations defined in code, kept in a registry.

`PROCESSES` maps a process name (as in `POST /api/v1/processes/<name>/start`) to its
definition; `process_start` runs one and returns what it created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass
class ProcessResult:
    summary: str
    created: dict[str, list[int]] = field(default_factory=dict)


PROCESSES: dict[str, Any] = {}


def process_start(name: str, *, acting_user, params: dict) -> ProcessResult:
    process = PROCESSES.get(name)
    if process is None:
        raise ValidationError(_("Нет бизнес-процесса «%(n)s».") % {"n": name})
    return process.start(acting_user=acting_user, params=params)
