"""Analytics speed on a demo database: ms per report for a year, per dashboard preset, and the rebuild.

Usage: .venv/bin/python bench/analytics.py --data-dir /work/bench-data [--repeat 10] [--rebuild]
The analytics tables must exist (`voronka migrate analytics`). Without --rebuild the rollups are
only refreshed (dirty days recounted) before timing; --rebuild recounts every day and times it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    os.environ["VORONKA_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.db.models import Max

    from voronka.analytics.dashboard import dashboard
    from voronka.analytics.periods import Period, company_zone, local_day
    from voronka.analytics.reports import report_run
    from voronka.analytics.rollups import rollups_rebuild, rollups_refresh
    from voronka.crm.models import Lead

    def timed(label: str, call, repeat: int) -> None:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label:<40} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")

    started = time.perf_counter()
    if args.rebuild:
        days = rollups_rebuild()
        print(f"{'rollup rebuild':<40} {days} days in {time.perf_counter() - started:.1f} s")
    else:
        days = rollups_refresh()
        print(f"{'rollup refresh':<40} {days} dirty days in {time.perf_counter() - started:.1f} s")
    last = local_day(Lead.objects.aggregate(m=Max("created_at"))["m"])
    year = Period(last - dt.timedelta(days=364), last, company_zone())
    print(f"Leads: {Lead.objects.count()}, year {year.date_from} … {year.date_to}")
    for name in ("channels", "leads-by-source", "leads-by-manager"):
        timed(f"{name} (year)", lambda n=name: report_run(n, period=year, user=None), args.repeat)
    for name in ("leads-by-status", "funnel", "managers", "ltv", "attribution"):
        timed(f"{name} (year)", lambda n=name: report_run(n, period=year, user=None), 1)
    for preset in ("today", "week", "month"):
        timed(f"dashboard {preset}", lambda p=preset: dashboard(p, user=None, today=last), args.repeat)


if __name__ == "__main__":
    main()
