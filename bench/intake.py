"""Benchmark the intake: signed MANGO events posted to a running `voronka serve` on loopback.

    .venv/bin/python bench/intake.py [--seconds 10] [--senders 8] [--rate 100] [--database-url URL]

Phase 1 (throughput): `--senders` keep-alive connections post as fast as the server answers
for `--seconds`; the acceptance rate is events answered 2xx per second. Webhooks are answered
once the event is stored, and the worker started by `voronka serve` processes them: the
processing rate is events processed per second from the first post until the last event of
the burst is processed (read from the database). Phase 2 (latency): one paced sender at
`--rate` events/s; prints p50/p99, and checks that processing keeps up at that rate.
Phase 3 (sustained): `--sustain-senders` paced senders together hold `--sustain-rate`
events/s for `--sustain-seconds`, while the backlog is read once a second; it prints the
answer times, the largest backlog and how soon all is processed after the last post.
Each call is four events (Appeared, Connected, Disconnected, summary), from a new number
every call, so every call creates a lead. Loops are bounded in count and time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import MangoSender, mango_call_event, prepare, running_server

MAX_EVENTS = 200_000


def call_events(entry: str, client: str) -> list[tuple[str, dict]]:
    now = int(time.time())
    summary = {"entry_id": entry, "call_direction": 1, "from": {"number": client},
               "to": {"number": "74950000001", "extension": "101"}, "line_number": "74950000001",
               "create_time": now, "forward_time": now, "talk_time": now + 2, "end_time": now + 30,
               "entry_result": 1, "disconnect_reason": 1110}
    return [("call", mango_call_event(entry, 1, "Appeared", client)),
            ("call", mango_call_event(entry, 2, "Connected", client, extension="101")),
            ("call", mango_call_event(entry, 3, "Disconnected", client)),
            ("summary", summary)]


def throughput(port: int, seconds: float, senders: int) -> tuple[int, int, float]:
    counts, errors = [0] * senders, [0] * senders
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def run(index: int) -> None:
        sender = MangoSender(port)
        call = 0
        while time.monotonic() < deadline and counts[index] < MAX_EVENTS // senders:
            call += 1
            for kind, data in call_events(f"t{index}-{call}", f"+7901{index:02d}{call:05d}"):
                status = sender.post(kind, data)
                counts[index] += 1
                errors[index] += status != 200

    threads = [threading.Thread(target=run, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), sum(errors), time.monotonic() - started


def paced(port: int, rate: float, seconds: float, senders: int = 1,
          prefix: str = "l", numbers: str = "+7902") -> list[float]:
    """`senders` keep-alive connections together posting `rate` events/s for `seconds`;
    returns each event's answer time in ms. A sender that falls behind its schedule (a slow
    answer) posts at once until it has caught up, by at most half a second of events."""
    samples: list[list[float]] = [[] for _ in range(senders)]
    interval = senders / rate
    end = time.monotonic() + seconds

    def run(index: int) -> None:
        sender = MangoSender(port)
        next_at = time.monotonic() + index * interval / senders
        call = 0
        while time.monotonic() < end:
            call += 1
            for kind, data in call_events(f"{prefix}{index}-{call}", f"{numbers}{index % 10}{call:06d}"):
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                began = time.perf_counter()
                status = sender.post(kind, data)
                samples[index].append((time.perf_counter() - began) * 1000)
                if status != 200:
                    raise SystemExit(f"event refused with HTTP {status}")
                # behind schedule (a slow answer): catch up, but never by more than half a second
                next_at = max(next_at + interval, time.monotonic() - 0.5)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [sample for own in samples for sample in own]


def sustained(port: int, data_dir: Path, database_url: str | None, rate: float,
              seconds: float, senders: int) -> tuple[list[float], float, int, float]:
    """Post at a steady `rate` and watch the backlog once a second.

    Returns (answer times in ms, the rate achieved, the largest backlog seen, seconds from
    the last post until all is processed). Processing keeps up when the backlog stays small
    and drains at once; a worker slower than the rate shows a backlog that grows all along.
    """
    backlog: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(1.0):
            backlog.append(unprocessed(data_dir, database_url))

    watcher = threading.Thread(target=watch)
    watcher.start()
    began = time.monotonic()
    samples = paced(port, rate, seconds, senders, prefix="s", numbers="+7903")
    posted_for = time.monotonic() - began
    done.set()
    watcher.join()
    ended = time.monotonic()
    drained = drained_after(data_dir, database_url, ended)
    return samples, len(samples) / posted_for, max(backlog, default=0), drained


def unprocessed(data_dir: Path, database_url: str | None) -> int:
    query = "SELECT COUNT(*) FROM intake_inboundevent WHERE state = 'received'"
    if database_url:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute(query).fetchone()[0]
    import sqlite3

    with sqlite3.connect(data_dir / "voronka.sqlite3", timeout=30) as conn:
        waiting = conn.execute(query).fetchone()[0]
    spool = data_dir / "intake-spool.sqlite3"  # webhooks not yet moved to the event store
    if spool.exists():
        with sqlite3.connect(spool, timeout=30) as conn:
            waiting += conn.execute("SELECT COUNT(*) FROM delivery").fetchone()[0]
    return waiting


def drained_after(data_dir: Path, database_url: str | None, started: float,
                  limit_seconds: float = 600) -> float:
    """Seconds from `started` until no stored event is waiting for processing."""
    deadline = time.monotonic() + limit_seconds
    while unprocessed(data_dir, database_url) and time.monotonic() < deadline:
        time.sleep(0.1)
    if unprocessed(data_dir, database_url):
        raise SystemExit("events were still unprocessed after the time limit")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sustain-rate", type=float, default=500,
                        help="phase 3: a steady rate held for --sustain-seconds (0 skips it)")
    parser.add_argument("--sustain-seconds", type=float, default=30)
    parser.add_argument("--sustain-senders", type=int, default=4)
    parser.add_argument("--database-url", default=None,
                        help="a throw-away PostgreSQL database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voronka-bench-") as tmp:
        data_dir = Path(tmp)
        prepare(data_dir, args.database_url)
        with running_server(data_dir, workers=args.workers, threads=args.threads,
                            database_url=args.database_url) as (_proc, port):
            started = time.monotonic()
            total, errors, elapsed = throughput(port, args.seconds, args.senders)
            processed_in = drained_after(data_dir, args.database_url, started)
            samples = paced(port, args.rate, args.seconds)
            backlog_after_latency = unprocessed(data_dir, args.database_url)
            if args.sustain_rate:
                steady, achieved, backlog_max, drain = sustained(
                    port, data_dir, args.database_url, args.sustain_rate, args.sustain_seconds,
                    args.sustain_senders)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    quantiles = statistics.quantiles(samples, n=100)
    print(f"backend: {backend}, gunicorn {args.workers} workers x {args.threads} threads")
    print(f"throughput: {total} events in {elapsed:.1f} s = {total / elapsed:.0f} events/s "
          f"({args.senders} senders, {errors} non-2xx)")
    print(f"processing: all {total} processed {processed_in:.1f} s after the first post "
          f"= {total / processed_in:.0f} events/s")
    print(f"latency at {args.rate:.0f} events/s: p50 {quantiles[49]:.1f} ms, "
          f"p99 {quantiles[98]:.1f} ms, max {max(samples):.1f} ms ({len(samples)} events, "
          f"{backlog_after_latency} waiting for processing at the end)")
    if args.sustain_rate:
        steady_q = statistics.quantiles(steady, n=100)
        print(f"sustained: {len(steady)} events in {args.sustain_seconds:.0f} s at "
              f"{achieved:.0f} events/s ({args.sustain_senders} paced senders), p50 "
              f"{steady_q[49]:.1f} ms, p99 {steady_q[98]:.1f} ms; largest backlog "
              f"{backlog_max} events; all processed {drain:.1f} s after the last post")


if __name__ == "__main__":
    main()
