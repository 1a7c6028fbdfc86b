"""Benchmark `voronka demo`: load N leads into a fresh SQLite database and print the figures.

    .venv/bin/python bench/demo.py [--leads N] [--seed S] [--batch-size B] [--keep]

Creates a temporary VORONKA_DATA_DIR (so the real database is never touched), migrates,
runs the demo command in this process and prints leads per second, elapsed seconds, peak
RSS of the process and the size of the database. Set DATABASE_URL to bench PostgreSQL.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _database_size(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("voronka.sqlite3*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the data directory.")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="voronka-bench-demo-"))
    os.environ["VORONKA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django
        from django.core.management import call_command

        django.setup()
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.monotonic()
        extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
        out = io.StringIO()
        call_command("demo", "--leads", str(args.leads), "--seed", str(args.seed), *extra,
                     stdout=out, stderr=sys.stderr)
        elapsed = time.monotonic() - migrated
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(out.getvalue().split("\n\n")[0])
        print()
        print(f"leads:          {args.leads}")
        print(f"elapsed:        {elapsed:.1f} s (migrate {migrated - started:.1f} s not counted)")
        print(f"leads/s:        {args.leads / elapsed:,.0f}")
        print(f"peak RSS:       {peak_kib / 1024:.0f} MiB")
        if not os.environ.get("DATABASE_URL"):
            print(f"database size:  {_database_size(data_dir) / 2**20:.0f} MiB")
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
