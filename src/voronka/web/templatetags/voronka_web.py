"""Template filters for the workspace: money, Russian plurals, the SLA clock."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voronka.crm.normalization import phone_format
from voronka.crm.services.deals import money_format
from voronka.web.navigation import FIELD_MESSAGE

register = template.Library()

# ngettext with a Russian catalog gives 1 лид / 3 лида / 5 лидов (locale/ru has the 3 forms).
NOUNS = {
    "lead": lambda n: ngettext("%(n)s лид", "%(n)s лидов", n),
    "deal": lambda n: ngettext("%(n)s сделка", "%(n)s сделок", n),
    "task": lambda n: ngettext("%(n)s дело", "%(n)s дел", n),
    "call": lambda n: ngettext("%(n)s звонок", "%(n)s звонков", n),
    "contact": lambda n: ngettext("%(n)s контакт", "%(n)s контактов", n),
    "company": lambda n: ngettext("%(n)s компания", "%(n)s компаний", n),
    "row": lambda n: ngettext("%(n)s строка", "%(n)s строк", n),
    "minute": lambda n: ngettext("%(n)s минута", "%(n)s минут", n),
    "hour": lambda n: ngettext("%(n)s час", "%(n)s часов", n),
    "day": lambda n: ngettext("%(n)s день", "%(n)s дней", n),
}


@register.filter
def count(value, noun: str) -> str:
    """`{{ 5|count:"lead" }}` → «5 лидов»."""
    n = int(value or 0)
    return NOUNS[noun](n) % {"n": f"{n:,}".replace(",", "\u202f")}


@register.filter
def page_messages(messages) -> list:
    """The messages for the top of the page: all but those that belong beside a field."""
    return [m for m in messages if not m.extra_tags.startswith(FIELD_MESSAGE)]


@register.filter
def field_messages(messages, field_id: str) -> list:
    """The messages that belong beside the control `field_id` (see FIELD_MESSAGE)."""
    return [m for m in messages if m.extra_tags == f"{FIELD_MESSAGE}{field_id}"]


@register.filter
def comm_text(comm) -> str:
    """A communication as people read it: a phone that came as bare digits (a PBX sends
    `79001234567`) is shown `+7 900 123-45-67`; a value someone typed is kept as typed."""
    value = comm.value or ""
    if comm.kind == "PHONE" and comm.normalized and re.fullmatch(r"\+?\d+", value):
        return phone_format(comm.normalized)
    return value


@register.filter
def phone(value) -> str:
    """An E.164 number as people read it (`+7 900 123-45-67`); anything else as it is."""
    value = str(value or "")
    return phone_format(value) if re.fullmatch(r"\+\d{8,15}", value) else value


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    return money_format(Decimal(value))


def duration_words(seconds: float) -> str:
    """The largest two units, in words: «1 час 5 минут», «3 минуты»."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [count(days, "day")] if days else []
    if hours:
        parts.append(count(hours, "hour"))
    if minutes and not days:
        parts.append(count(minutes, "minute"))
    return " ".join(parts[:2]) or _("меньше минуты")


@register.filter
def talk_time(seconds) -> str:
    """Call length as m:ss."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


@register.simple_tag
def sla_clock(deadline: dt.datetime | None, handled_at: dt.datetime | None = None) -> str:
    """A countdown to the first-response deadline; app.js keeps it ticking, red when overdue."""
    if deadline is None:
        return ""
    if handled_at is not None:
        state, text = "sla sla--done", _("отработан")
    else:
        left = (deadline - timezone.now()).total_seconds()
        if left < 0:
            state, text = "sla sla--overdue", _("просрочен на %(t)s") % {"t": duration_words(left)}
        else:
            state, text = "sla", _("осталось %(t)s") % {"t": duration_words(left)}
    return format_html('<span class="{}" data-deadline="{}" title="{}">{}</span>', state,
                       "" if handled_at else deadline.isoformat(),
                       _("Срок первой реакции"), text)
