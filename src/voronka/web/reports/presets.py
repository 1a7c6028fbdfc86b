"""Period presets of the report pages: сегодня, неделя, месяц, квартал, год, прошлый месяц."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

PRESETS = {
    "today": _("Сегодня"),
    "week": _("Неделя"),
    "month": _("Месяц"),
    "quarter": _("Квартал"),
    "year": _("Год"),
    "last_month": _("Прошлый месяц"),
}
DEFAULT_PRESET = "month"


def preset_dates(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Both dates inclusive; every preset but «прошлый месяц» runs up to today."""
    if name == "today":
        return today, today
    if name == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if name == "month":
        return today.replace(day=1), today
    if name == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if name == "year":
        return today.replace(month=1, day=1), today
    if name == "last_month":
        last_day = today.replace(day=1) - dt.timedelta(days=1)
        return last_day.replace(day=1), last_day
    raise KeyError(name)
