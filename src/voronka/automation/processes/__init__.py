"""Business processes: named multi-step operations defined in code, kept in a registry.

`PROCESSES` maps a process name (as in `POST /api/v1/processes/<name>/start`) to its
definition; `process_start` runs one and returns what it created. A new process is a
module with a `Process` (see base.py and repeat_lead_deal.py), added to `_ALL`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from voronka.automation.processes.base import Param, Process, ProcessResult
from voronka.automation.processes.repeat_lead_deal import REPEAT_LEAD_DEAL

__all__ = ["PROCESSES", "Param", "Process", "ProcessResult", "process_start"]

_ALL = (REPEAT_LEAD_DEAL,)
PROCESSES: dict[str, Process] = {process.name: process for process in _ALL}


def process_start(name: str, *, acting_user, params: dict) -> ProcessResult:
    process = PROCESSES.get(name)
    if process is None:
        raise ValidationError(_("Нет бизнес-процесса «%(n)s».") % {"n": name})
    return process.start(acting_user=acting_user, params=params)
