"""Benchmark the business process «Создать копию ЛИД + Сделка»: ms to make N copies.

    .venv/bin/python bench/automation.py [--repeat 5] [--pg-admin-url URL]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_bench .venv/bin/python bench/automation.py

Measures N = 1, 10, 100 (target: under 2 s for 100) on a file SQLite database in a temporary
folder, and on PostgreSQL: the database of DATABASE_URL (or --database-url) when given — it
is migrated and gets the bench's rows — otherwise, when 127.0.0.1:5432 answers, a throw-away
database created through --pg-admin-url (default postgres://postgres@127.0.0.1:5432/postgres)
and dropped afterwards. Each backend runs in a child process (Django is set up once per process), with
the project's production settings, so the analytics and robot signals run as in production.
A run is `process_start` as the API calls it: one transaction, with the queries it made.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

COUNTS = (1, 10, 100)
TARGET_MS = 2000
DEFAULT_PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def mother_deal():
    """A won deal of a company client with UTM and tracking, made through the services."""
    from voronka.accounts.models import Role, User
    from voronka.crm.models import Source
    from voronka.crm.services.communications import CommunicationInput
    from voronka.crm.services.conversion import lead_convert
    from voronka.crm.services.deals import deal_close
    from voronka.crm.services.leads import lead_create

    # A name of its own: a DATABASE_URL database may already hold an earlier run's manager.
    manager = User.objects.create_user(username=f"bench-manager-{uuid.uuid4().hex[:8]}", password="x",
                                       role=Role.MANAGER, full_name="Менеджер Бенча")
    lead = lead_create(
        acting_user=manager, title="Пропуск на МКАД", name="Иван", company_title="ООО Грузовоз",
        responsible=manager, source=Source.objects.order_by("pk").first(),
        communications=[CommunicationInput("PHONE", "+7 900 123-45-67")],
        utm_source="yandex", utm_medium="cpc", utm_campaign="propusk", landing_page="https://example.ru/")
    deal = lead_convert(lead=lead, acting_user=manager, legal_entity=True, amount="45000").deal
    return deal_close(deal=deal, won=True, acting_user=manager), manager


def measure(repeat: int) -> None:
    """In the child: set Django up on the configured database and time the process."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from voronka.automation.processes import process_start

    call_command("migrate", verbosity=0, interactive=False)
    mother, manager = mother_deal()
    print(f"backend: {connection.vendor}; {repeat} runs per N; ms per run (target N=100 < {TARGET_MS})")
    print(f"{'N':>5} {'median':>9} {'max':>9} {'ms/copy':>8} {'queries':>8}")
    params = {"deal_id": mother.pk}
    for count in COUNTS:
        # Queries are counted in a run of their own, not timed: recording them costs time.
        with CaptureQueriesContext(connection) as captured:
            process_start("repeat-lead-deal", acting_user=manager, params={**params, "count": count})
        queries = len(captured)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = process_start("repeat-lead-deal", acting_user=manager,
                                   params={**params, "count": count})
            times.append((time.perf_counter() - started) * 1000)
            assert len(result.created["deals"]) == count
        median = statistics.median(times)
        print(f"{count:>5} {median:9.1f} {max(times):9.1f} {median / count:8.2f} {queries:8d}")


def pg_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def run_child(repeat: int, database_url: str | None) -> int:
    data_dir = tempfile.mkdtemp(prefix="voronka-bench-automation-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(VORONKA_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="voronka.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, __file__, "--child", "--repeat", str(repeat)],
                          env=env, check=False).returncode


def with_pg_database(admin_url: str, repeat: int) -> int:
    import psycopg

    name = f"voronka_bench_automation_{os.getpid()}"
    admin = admin_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        return run_child(repeat, admin_url.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="a PostgreSQL database to measure instead of a throw-away one "
                             "(default: $DATABASE_URL)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeat = max(1, min(args.repeat, 50))
    if args.child:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        measure(repeat)
        return 0
    status = run_child(repeat, None)
    if args.database_url:
        status = run_child(repeat, args.database_url) or status
    elif pg_answers():
        status = with_pg_database(args.pg_admin_url, repeat) or status
    else:
        print("PostgreSQL: 127.0.0.1:5432 does not answer, skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
