"""Benchmark the workspace pages on a large database: server time per page, and SQL queries.

    .venv/bin/python bench/ui.py [--data-dir DIR] [--leads 1000000] [--repeat 15]

DIR is used as VORONKA_DATA_DIR (default: a new temporary folder). If it holds no demo
yet, `voronka demo --leads N` loads one first (about 30 minutes for 1,000,000 leads on the
2-core machine, so keep DIR between runs). Each page is then requested --repeat times in
this process through Django's test client: the whole request cycle (middleware, view,
queries, template) without the network, which is the server time a browser waits for.
Prints the median, p95 and max milliseconds and the queries of each page; the target is
under 200 ms. Set DATABASE_URL to measure PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

VORONKA = str(Path(sys.executable).with_name("voronka"))
TARGET_MS = 200


def load_demo(data_dir: Path, leads: int) -> None:
    env = {**os.environ, "VORONKA_DATA_DIR": str(data_dir)}
    subprocess.run([VORONKA, "migrate", "-v", "0"], env=env, check=True)
    started = time.monotonic()
    # The demo refuses to load twice: an existing demo is reused as it is.
    done = subprocess.run([VORONKA, "demo", "--leads", str(leads)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"voronka demo failed:\n{done.stderr}")
    if "уже загружены" in done.stdout:
        print("demo: already loaded, reused")
    else:
        print(f"demo: {leads} leads loaded in {time.monotonic() - started:.0f} s")


def measure(get: Callable[[], object], repeat: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, status = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = get()
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return times, queries, status


def pages(users: dict, rng: random.Random) -> list[tuple[str, str, Callable[[], str]]]:
    """(name, user, url maker): a maker may pick a different item each time."""
    from voronka.crm.models import Communication, Company, Contact, Deal, Lead, Source

    last_lead = Lead.objects.order_by("-pk").values_list("pk", flat=True).first()
    manager = users["manager"]
    own = list(Lead.objects.filter(responsible=manager).order_by("-pk")
               .values_list("pk", flat=True)[:2000])
    deals = list(Deal.objects.order_by("-pk").values_list("pk", flat=True)[:2000])
    contacts = list(Contact.objects.order_by("-pk").values_list("pk", flat=True)[:2000])
    companies = list(Company.objects.order_by("-pk").values_list("pk", flat=True)[:500])
    phones = list(Communication.objects.filter(kind="PHONE", lead__isnull=False)
                  .order_by("-pk").values_list("normalized", flat=True)[:2000])
    source = Source.objects.order_by("pk").values_list("pk", flat=True).first()

    def phone_typed() -> str:
        number = rng.choice(phones)  # +79001234567 typed as 8 900 123-45-67
        return f"8 {number[2:5]} {number[5:8]}-{number[8:10]}-{number[10:12]}"

    def any_lead() -> int:
        return rng.randint(1, last_lead)

    return [
        ("home, head of sales", "head", lambda: "/"),
        ("home, manager", "manager", lambda: "/"),
        ("lead inbox, head (all leads)", "head", lambda: "/leads/"),
        ("lead inbox, manager", "manager", lambda: "/leads/"),
        ("lead inbox, source filter", "head", lambda: f"/leads/?source={source}"),
        ("lead inbox, overdue only", "head", lambda: "/leads/?overdue=on"),
        ("lead inbox, search by phone", "head", lambda: f"/leads/?q={phone_typed()}"),
        ("lead card, any lead (head)", "head", lambda: f"/leads/{any_lead()}/"),
        ("lead card, own lead (manager)", "manager", lambda: f"/leads/{rng.choice(own)}/"),
        ("deals kanban, head", "head", lambda: "/deals/"),
        ("deals kanban, manager", "manager", lambda: "/deals/"),
        ("deals list", "head", lambda: "/deals/list/"),
        ("deal card", "head", lambda: f"/deals/{rng.choice(deals)}/"),
        ("contacts list", "head", lambda: "/contacts/"),
        ("contact card", "head", lambda: f"/contacts/{rng.choice(contacts)}/"),
        ("company card", "head", lambda: f"/companies/{rng.choice(companies)}/"),
        ("search as you type: phone", "head", lambda: f"/search/?suggest=1&q={phone_typed()[:9]}"),
        ("search: whole phone", "head", lambda: f"/search/?q={phone_typed()}"),
        ("search: name", "head", lambda: "/search/?q=Иван"),
        ("search: e-mail start", "head", lambda: "/search/?q=ivan"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="voronka-bench-ui-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    load_demo(data_dir, args.leads)
    os.environ["VORONKA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from voronka.accounts.models import Role, User
    from voronka.crm.models import Lead

    users = {"head": User.objects.filter(role=Role.HEAD).first(),
             "manager": User.objects.filter(role=Role.MANAGER).order_by("pk").first()}
    clients = {}
    for name, user in users.items():
        clients[name] = Client(HTTP_HOST="127.0.0.1")
        clients[name].force_login(user)
    rng = random.Random(args.seed)
    print(f"backend: {connection.vendor}, {Lead.objects.count():,} leads; "
          f"{args.repeat} requests per page; server time in ms (target < {TARGET_MS})")
    print(f"{'page':38} {'median':>7} {'p95':>7} {'max':>7} {'queries':>8}")
    worst = 0.0
    for name, who, url in pages(users, rng):
        client = clients[who]
        client.get(url())  # warm the caches a real server would have warm
        times, queries, status = measure(lambda c=client, u=url: c.get(u()), args.repeat)
        p95 = sorted(times)[max(0, round(len(times) * 0.95) - 1)]
        worst = max(worst, p95)
        flag = "" if status == 200 else f"  HTTP {status}"
        print(f"{name:38} {statistics.median(times):7.1f} {p95:7.1f} {max(times):7.1f} "
              f"{queries:8d}{flag}")
    print(f"worst p95: {worst:.1f} ms ({'within' if worst < TARGET_MS else 'over'} the target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
