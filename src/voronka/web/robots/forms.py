"""The robot form: a robot's trigger, delay, conditions and actions as plain inputs.

Conditions are rows (field / comparison / value) joined by «и» or «или»; a nested tree is
edited as JSON instead. Actions are rows too: each row has a type and the inputs of every
type's parameters (a small script shows only the chosen type's; without JavaScript all are
shown under their headings). The number of rows travels in hidden inputs, so «Ещё
действие» simply re-renders the form with one more row.

Nothing is checked twice: the form turns the inputs into the robot's JSON and lets
`Robot.full_clean` (automation.rules) judge it; its messages name the place
(`actions[0].title: …`), which is mapped back to the input it came from.
"""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.automation.actions import ACTIONS
from voronka.automation.conditions import COMPARISONS, FIELDS, NO_VALUE
from voronka.automation.models import Robot, RobotEntity, Trigger
from voronka.automation.rules import FIELD_TRIGGER_FIELDS, MAX_ACTIONS, robot_rules_check
from voronka.crm.models import LeadStatus, Stage
from voronka.web.robots.params import custom_choices, field_label, param_field, params_for

UNITS = {"minutes": 1, "hours": 60, "days": 1440}
MAX_CONDITION_ROWS = 50
ACTION_ERROR = re.compile(r"^actions\[(\d+)\]\.(\w+): (.*)$", re.S)
CONDITION_ERROR = re.compile(r"^conditions\.items\[(\d+)\]\.(field|cmp|value): (.*)$", re.S)
LEAD_ONLY_FIELDS = {"status"}
DEAL_ONLY_FIELDS = {"stage", "pipeline"}


@dataclass
class ConditionRow:
    field: forms.BoundField
    cmp: forms.BoundField
    value: forms.BoundField


@dataclass
class ActionGroup:
    kind: str
    label: str
    fields: list[forms.BoundField]


@dataclass
class ActionRow:
    number: int
    type: forms.BoundField
    groups: list[ActionGroup]


def _is_flat(tree: dict) -> bool:
    return not tree or ("items" in tree and all("items" not in child for child in tree["items"]))


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def delay_split(minutes: int) -> tuple[int, str]:
    """The largest unit that divides the delay evenly: 120 → (2, "hours")."""
    for unit in ("days", "hours"):
        if minutes and minutes % UNITS[unit] == 0:
            return minutes // UNITS[unit], unit
    return minutes, "minutes"


class RobotForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Название"), max_length=200)
    place = forms.TypedChoiceField(label=gettext_lazy("Статус"), coerce=int)
    trigger = forms.ChoiceField(label=gettext_lazy("Когда срабатывает"), choices=Trigger.choices)
    trigger_field = forms.ChoiceField(
        label=gettext_lazy("Какое поле"), required=False,
        help_text=gettext_lazy("Только для «Изменено поле»."))
    delay_value = forms.IntegerField(label=gettext_lazy("Задержка"), min_value=0, initial=0,
                                     required=False)
    delay_unit = forms.ChoiceField(label=gettext_lazy("Единица"), initial="minutes", choices=[
        ("minutes", gettext_lazy("минут")), ("hours", gettext_lazy("часов")),
        ("days", gettext_lazy("дней"))])
    at_time = forms.TimeField(
        label=gettext_lazy("В момент"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Необязательно: выполнить в ближайшее это время после задержки."))
    join = forms.ChoiceField(label=gettext_lazy("Условия объединяются"), initial="and", choices=[
        ("and", gettext_lazy("и — должны выполняться все")),
        ("or", gettext_lazy("или — достаточно одного"))])
    conditions_json = forms.JSONField(
        label=gettext_lazy("Сложные условия (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy('Для вложенных «и»/«или». Если заполнено, строки выше не учитываются. '
                               'Пример: {"op": "or", "items": [{"field": "amount", "cmp": "gte", '
                               '"value": "100000"}, {"field": "is_repeat", "cmp": "eq", "value": true}]}'))
    is_active = forms.BooleanField(label=gettext_lazy("Включён"), required=False, initial=True)
    condition_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, robot: Robot, more: str = "") -> None:
        self.robot = robot
        self.entity = robot.entity
        self.pipeline_id = robot.stage.pipeline_id if robot.entity == RobotEntity.DEAL else None
        self._action_rows_map: dict[int, int] = {}  # index in robot.actions → row
        self._condition_rows_map: dict[int, int] = {}
        initial = self._initial_from(robot)
        super().__init__(data, initial=initial)
        n_conditions = self._rows("condition_rows", initial["condition_rows"], MAX_CONDITION_ROWS)
        n_actions = self._rows("action_rows", initial["action_rows"], MAX_ACTIONS)
        if more == "condition":
            n_conditions = min(n_conditions + 1, MAX_CONDITION_ROWS)
        elif more == "action":
            n_actions = min(n_actions + 1, MAX_ACTIONS)
        self._place_setup()
        self._trigger_setup()
        self._conditions_setup(n_conditions)
        self._actions_setup(n_actions)
        if self.is_bound:  # the (possibly grown) counts go back with the next submit
            self.data = self.data.copy()
            self.data["condition_rows"], self.data["action_rows"] = n_conditions, n_actions

    # -- building the inputs -------------------------------------------------------------

    def _rows(self, name: str, default: int, limit: int) -> int:
        try:
            wanted = int(self.data.get(name)) if self.is_bound else default
        except (TypeError, ValueError):
            wanted = default
        return max(1, min(wanted, limit))

    @staticmethod
    def _initial_from(robot: Robot) -> dict:
        value, unit = delay_split(robot.delay_minutes)
        tree = robot.conditions or {}
        if tree and "items" not in tree:  # a single comparison saved by the API
            tree = {"op": "and", "items": [tree]}
        initial = {"name": robot.name, "place": robot.status_id or robot.stage_id,
                   "trigger": robot.trigger, "trigger_field": robot.trigger_field,
                   "delay_value": value, "delay_unit": unit, "at_time": robot.at_time,
                   "is_active": robot.is_active, "join": tree.get("op", "and")}
        if _is_flat(tree):
            for index, leaf in enumerate(tree.get("items", [])):
                initial |= {f"c{index}_field": leaf.get("field"), f"c{index}_cmp": leaf.get("cmp"),
                            f"c{index}_value": _shown(leaf.get("value"))}
            initial["condition_rows"] = len(tree.get("items", [])) + 1
        else:
            initial["conditions_json"] = tree
            initial["condition_rows"] = 1
        for index, action in enumerate(robot.actions or []):
            kind = action.get("type")
            initial[f"a{index}_type"] = kind
            for name, value in action.items():
                if name != "type":
                    initial[f"a{index}_{kind}_{name}"] = value
        initial["action_rows"] = len(robot.actions or []) + (1 if robot.actions else 2)
        return initial

    def _place_setup(self) -> None:
        field = self.fields["place"]
        if self.entity == RobotEntity.LEAD:
            field.choices = [(s.pk, s.name) for s in LeadStatus.objects.all()]
        else:
            field.label = _("Стадия")
            field.choices = [(s.pk, s.name) for s in Stage.objects.filter(pipeline_id=self.pipeline_id)]

    def _trigger_setup(self) -> None:
        if self.entity == RobotEntity.DEAL:
            self.fields["trigger"].choices = [c for c in Trigger.choices
                                              if c[0] != Trigger.SLA_BREACHED]
        names = sorted(FIELD_TRIGGER_FIELDS[self.entity], key=lambda n: field_label(self.entity, n))
        self.fields["trigger_field"].choices = [
            ("", _("любое")), *((n, field_label(self.entity, n)) for n in names),
            *custom_choices(self.entity)]

    def _condition_fields(self) -> list[tuple[str, str]]:
        skip = DEAL_ONLY_FIELDS if self.entity == RobotEntity.LEAD else LEAD_ONLY_FIELDS
        return [*((name, str(label)) for name, (label, _read) in FIELDS.items() if name not in skip),
                *custom_choices(self.entity)]

    def _conditions_setup(self, rows: int) -> None:
        fields = [("", "—"), *self._condition_fields()]
        cmps = [(k, str(v)) for k, v in COMPARISONS.items()]
        for index in range(rows):
            self.fields[f"c{index}_field"] = forms.ChoiceField(label=_("Поле"), required=False,
                                                               choices=fields)
            self.fields[f"c{index}_cmp"] = forms.ChoiceField(label=_("Сравнение"), required=False,
                                                             choices=cmps)
            self.fields[f"c{index}_value"] = forms.CharField(
                label=_("Значение"), required=False, max_length=1000)

    def _actions_setup(self, rows: int) -> None:
        prototypes = {(kind, name): param_field(kind, name, self.entity, self.pipeline_id)
                      for kind in ACTIONS for name in params_for(kind, self.entity)}
        kinds = [("", _("— не выбрано —")), *((k, str(spec.label)) for k, spec in ACTIONS.items())]
        for index in range(rows):
            self.fields[f"a{index}_type"] = forms.ChoiceField(
                label=_("Что сделать"), required=False, choices=kinds,
                widget=forms.Select(attrs={"data-action-type": ""}))
            for (kind, name), prototype in prototypes.items():
                self.fields[f"a{index}_{kind}_{name}"] = copy.deepcopy(prototype)

    # -- what the template shows ---------------------------------------------------------

    @property
    def condition_rows_shown(self) -> list[ConditionRow]:
        count = int(self["condition_rows"].value() or 0)
        return [ConditionRow(self[f"c{i}_field"], self[f"c{i}_cmp"], self[f"c{i}_value"])
                for i in range(count) if f"c{i}_field" in self.fields]

    @property
    def action_rows_shown(self) -> list[ActionRow]:
        count = int(self["action_rows"].value() or 0)
        return [ActionRow(i + 1, self[f"a{i}_type"], [
            ActionGroup(kind, str(spec.label),
                        [self[f"a{i}_{kind}_{name}"] for name in params_for(kind, self.entity)])
            for kind, spec in ACTIONS.items()]) for i in range(count) if f"a{i}_type" in self.fields]

    # -- from inputs to the robot ---------------------------------------------------------

    def _conditions(self, data: dict) -> dict:
        if data.get("conditions_json") not in (None, "", {}):
            return data["conditions_json"]
        items = []
        for index in range(int(self["condition_rows"].value() or 0)):
            name = data.get(f"c{index}_field")
            if not name:
                continue
            leaf = {"field": name, "cmp": data.get(f"c{index}_cmp") or "eq"}
            if leaf["cmp"] not in NO_VALUE:
                leaf["value"] = data.get(f"c{index}_value", "")
            self._condition_rows_map[len(items)] = index
            items.append(leaf)
        return {"op": data.get("join") or "and", "items": items} if items else {}

    def _actions(self, data: dict) -> list[dict]:
        actions = []
        for index in range(int(self["action_rows"].value() or 0)):
            kind = data.get(f"a{index}_type")
            if not kind:
                continue
            action: dict = {"type": kind}
            for name in params_for(kind, self.entity):
                value = data.get(f"a{index}_{kind}_{name}")
                if value in (None, "", False, {}):
                    continue
                action[name] = str(value) if name == "amount" else value
            if kind == "webhook" and not action.get("secret"):
                # Signed by default: an unsigned webhook proves nothing to its receiver.
                action["secret"] = secrets.token_urlsafe(24)
            self._action_rows_map[len(actions)] = index
            actions.append(action)
        return actions

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        robot = self.robot
        robot.name, robot.trigger = data["name"], data["trigger"]
        field_changed = data["trigger"] == Trigger.FIELD_CHANGED
        robot.trigger_field = (data.get("trigger_field") or "") if field_changed else ""
        robot.delay_minutes = (data.get("delay_value") or 0) * UNITS[data["delay_unit"]]
        robot.at_time, robot.is_active = data.get("at_time"), data["is_active"]
        if self.entity == RobotEntity.LEAD:
            robot.status_id = data["place"]
        else:
            robot.stage_id = data["place"]
        robot.conditions, robot.actions = self._conditions(data), self._actions(data)
        self._errors_map(robot_problems(robot))
        return data

    def _errors_map(self, problems: dict[str, list[str]]) -> None:
        targets = {"status": "place", "stage": "place", "delay_minutes": "delay_value",
                   "name": "name", "trigger": "trigger", "trigger_field": "trigger_field",
                   "at_time": "at_time", "is_active": "is_active"}
        for key, messages in problems.items():
            for message in messages:
                if key == "actions":
                    self._action_error(message)
                elif key == "conditions":
                    self._condition_error(message)
                else:
                    self.add_error(targets.get(key), message)

    def _action_error(self, message: str) -> None:
        match = ACTION_ERROR.match(message)
        if match:
            row = self._action_rows_map.get(int(match[1]), 0)
            kind = self.cleaned_data.get(f"a{row}_type")
            name = f"a{row}_{kind}_{match[2]}" if match[2] != "type" else f"a{row}_type"
            if name in self.fields:
                self.add_error(name, match[3])
                return
            message = _("Действие %(n)s: %(m)s") % {"n": row + 1, "m": match[3]}
        self.add_error(None, message if match else _("Действия: %(m)s") % {"m": message})

    def _condition_error(self, message: str) -> None:
        match = CONDITION_ERROR.match(message)
        if match and not self.cleaned_data.get("conditions_json"):
            row = self._condition_rows_map.get(int(match[1]), 0)
            self.add_error(f"c{row}_{match[2]}", match[3])
            return
        target = "conditions_json" if self.cleaned_data.get("conditions_json") else None
        self.add_error(target, _("Условия: %(m)s") % {"m": message})

    def save(self, *, user) -> Robot:
        """Save the robot the form has already built and checked."""
        if self.robot.pk is None:
            self.robot.created_by = user
        self.robot.save()
        return self.robot


def robot_problems(robot: Robot) -> dict[str, list[str]]:
    """`Robot.full_clean`'s messages by field. The rules stop at the first bad action (and
    skip the actions when the conditions are wrong); each action is then checked on its own
    as well, so that every faulty row is marked at once."""
    try:  # the rules judge the JSON fields, with clearer words than «cannot be blank»
        robot.full_clean(exclude=["created_by", "conditions", "actions"])
    except ValidationError as error:
        problems = error.message_dict
    else:
        return {}
    if len(robot.actions) > 1 or "conditions" in problems:
        found: list[str] = []
        for index, action in enumerate(robot.actions):
            alone = copy.copy(robot)
            alone.conditions, alone.actions = {}, [action]
            alone.trigger, alone.trigger_field = Trigger.ENTERED, ""
            try:
                robot_rules_check(alone)
            except ValidationError as error:
                found += [message.replace("actions[0]", f"actions[{index}]", 1)
                          for message in error.messages]
        if found:
            problems["actions"] = found
    return problems


def robot_for_place(*, status_id: str | None, stage_id: str | None) -> Robot | None:
    """A new, unsaved robot on the status or stage a board column asked for."""
    if status_id and status_id.isdigit():
        status = LeadStatus.objects.filter(pk=status_id).first()
        return Robot(entity=RobotEntity.LEAD, status=status) if status else None
    if stage_id and stage_id.isdigit():
        stage = Stage.objects.filter(pk=stage_id).first()
        return Robot(entity=RobotEntity.DEAL, stage=stage) if stage else None
    return None
