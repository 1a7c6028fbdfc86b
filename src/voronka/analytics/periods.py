"""Report periods: two inclusive local dates in a time zone, as half-open UTC bounds."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_DAYS = 3700  # ten years: a longer period is a typo, not a report


def company_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def zone_parse(name: str | None) -> zoneinfo.ZoneInfo:
    if not name:
        return company_zone()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Неизвестный часовой пояс: %(tz)s") % {"tz": name}) from exc


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC moment a local day starts (zoneinfo resolves DST gaps forward)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def local_day(moment: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> dt.date:
    return moment.astimezone(zone or company_zone()).date()


@dataclass(frozen=True)
class Period:
    """Both dates inclusive, local to `zone`."""

    date_from: dt.date
    date_to: dt.date
    zone: zoneinfo.ZoneInfo

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise ValidationError(_("Конец периода раньше начала."))
        if (self.date_to - self.date_from).days >= MAX_DAYS:
            raise ValidationError(_("Период длиннее десяти лет."))

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.date_from, self.zone)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the first moment after the period."""
        return local_midnight(self.date_to + dt.timedelta(days=1), self.zone)

    @property
    def days_count(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def in_company_zone(self) -> bool:
        return self.zone.key == settings.TIME_ZONE

    def days(self) -> Iterator[dt.date]:
        for offset in range(self.days_count):
            yield self.date_from + dt.timedelta(days=offset)

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.date_from - dt.timedelta(days=self.days_count),
                      self.date_from - dt.timedelta(days=1), self.zone)

    def as_dict(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "tz": self.zone.key}


def date_parse(value: str | dt.date, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise ValidationError(_("%(field)s: дата в формате ГГГГ-ММ-ДД, получено «%(value)s».")
                              % {"field": field, "value": value}) from exc


def period_parse(date_from: str | dt.date, date_to: str | dt.date, tz: str | None = None) -> Period:
    return Period(date_parse(date_from, "from"), date_parse(date_to, "to"), zone_parse(tz))


PRESETS = ("today", "week", "month")


def period_preset(name: str, *, tz: str | None = None, today: dt.date | None = None) -> Period:
    """today / week (Monday to today) / month (the 1st to today), in `tz`."""
    zone = zone_parse(tz)
    today = today or timezone.now().astimezone(zone).date()
    if name == "today":
        return Period(today, today, zone)
    if name == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today, zone)
    if name == "month":
        return Period(today.replace(day=1), today, zone)
    raise ValidationError(_("Неизвестный период: %(name)s") % {"name": name})


def period_preset_previous(name: str, current: Period) -> Period:
    """The comparable stretch before: yesterday, the same days of last week, of last month."""
    if name == "month":
        last_month_end = current.date_from - dt.timedelta(days=1)
        start = last_month_end.replace(day=1)
        length = min(current.days_count, last_month_end.day)
        return Period(start, start + dt.timedelta(days=length - 1), current.zone)
    if name == "week":
        shift = dt.timedelta(days=7)
        return Period(current.date_from - shift, current.date_to - shift, current.zone)
    return current.previous()
