"""Form fields for the parameters of each robot action (automation.actions.ACTIONS).

Every action type's parameters get an input here, with a Russian label and, where the
value is a code or a login, a list to choose from. Whether a parameter is really required
and whether its value is valid is decided by `Robot.full_clean` (automation.rules), so the
inputs themselves are all optional: only the chosen type's inputs count.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.automation.actions import ACTIONS
from voronka.automation.rules import SETTABLE
from voronka.crm.models import CustomFieldDefinition, Deal, Lead, Semantics, Stage, TaskKind
from voronka.crm.selectors import lead_statuses_selectable

TEXTAREA = forms.Textarea(attrs={"rows": 3})
NUMBER = {"min_value": 1}


def _people(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    users = User.objects.filter(is_active=True).order_by("full_name", "username")
    return [*extra, *((u.username, u.display_name) for u in users)]


def field_label(entity: str, name: str) -> str:
    """A lead or deal field (or `custom.code`) as a person reads it."""
    if name.startswith("custom."):
        return str(name)
    model = Lead if entity == "lead" else Deal
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # tracking fields kept as plain names
        return name


def custom_choices(entity: str) -> list[tuple[str, str]]:
    return [(f"custom.{c.code}", c.label)
            for c in CustomFieldDefinition.objects.filter(entity=entity)]


def _settable(entity: str) -> list[tuple[str, str]]:
    fields = sorted(((name, field_label(entity, name)) for name in SETTABLE[entity]),
                    key=lambda pair: pair[1])
    return [*fields, *custom_choices(entity)]


def _stages(pipeline_id: int | None) -> list[tuple[str, str]]:
    stages = Stage.objects.filter(semantics=Semantics.PROCESS).select_related("pipeline")
    if pipeline_id:
        stages = stages.filter(pipeline_id=pipeline_id)
    return [(s.code, f"{s.pipeline.name}: {s.name}") for s in stages]


def _choice(label, choices, blank="—") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", blank), *choices])


Builder = Callable[[str, int | None], forms.Field]

# (action type, parameter) → builder(entity, pipeline id of a deal robot).
PARAM_FIELDS: dict[tuple[str, str], Builder] = {
    ("task_create", "title"): lambda e, p: forms.CharField(
        label=_("Что сделать"), required=False, max_length=255,
        help_text=_("Можно вставить {{title}}, {{client}}, {{amount}}.")),
    ("task_create", "deadline_minutes"): lambda e, p: forms.IntegerField(
        label=_("Срок, минут после запуска"), required=False, help_text=_("Пусто — 60 минут."),
        **NUMBER),
    ("task_create", "remind_minutes_before"): lambda e, p: forms.IntegerField(
        label=_("Напомнить за, минут до срока"), required=False, **NUMBER),
    ("task_create", "kind"): lambda e, p: _choice(_("Вид дела"), TaskKind.choices),
    ("assign", "user"): lambda e, p: _choice(
        _("Кому"), _people(("round_robin", str(_("По очереди — кто на смене"))))),
    ("status_set", "status"): lambda e, p: _choice(
        _("Новый статус"), [(s.code, s.name) for s in lead_statuses_selectable()]),
    ("status_set", "stage"): lambda e, p: _choice(_("Новая стадия"), _stages(p)),
    ("field_set", "field"): lambda e, p: _choice(_("Поле"), _settable(e)),
    ("field_set", "value"): lambda e, p: forms.CharField(
        label=_("Значение"), required=False, max_length=1000,
        help_text=_("Для источника — его код. Пусто — очистить поле.")),
    ("comment_add", "text"): lambda e, p: forms.CharField(
        label=_("Текст комментария"), required=False, widget=TEXTAREA),
    ("notify", "to"): lambda e, p: _choice(_("Кому"), _people(
        ("head", str(_("Руководителям отдела"))), ("actor", str(_("Тому, кто запустил")))),
        blank=_("Ответственному")),
    ("notify", "text"): lambda e, p: forms.CharField(
        label=_("Текст уведомления"), required=False, max_length=1000, widget=TEXTAREA),
    ("notify", "email"): lambda e, p: forms.BooleanField(
        label=_("Ещё и на почту"), required=False),
    ("email_client", "subject"): lambda e, p: forms.CharField(
        label=_("Тема письма"), required=False, max_length=255),
    ("email_client", "body"): lambda e, p: forms.CharField(
        label=_("Текст письма"), required=False, widget=forms.Textarea(attrs={"rows": 5})),
    ("webhook", "url"): lambda e, p: forms.CharField(
        label=_("Адрес вебхука"), required=False, max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"})),
    ("webhook", "secret"): lambda e, p: forms.CharField(
        label=_("Секрет для подписи"), required=False, max_length=200,
        help_text=_("Пусто — создадим случайный. Получатель проверяет заголовок "
                    "X-Voronka-Signature: HMAC-SHA256 тела с этим секретом.")),
    ("deal_create", "stage"): lambda e, p: _choice(
        _("Стадия новой сделки"), _stages(None), blank=_("Первая стадия по умолчанию")),
    ("deal_create", "title"): lambda e, p: forms.CharField(
        label=_("Название сделки"), required=False, max_length=255,
        help_text=_("Пусто — как у исходного элемента.")),
    ("deal_create", "amount"): lambda e, p: forms.DecimalField(
        label=_("Сумма"), required=False, min_value=0, max_digits=14, decimal_places=2),
    ("process_start", "process"): lambda e, p: _choice(_("Бизнес-процесс"), _processes()),
    ("process_start", "params"): lambda e, p: forms.JSONField(
        label=_("Параметры (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2})),
}


def _processes() -> list[tuple[str, str]]:
    from voronka.automation.processes import PROCESSES

    return [(name, name) for name in sorted(PROCESSES)]


def params_for(kind: str, entity: str) -> list[str]:
    """The parameters of an action type that make sense for a lead or a deal robot."""
    skip = {"stage"} if (kind == "status_set" and entity == "lead") else \
        {"status"} if (kind == "status_set" and entity == "deal") else set()
    return [name for name in ACTIONS[kind].params if name not in skip]


def param_field(kind: str, name: str, entity: str, pipeline_id: int | None) -> forms.Field:
    builder = PARAM_FIELDS.get((kind, name))
    if builder is None:  # an action added to the engine later still gets a plain input
        return forms.CharField(label=name, required=False)
    return builder(entity, pipeline_id)
