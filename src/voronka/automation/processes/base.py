"""What a business process is: a name, its parameters, a preparation and a few steps.

`prepare` reads and checks everything the steps need and writes nothing, so a refusal
leaves the database as it was; the steps then write, in order, inside one transaction,
so a failure in any step undoes all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from voronka.core.batch_cache import batch_cache


@dataclass
class ProcessResult:
    summary: str
    created: dict[str, list[int]] = field(default_factory=dict)


class ProcessRun(Protocol):
    """The state a process's steps share: built by `prepare`, filled in by the steps."""

    def result(self) -> ProcessResult: ...


@dataclass(frozen=True)
class Param:
    """One parameter, as `GET /api/v1/processes` and robot settings describe it."""

    name: str
    label: Any
    type: str  # JSON type as the API shows it: "integer", "array[string]", …
    required: bool = True
    help: Any = ""
    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> dict[str, Any]:
        described = {"name": self.name, "label": str(self.label), "type": self.type,
                     "required": self.required, "help": str(self.help)}
        if self.minimum is not None:
            described["minimum"] = self.minimum
        if self.maximum is not None:
            described["maximum"] = self.maximum
        return described


@dataclass(frozen=True)
class Process:
    name: str
    label: Any
    description: Any
    params: tuple[Param, ...]
    prepare: Callable[[Any, dict], ProcessRun]  # (acting_user, params) → run; raises, never writes
    steps: tuple[Callable[[ProcessRun], None], ...]

    def check(self, *, acting_user, params: dict) -> ProcessRun:
        """Whether `start` would be refused, without starting (e.g. before showing a form)."""
        self._refuse_unknown(params)
        return self.prepare(acting_user, params)

    def start(self, *, acting_user, params: dict) -> ProcessResult:
        self._refuse_unknown(params)
        # One batch cache per start: dictionaries read by the services (default status,
        # custom field definitions) cannot change inside this transaction.
        with transaction.atomic(), batch_cache():
            run = self.prepare(acting_user, params)
            for step in self.steps:
                step(run)
        return run.result()

    def _refuse_unknown(self, params: Any) -> None:
        """A misspelt parameter ("cuont") would otherwise be ignored and its default used
        silently: refuse it, as the API refuses unknown fields everywhere else."""
        if not isinstance(params, dict):
            raise ValidationError(_("Параметры бизнес-процесса — объект {имя: значение}."))
        known = {param.name for param in self.params}
        unknown = sorted(str(name) for name in params if name not in known)
        if unknown:
            raise ValidationError({name: _("Нет такого параметра у бизнес-процесса «%(p)s»; "
                                           "есть: %(known)s.") % {
                "p": self.label, "known": ", ".join(param.name for param in self.params)}
                for name in unknown})

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "label": str(self.label),
                "description": str(self.description),
                "params": [param.describe() for param in self.params]}
