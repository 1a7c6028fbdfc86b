"""The timeline of a lead, deal, contact or company, read from the typed event log.

Services write `TimelineEvent` rows (crm/timeline.py `event_record`); this module turns them
into `TimelineEntry` objects the `web/_timeline.html` partial renders. Payloads keep rows
as `{"id": …, "name": …}`, so names are shown without extra queries. Reading is three
queries at most: the events (with actor, call and who answered), and the e-mail
attachments of all e-mails on the page at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from voronka.automation.models import RunState
from voronka.crm.models import Company, Contact, Deal, EventKind, Lead, TimelineEvent
from voronka.mail.models import Attachment

OWNER_MODELS: dict[str, type[Model]] = {
    "lead": Lead, "deal": Deal, "contact": Contact, "company": Company}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    event: TimelineEvent
    kind: str
    css: str
    title: str
    attachments: list[Attachment] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    status_from: str = ""
    status_to: str = ""
    assigned_to: str = ""
    reason: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    form_fields: list[dict[str, Any]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    robot_state: str = ""  # a robot run: done, failed, cancelled or refused
    robot_state_label: str = ""

    @property
    def payload(self) -> dict[str, Any]:
        return self.event.payload or {}

    @property
    def call(self):
        return self.event.call

    @property
    def attachment_urls(self) -> list[tuple[Attachment, str]]:
        return [(a, reverse("leads:attachment", args=[self.event.pk, a.pk]))
                for a in self.attachments]


def display_value(value: Any) -> str:
    """A payload value as a person reads it: rows by name, empty as a dash."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{k}: {display_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value)
    return str(value)


def _name(value: Any) -> str:
    return display_value(value) if value else ""


def _field_label(owner: str, name: str) -> str:
    if name == "custom_fields":
        return _("Пользовательские поля")
    model = OWNER_MODELS.get(owner)
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except Exception:  # a field removed since the event was written
        return name


def _owner_of(event: TimelineEvent) -> str:
    return next((name for name in OWNER_MODELS if getattr(event, f"{name}_id")), "lead")


def _changes(event: TimelineEvent) -> list[FieldChange]:
    owner = _owner_of(event)
    return [FieldChange(_field_label(owner, name), display_value(diff.get("old")),
                        display_value(diff.get("new")))
            for name, diff in (event.payload.get("changes") or {}).items()]


def _titled(event: TimelineEvent) -> str:
    if event.kind == EventKind.CALL and event.call is not None:
        if event.call.is_missed:
            return _("Пропущенный звонок")
        return _("Исходящий звонок") if event.call.direction == "out" else _("Входящий звонок")
    if event.kind == EventKind.CLOSED and event.deal_id and not event.lead_id:
        return _("Сделка выиграна") if event.payload.get("won") else _("Сделка проиграна")
    if event.kind == EventKind.CLOSED:
        return _("Закрыт как некачественный")
    return str(event.get_kind_display())


CSS = {
    EventKind.CALL: "call", EventKind.EMAIL: "email", EventKind.FORM: "form",
    EventKind.COMMENT: "comment", EventKind.ROBOT: "robot",
}
ROBOT_FAILED = "failed"
EFFECT_RETRY = "retry"  # automation.effects: a delivery failed, another attempt is due


def _robot_state(entry: TimelineEntry, payload: dict[str, Any]) -> None:
    """A robot run's outcome: a failed one is drawn red so that it is not missed."""
    state = payload.get("state") or ""
    entry.robot_state = state
    if state == EFFECT_RETRY:  # a webhook or letter that did not go out yet
        entry.robot_state_label = _("Будет повтор")
    else:
        entry.robot_state_label = str(RunState(state).label) if state in RunState.values else state
    if state in (ROBOT_FAILED, EFFECT_RETRY):
        entry.css = "robot-failed"


def _entry(event: TimelineEvent) -> TimelineEntry:
    payload = event.payload or {}
    css = CSS.get(event.kind, "system")
    if event.kind == EventKind.CALL and event.call is not None and event.call.is_missed:
        css = "missed"
    entry = TimelineEntry(event=event, kind=event.kind, css=css, title=_titled(event))
    if event.kind in (EventKind.STATUS_CHANGED, EventKind.STAGE_CHANGED, EventKind.CLOSED,
                      EventKind.CONVERTED):
        entry.status_from, entry.status_to = _name(payload.get("from")), _name(payload.get("to"))
        entry.reason = _name(payload.get("reason"))
    if event.kind == EventKind.ASSIGNED:
        responsible = (payload.get("changes") or {}).get("responsible")
        entry.assigned_to = _name(responsible["new"] if responsible else payload.get("to"))
        entry.reason = payload.get("reason_text") or ""
    if event.kind == EventKind.UPDATED:
        entry.changes = _changes(event)
    if event.kind == EventKind.FORM:
        entry.utm = {k: v for k, v in (payload.get("utm") or {}).items() if v}
        entry.form_fields = [f for f in payload.get("fields") or [] if f.get("value")]
    if event.kind == EventKind.ROBOT:
        _robot_state(entry, payload)
    if event.kind == EventKind.COMMENT and payload.get("process"):  # a business process's copies
        entry.links += [(_("Сделка №%(id)s") % {"id": pk}, f"/deals/{pk}/")
                        for pk in payload.get("deals") or [] if isinstance(pk, int)]
        entry.links += [(_("Лид №%(id)s") % {"id": pk}, f"/leads/{pk}/")
                        for pk in payload.get("leads") or [] if isinstance(pk, int)]
    if event.kind == EventKind.CONVERTED:
        for key, url_name, label in (("deal", "/deals/%s/", _("Сделка")),
                                     ("contact", "/contacts/%s/", _("Контакт")),
                                     ("company", "/companies/%s/", _("Компания"))):
            item = payload.get(key)
            if isinstance(item, dict) and item.get("id"):
                entry.links.append((f"{label}: {item.get('name', '')}", url_name % item["id"]))
    return entry


def timeline_for(*, lead=None, deal=None, contact=None, company=None,
                 limit: int = 200) -> list[TimelineEntry]:
    """The newest `limit` events of the given items (any of them), newest first.

    The caller has already checked that the user may see the item.
    """
    owners = {"lead": lead, "deal": deal, "contact": contact, "company": company}
    condition = Q(pk__in=[])
    for name, item in owners.items():
        if item is not None:
            condition |= Q(**{name: item})
    events = list(
        TimelineEvent.objects.filter(condition)
        .select_related("actor", "call", "call__answered_by")
        .order_by("-created_at", "-id")[:limit]
    )
    entries = [_entry(event) for event in events]
    _attachments_attach(entries)
    return entries


def _attachments_attach(entries: list[TimelineEntry]) -> None:
    """E-mail events name their InboundEvent; its stored files are their attachments."""
    by_inbound: dict[int, list[TimelineEntry]] = {}
    for entry in entries:
        inbound = entry.payload.get("inbound_event")
        if entry.kind == EventKind.EMAIL and isinstance(inbound, int):
            by_inbound.setdefault(inbound, []).append(entry)
    if not by_inbound:
        return
    for attachment in Attachment.objects.filter(event_id__in=by_inbound).order_by("pk"):
        for entry in by_inbound[attachment.event_id]:
            entry.attachments.append(attachment)
