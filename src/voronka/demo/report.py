"""What `voronka demo` prints: the progress line, the users and the summary."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from voronka.accounts.models import Role
from voronka.crm.services.deals import money_format
from voronka.demo.catalog import BUSINESS_NAME
from voronka.demo.state import Stats
from voronka.demo.users import DEMO_USERS

PROGRESS_MIN_LEADS = 50_000


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


class ProgressLine:
    """A percentage on stderr: redrawn in place on a terminal, every 10 % in a log."""

    def __init__(self, stream: OutputWrapper, total: int) -> None:
        self.stream, self.total = stream, total
        self.tty = stream.isatty()
        self.enabled = self.tty or total >= PROGRESS_MIN_LEADS
        self._last_step = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        percent = 100 * done // max(total, 1)
        text = f"Демо: {percent}% ({_n(done)} из {_n(total)} лидов)"
        if self.tty:
            self.stream.write(f"\r{text}", ending="\n" if done >= total else "")
        elif percent // 10 > self._last_step:
            self._last_step = percent // 10
            self.stream.write(text)
        self.stream.flush()


def users_lines(password: str | None) -> list[str]:
    lines = ["Пользователи" + (f" (пароль у всех: {password}):" if password else ":")]
    for user in DEMO_USERS:
        role = str(Role(user.role).label)
        if user.extension:
            role += f", доб. {user.extension}"
        lines.append(f"  {user.username:<9} {role:<32} {user.full_name}")
    return lines


def summary_lines(stats: Stats, seconds: float) -> list[str]:
    return [
        f"Демо-данные загружены: {BUSINESS_NAME}",
        f"Лиды: {_n(stats.leads)} — некачественных {_n(stats.leads_junk)} "
        f"({stats.junk_share:.1%} закрытых), сконвертировано {_n(stats.leads_converted)}, "
        f"открытых {_n(stats.leads_open)}; повторных обращений {_n(stats.leads_repeat)}, "
        f"копий бизнес-процессом {_n(stats.leads_copied)}",
        f"Контакты: {_n(stats.contacts)}, компании: {_n(stats.companies)}",
        f"Сделки: {_n(stats.deals)} — выиграно {_n(stats.deals_won)}, "
        f"проиграно {_n(stats.deals_lost)}, в работе {_n(stats.deals_open)}",
        f"Выручка (выигранные сделки): {money_format(stats.revenue)}",
        f"Средства связи: {_n(stats.communications)}, события таймлайна: {_n(stats.events)}",
        f"Звонки: {_n(stats.calls)} — пропущенных {_n(stats.calls_missed)}, "
        f"дел «Перезвонить» {_n(stats.call_backs)}; входящие события: "
        f"{_n(stats.inbound_events + stats.inbound_failed)} (с ошибкой {_n(stats.inbound_failed)}); "
        f"лидов с реакцией позже срока: {_n(stats.leads_late)}",
        f"Время: {seconds:.1f} с",
    ]
