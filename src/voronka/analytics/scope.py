"""What a report may read: the filters the user chose, narrowed by what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ReportFilters:
    sources: tuple[str, ...] = ()       # source codes
    campaign: str = ""                  # utm_campaign of leads, campaign of spend rows
    managers: tuple[int, ...] = ()      # responsible user ids
    pipeline: str = ""                  # pipeline code
    repeat: bool | None = None          # True: repeat only, False: new only

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ReportFilters:
        """From query parameters / JSON: source=A,B campaign=x manager=1,2 pipeline=MAIN repeat=new."""
        data = data or {}

        def listed(value: Any) -> list[str]:
            if value in (None, ""):
                return []
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            return [str(v).strip() for v in items if str(v).strip()]

        try:
            managers = tuple(int(v) for v in listed(data.get("manager") or data.get("managers")))
        except ValueError as exc:
            raise ValidationError(_("manager: нужны id пользователей через запятую.")) from exc
        repeat_text = str(data.get("repeat", "") or "").lower()
        repeat = {"": None, "all": None, "new": False, "false": False, "0": False,
                  "repeat": True, "true": True, "1": True}.get(repeat_text, "bad")
        if repeat == "bad":
            raise ValidationError(_("repeat: new, repeat или all."))
        return cls(sources=tuple(listed(data.get("source") or data.get("sources"))),
                   campaign=str(data.get("campaign") or "").strip(), managers=managers,
                   pipeline=str(data.get("pipeline") or "").strip(), repeat=repeat)

    def as_dict(self) -> dict[str, Any]:
        return {"source": list(self.sources), "campaign": self.campaign,
                "manager": list(self.managers), "pipeline": self.pipeline,
                "repeat": {None: "all", False: "new", True: "repeat"}[self.repeat]}


@dataclass(frozen=True)
class Scope:
    """Resolved filters: ids instead of codes, and the user's own visibility applied."""

    filters: ReportFilters = field(default_factory=ReportFilters)
    source_ids: tuple[int, ...] | None = None
    manager_ids: tuple[int, ...] | None = None
    pipeline_id: int | None = None

    @property
    def by_manager(self) -> bool:
        """Spend belongs to no manager: with a manager restriction it is not shown."""
        return self.manager_ids is not None


def scope_for(user, filters: ReportFilters | None = None) -> Scope:
    """A manager sees only leads and deals where they are responsible; head and admin see all."""
    # Here, not at the top: the selectors build on Scope.
    from voronka.analytics.selectors import pipeline_id_by_code, source_ids_by_code

    filters = filters or ReportFilters()
    source_ids = None
    if filters.sources:
        found = source_ids_by_code(filters.sources)
        missing = sorted(set(filters.sources) - set(found))
        if missing:
            raise ValidationError(_("Неизвестный источник: %(codes)s") % {"codes": ", ".join(missing)})
        source_ids = tuple(sorted(found.values()))
    pipeline_id = None
    if filters.pipeline:
        pipeline_id = pipeline_id_by_code(filters.pipeline)
        if pipeline_id is None:
            raise ValidationError(_("Неизвестное направление: %(code)s") % {"code": filters.pipeline})
    managers: Iterable[int] | None = filters.managers or None
    if user is not None and not user.can_see_all:
        managers = [user.pk] if managers is None else [m for m in managers if m == user.pk]
    return Scope(filters=filters, source_ids=source_ids,
                 manager_ids=None if managers is None else tuple(managers), pipeline_id=pipeline_id)


def scope_with(scope: Scope, **changes: Any) -> Scope:
    return replace(scope, **changes)
