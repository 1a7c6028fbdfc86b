"""What a robot can do, one function per action type, with the parameters each one takes.

An action is JSON in the robot's row: `{"type": "task_create", "title": "Перезвонить",
"deadline_minutes": 30}`. `ACTIONS` is the registry: the label shown in the settings, the
parameters (name → required?), and the function. Every function gets the item (a lead or
a deal, locked by the engine), its parameters and the run context, changes data only
through the CRM services, and returns one line for the timeline.

Texts (titles, comments, letters) may hold placeholders such as `{{title}}` or
`{{client}}`; `text_render` fills them from a fixed set of values, never from code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.accounts.models import User
from voronka.automation.effects import email_effect, webhook_effect
from voronka.automation.notify import heads_of_sales, notify
from voronka.crm.items import item_owner, item_path
from voronka.crm.models import (
    CommunicationKind,
    EventKind,
    Lead,
    LeadStatus,
    Source,
    Stage,
    Task,
    TaskKind,
)
from voronka.crm.services import deals as deal_services
from voronka.crm.services import leads as lead_services
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import money_format
from voronka.crm.timeline import event_record


@dataclass
class RunContext:
    """Who and what set the run off: the robot, the run, and the user whose action fired it."""

    robot: Any
    run_id: int | None = None
    actor: User | None = None
    extra: dict = field(default_factory=dict)
    effects: list[dict] = field(default_factory=list)  # sent after the run commits


def _is_lead(item) -> bool:
    return isinstance(item, Lead)


def _client_name(item) -> str:
    if _is_lead(item):
        person = " ".join(p for p in (item.name, item.last_name) if p)
        return person or item.company_title or item.title
    if item.contact_id:
        return str(item.contact)
    return item.company.title if item.company_id else item.title


def _client_email(item) -> str:
    if _is_lead(item):
        owners = [item.communications]
    else:
        owners = [owner.communications for owner in (item.contact, item.company) if owner]
    for communications in owners:
        email = (communications.filter(kind=CommunicationKind.EMAIL)
                 .values_list("normalized", flat=True).first())
        if email:
            return email
    return ""


def placeholders(item) -> dict[str, str]:
    return {
        "id": str(item.pk), "title": item.title, "client": _client_name(item),
        "amount": money_format(item.amount) if item.amount is not None else "",
        "source": item.source.name if item.source_id else "",
        "responsible": item.responsible.display_name if item.responsible_id else "",
        "link": settings.VORONKA_BASE_URL + item_path(item),
    }


PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def text_render(template: str, item) -> str:
    values = placeholders(item)
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template or "")


def _user(name: str) -> User:
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise ValidationError(_("Нет активного сотрудника с логином «%(u)s».") % {"u": name})
    return user


def _recipients(to: str, item, context: RunContext) -> list[User]:
    if to == "responsible":
        return [item.responsible] if item.responsible_id else []
    if to == "head":
        return heads_of_sales()
    if to == "actor":
        return [context.actor] if context.actor else []
    return [_user(to)]


# -- the actions -------------------------------------------------------------------------

def task_create(item, params: dict, context: RunContext) -> str:
    now = timezone.now()
    deadline = now + dt.timedelta(minutes=int(params.get("deadline_minutes") or 60))
    before = params.get("remind_minutes_before")
    task = Task.objects.create(
        kind=params.get("kind") or TaskKind.TASK, title=text_render(params["title"], item)[:255],
        responsible=item.responsible, deadline=deadline,
        remind_at=deadline - dt.timedelta(minutes=int(before)) if before not in (None, "") else None,
        **item_owner(item))
    who = item.responsible.display_name if item.responsible_id else _("без ответственного")
    return _("дело «%(t)s» для %(who)s, срок %(d)s") % {
        "t": task.title, "who": who, "d": timezone.localtime(deadline).strftime("%d.%m %H:%M")}


def assign(item, params: dict, context: RunContext) -> str:
    from voronka.intake.assignment import round_robin_pick

    target = params["user"]
    user = round_robin_pick(timezone.now()) if target == "round_robin" else _user(target)
    if user is None:
        raise ValidationError(_("Нет менеджеров на смене для распределения по очереди."))
    if _is_lead(item):
        lead_services.lead_assign(lead=item, responsible=user, reason="robot",
                                  reason_text=_("робот «%(r)s»") % {"r": context.robot.name})
    else:
        deal_services.deal_update(deal=item, responsible=user)
    return _("ответственный: %(u)s") % {"u": user.display_name}


def status_set(item, params: dict, context: RunContext) -> str:
    if _is_lead(item):
        status = LeadStatus.objects.get(code=params["status"])
        lead_services.lead_change_status(lead=item, status=status)
        return _("статус: %(s)s") % {"s": status.name}
    stage = Stage.objects.get(pipeline=item.pipeline, code=params["stage"])
    deal_services.deal_move(deal=item, stage=stage)
    return _("стадия: %(s)s") % {"s": stage.name}


def field_set(item, params: dict, context: RunContext) -> str:
    name, value = params["field"], params.get("value")
    if isinstance(value, str):
        value = text_render(value, item)
    if name.startswith("custom."):
        changes = {"custom_fields": {name[len("custom."):]: value}}
    elif name == "source":
        changes = {"source": Source.objects.get(code=value) if value else None}
    else:
        changes = {name: value}
    if _is_lead(item):
        lead_services.lead_update(lead=item, **changes)
    else:
        deal_services.deal_update(deal=item, **changes)
    return _("поле %(f)s = %(v)s") % {"f": name, "v": value}


def comment_add(item, params: dict, context: RunContext) -> str:
    text = text_render(params["text"], item)
    lead_services.comment_add(text=text, **item_owner(item))
    return _("комментарий добавлен")


def notify_user(item, params: dict, context: RunContext) -> str:
    users = _recipients(params.get("to") or "responsible", item, context)
    if not users:
        return _("уведомлять некого")
    notify(users, text_render(params["text"], item), link=item_path(item),
           email=bool(params.get("email")))
    return _("уведомление: %(who)s") % {"who": ", ".join(u.display_name for u in users)}


def email_client(item, params: dict, context: RunContext) -> str:
    address = _client_email(item)
    if not address:
        raise ValidationError(_("У клиента нет e-mail."))
    subject, body = text_render(params["subject"], item), text_render(params["body"], item)
    context.effects.append(email_effect(address, subject, body))
    event_record(EventKind.EMAIL, **item_owner(item),
                 text=body, payload={"direction": "out", "subject": subject, "to": address,
                                     "robot": context.robot.name})
    return _("письмо клиенту на %(a)s") % {"a": address}


def webhook_body(item, context: RunContext) -> bytes:
    data = {"event": "robot", "robot": {"id": context.robot.pk, "name": context.robot.name},
            "run_id": context.run_id, "entity": "lead" if _is_lead(item) else "deal",
            "item": {"id": item.pk, "title": item.title,
                     "amount": str(item.amount) if item.amount is not None else None,
                     "source": item.source.code if item.source_id else None,
                     "responsible": item.responsible.username if item.responsible_id else None,
                     "url": settings.VORONKA_BASE_URL + item_path(item)}}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_call(item, params: dict, context: RunContext) -> str:
    body = webhook_body(item, context)
    context.effects.append(webhook_effect(params["url"], {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Voronka-robot",
        # A run is at-least-once for the outside world: the id lets a receiver drop repeats.
        "X-Voronka-Delivery": f"robot-run-{context.run_id}",
        "X-Voronka-Signature": webhook_signature(params.get("secret") or "", body)}, body))
    return _("вебхук %(url)s: отправка после сохранения") % {"url": params["url"]}


def deal_create(item, params: dict, context: RunContext) -> str:
    stage = Stage.objects.filter(code=params["stage"]).first() if params.get("stage") else None
    title = text_render(params.get("title") or "{{title}}", item)
    if _is_lead(item):
        deal = lead_convert(lead=item, legal_entity=bool(item.company_title), stage=stage,
                            pipeline=stage.pipeline if stage else None,
                            amount=params.get("amount", item.amount), deal_title=title).deal
    else:
        deal = deal_services.deal_create(
            title=title, amount=params.get("amount", item.amount), stage=stage,
            contact=item.contact, company=item.company, source=item.source,
            responsible=item.responsible, parent_deal=item, is_repeat=True,
            **{name: getattr(item, name) for name in ("utm_source", "utm_medium", "utm_campaign",
                                                       "utm_content", "utm_term")})
    return _("создана сделка №%(id)s «%(t)s»") % {"id": deal.pk, "t": deal.title}


def process_start(item, params: dict, context: RunContext) -> str:
    from voronka.automation.processes import process_start as start

    result = start(params["process"], acting_user=None, params={
        **(params.get("params") or {}), "deal_id" if not _is_lead(item) else "lead_id": item.pk})
    return _("бизнес-процесс «%(p)s»: %(r)s") % {"p": params["process"], "r": result.summary}


@dataclass(frozen=True)
class ActionType:
    label: Any
    run: Callable[[Any, dict, RunContext], str]
    params: dict[str, bool]  # name → required
    changes_place: bool = False  # moves the item to another status/stage


ACTIONS: dict[str, ActionType] = {
    "task_create": ActionType(gettext_lazy("Поставить дело ответственному"), task_create,
                              {"title": True, "deadline_minutes": False,
                               "remind_minutes_before": False, "kind": False}),
    "assign": ActionType(gettext_lazy("Сменить ответственного"), assign, {"user": True}),
    "status_set": ActionType(gettext_lazy("Сменить статус или стадию"), status_set,
                             {"status": False, "stage": False}, changes_place=True),
    "field_set": ActionType(gettext_lazy("Изменить поле"), field_set,
                            {"field": True, "value": False}),
    "comment_add": ActionType(gettext_lazy("Добавить комментарий"), comment_add, {"text": True}),
    "notify": ActionType(gettext_lazy("Уведомить сотрудника"), notify_user,
                         {"to": False, "text": True, "email": False}),
    "email_client": ActionType(gettext_lazy("Письмо клиенту по шаблону"), email_client,
                               {"subject": True, "body": True}),
    "webhook": ActionType(gettext_lazy("Вызвать вебхук"), webhook_call,
                          {"url": True, "secret": False}),
    "deal_create": ActionType(gettext_lazy("Создать сделку"), deal_create,
                              {"stage": False, "title": False, "amount": False}),
    "process_start": ActionType(gettext_lazy("Запустить бизнес-процесс"), process_start,
                                {"process": True, "params": False}),
}
