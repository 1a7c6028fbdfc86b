"""`voronka demo [--leads N] [--password P] [--seed S] [--reset]`: load the demo data set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.demo.generator import BATCH_SIZE
from voronka.demo.loader import demo_load
from voronka.demo.report import ProgressLine, summary_lines, users_lines

DEFAULT_LEADS = 5000
DEFAULT_PASSWORD = "demo12345"
DEFAULT_SEED = 2024


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = ("Load a demo data set: a year of requests, clients and deals of a truck-pass "
            "agency, with demo users (admin, head, manager1…manager4).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=_positive, default=DEFAULT_LEADS,
                            help=f"How many leads to create (default {DEFAULT_LEADS}).")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"Password of the demo users (default {DEFAULT_PASSWORD}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Random seed: the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true",
                            help="Delete all CRM data and the demo users, then load again.")
        parser.add_argument("--batch-size", type=_positive, default=BATCH_SIZE,
                            help="Leads per transaction (default %(default)s).")

    def handle(self, *args: str, **options: Any) -> None:
        if not options["password"]:
            raise CommandError("Пароль не может быть пустым.")
        progress = ProgressLine(self.stderr, options["leads"])
        try:
            result = demo_load(leads=options["leads"], password=options["password"],
                               seed=options["seed"], reset=options["reset"],
                               batch_size=options["batch_size"], progress=progress)
        except Exception as exc:
            raise CommandError(
                f"Демо-данные не загружены: {exc}. Загруженная часть (если есть) удаляется "
                "командой `voronka demo --reset`.") from exc
        if not result.loaded:
            self.stdout.write(
                "Демо-данные уже загружены (есть пользователи: "
                f"{', '.join(result.existing_users)}). Ничего не изменено; чтобы загрузить "
                "заново, запустите `voronka demo --reset`.")
            return
        lines = [*summary_lines(result.stats, result.seconds), "",
                 *users_lines(options["password"])]
        self.stdout.write("\n".join(lines))
