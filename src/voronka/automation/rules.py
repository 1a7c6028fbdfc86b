"""Checks of a robot's trigger, conditions and actions before it is saved.

Every message names the place in the robot (`actions[1].stage: …`), so the same check
serves the settings form, the API and `voronka setup apply`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from voronka.accounts.models import User
from voronka.automation.actions import ACTIONS
from voronka.automation.conditions import conditions_check
from voronka.crm.models import CustomFieldDefinition, LeadStatus, Semantics, Source, Stage, TaskKind
from voronka.crm.services.deals import DEAL_EDITABLE_FIELDS
from voronka.crm.services.leads import LEAD_EDITABLE_FIELDS

MAX_ACTIONS = 20
MAX_DEADLINE_MINUTES = 366 * 24 * 60
# Relations other than the source are set by their own actions (responsible) or not at all.
SETTABLE = {"lead": (LEAD_EDITABLE_FIELDS - {"responsible"}),
            "deal": (DEAL_EDITABLE_FIELDS - {"responsible", "contact", "company"})}
FIELD_TRIGGER_FIELDS = {"lead": LEAD_EDITABLE_FIELDS, "deal": DEAL_EDITABLE_FIELDS}


def _fail(path: str, message: str) -> None:
    raise ValidationError(f"{path}: {message}")


def _minutes(value: Any, path: str) -> None:
    if value in (None, ""):
        return
    if isinstance(value, bool) or not str(value).isdigit() or not 0 < int(value) <= MAX_DEADLINE_MINUTES:
        _fail(path, _("целое число минут от 1 до %(n)s") % {"n": MAX_DEADLINE_MINUTES})


def _user_ref(value: Any, path: str, extra: tuple[str, ...]) -> None:
    if value in extra:
        return
    if not isinstance(value, str) or not User.objects.filter(username=value, is_active=True).exists():
        _fail(path, _("логин активного сотрудника или одно из: %(e)s") % {"e": ", ".join(extra)})


def _text(value: Any, path: str, limit: int = 5000) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        _fail(path, _("непустой текст до %(n)s знаков") % {"n": limit})


def _action_check(action: Any, path: str, robot, custom_codes: set[str]) -> None:
    from voronka.automation.processes import PROCESSES

    if not isinstance(action, dict):
        _fail(path, _("ожидается объект"))
    kind = action.get("type")
    if kind not in ACTIONS:
        _fail(f"{path}.type", _("одно из: %(all)s") % {"all": ", ".join(ACTIONS)})
    spec = ACTIONS[kind]
    unknown = set(action) - set(spec.params) - {"type"}
    if unknown:
        _fail(path, _("лишние параметры: %(p)s") % {"p": ", ".join(sorted(unknown))})
    for name, required in spec.params.items():
        if required and action.get(name) in (None, ""):
            _fail(f"{path}.{name}", _("обязательный параметр"))
    entity = robot.entity
    if kind == "task_create":
        _text(action["title"], f"{path}.title", 255)
        _minutes(action.get("deadline_minutes"), f"{path}.deadline_minutes")
        _minutes(action.get("remind_minutes_before"), f"{path}.remind_minutes_before")
        if action.get("kind") not in (None, "", *TaskKind.values):
            _fail(f"{path}.kind", _("одно из: %(all)s") % {"all": ", ".join(TaskKind.values)})
    elif kind == "assign":
        _user_ref(action["user"], f"{path}.user", ("round_robin",))
    elif kind == "status_set":
        if entity == "lead":
            status = LeadStatus.objects.filter(code=action.get("status") or "").first()
            if status is None or status.deprecated or status.semantics != Semantics.PROCESS:
                _fail(f"{path}.status", _("код рабочего (не устаревшего) статуса лида"))
            if action.get("stage"):
                _fail(f"{path}.stage", _("у лида нет стадий"))
        else:
            stage = Stage.objects.filter(code=action.get("stage") or "").first()
            if stage is None or (robot.stage_id and stage.pipeline_id != robot.stage.pipeline_id):
                _fail(f"{path}.stage", _("код стадии того же направления"))
            if action.get("status"):
                _fail(f"{path}.status", _("у сделки нет статусов"))
    elif kind == "field_set":
        name = action["field"]
        if not (name in SETTABLE[entity] or (name.startswith("custom.")
                                             and name[len("custom."):] in custom_codes)):
            _fail(f"{path}.field", _("неизвестное или недоступное поле «%(f)s»") % {"f": name})
        if name == "source" and action.get("value") and not Source.objects.filter(
                code=action["value"]).exists():
            _fail(f"{path}.value", _("нет источника с кодом «%(c)s»") % {"c": action["value"]})
    elif kind in ("comment_add",):
        _text(action["text"], f"{path}.text")
    elif kind == "notify":
        _text(action["text"], f"{path}.text", 1000)
        _user_ref(action.get("to") or "responsible", f"{path}.to", ("responsible", "head", "actor"))
    elif kind == "email_client":
        _text(action["subject"], f"{path}.subject", 255)
        _text(action["body"], f"{path}.body", 20000)
    elif kind == "webhook":
        url = action["url"]
        if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"} \
                or not urlsplit(url).netloc:
            _fail(f"{path}.url", _("адрес http:// или https://"))
    elif kind == "deal_create":
        code = action.get("stage")
        if code and not Stage.objects.filter(code=code, semantics=Semantics.PROCESS).exists():
            _fail(f"{path}.stage", _("код рабочей стадии сделки"))
    elif kind == "process_start":
        if action["process"] not in PROCESSES:
            _fail(f"{path}.process", _("один из: %(all)s") % {"all": ", ".join(PROCESSES)})
        if not isinstance(action.get("params") or {}, dict):
            _fail(f"{path}.params", _("ожидается объект"))


def robot_rules_check(robot) -> None:
    """Validate the trigger field, the condition tree and the actions of `robot`."""
    entity = robot.entity
    custom_codes = set(CustomFieldDefinition.objects.filter(entity=entity)
                       .values_list("code", flat=True))
    if robot.trigger == "field_changed" and robot.trigger_field and not (
            robot.trigger_field in FIELD_TRIGGER_FIELDS[entity]
            or robot.trigger_field[len("custom."):] in custom_codes):
        raise ValidationError({"trigger_field": _("Неизвестное поле «%(f)s».")
                               % {"f": robot.trigger_field}})
    if robot.trigger == "sla_breached" and entity != "lead":
        raise ValidationError({"trigger": _("Срок первой реакции есть только у лидов.")})
    try:
        conditions_check(robot.conditions, custom_codes)
    except ValidationError as error:
        raise ValidationError({"conditions": error.messages}) from None
    actions = robot.actions
    if not isinstance(actions, list) or not actions or len(actions) > MAX_ACTIONS:
        raise ValidationError({"actions": _("От 1 до %(n)s действий.") % {"n": MAX_ACTIONS}})
    try:
        for index, action in enumerate(actions):
            _action_check(action, f"actions[{index}]", robot, custom_codes)
    except ValidationError as error:
        raise ValidationError({"actions": error.messages}) from None
