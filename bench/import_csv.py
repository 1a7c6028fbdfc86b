"""Benchmark `voronka import`: N generated rows into a throw-away SQLite (or given) database.

    .venv/bin/python bench/import_csv.py [--rows 10000] [--dry-run] [--slow] [--database-url URL]

Rows are unique phones (every row makes a new lead), with a name, e-mail, source and comment.
By default the bulk write path; `--slow` sends each row through the intake on its own.
Prints rows/s for validation and for the whole import, and the peak RSS of this process.
Bounded: at most 200,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_ROWS = 200_000


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Телефон", "Имя", "E-mail", "Источник", "Комментарий"])
        for i in range(rows):
            writer.writerow([f"+7903{i:07d}", f"Клиент {i}", f"client{i}@example.ru", "Авито",
                             f"строка {i}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--slow", action="store_true", help="the per-row intake path")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rows = max(1, min(args.rows, MAX_ROWS))
    data_dir = Path(tempfile.mkdtemp(prefix="voronka-bench-import-"))
    os.environ["VORONKA_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "voronka.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command

    from voronka.intake.imports.service import import_run

    call_command("migrate", verbosity=0, interactive=False)
    path = data_dir / "leads.csv"
    write_csv(path, rows)
    started = time.perf_counter()
    dry = import_run(path, dry_run=True)
    validated = time.perf_counter() - started
    print(f"validation: {rows} rows in {validated:.1f} s — {rows / validated:,.0f} rows/s "
          f"(ok {dry.totals()['ok']})")
    if not args.dry_run:
        started = time.perf_counter()
        report = import_run(path, slow=args.slow)
        elapsed = time.perf_counter() - started
        totals = report.totals()
        print(f"import: {rows} rows in {elapsed:.1f} s — {rows / elapsed:,.0f} rows/s "
              f"(created {totals['created']}, failed {totals['failed']})")
        print(f"projected for 100,000 rows: {100_000 / (rows / elapsed):.0f} s")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kb / 1024:.0f} MB; data dir {data_dir}")


if __name__ == "__main__":
    main()
