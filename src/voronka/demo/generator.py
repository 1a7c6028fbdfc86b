"""The demo data set: a year of requests of a truck-pass agency, written in batches.

Rows are built directly and written with bulk_create, not through the per-row services
(a million leads must load in minutes); `tests/demo` checks that they look like what the
services write. Same seed and same "now" give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from voronka.accounts.models import User
from voronka.demo.clock import Calendar, current_time
from voronka.demo.context import dictionaries_load
from voronka.demo.copies import copies_make
from voronka.demo.flows import new_lead, repeat_lead
from voronka.demo.inbound import demo_hours, failed_events, intake_configure
from voronka.demo.state import Run, Stats

BATCH_SIZE = 5000  # leads per transaction; their deals, clients and events come along
REPEAT_SHARE = 0.03  # requests that come from a client who already bought

Progress = Callable[[int, int], None]


def generate(
    *,
    leads: int,
    seed: int,
    users: dict[str, User],
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Stats:
    """Write `leads` leads with their clients, deals and timelines; return what was written."""
    now = (now or current_time()).astimezone(timezone.get_current_timezone())
    rng = random.Random(seed)
    # The calendar draws from its own stream, so changing how a lead is built does not move
    # every request in time, and vice versa.
    time_rng = random.Random(rng.getrandbits(64))
    calendar = Calendar(time_rng, now=now, total=leads)
    dicts = dictionaries_load(users)
    intake_configure(dicts.sources)
    run = Run(rng=rng, dicts=dicts, now=now, slots_left=leads, hours=demo_hours())
    for at in calendar.moments(time_rng):
        while (due := run.pool.due_process(at)) is not None:
            copies_make(run, *due)
        run.slots_left -= 1
        if run.skip:  # this request's place went to a business-process copy
            run.skip -= 1
            continue
        run.pool.release(at)
        returning = rng.random() < REPEAT_SHARE
        client = run.pool.pick(rng) if returning else None
        if client is not None:
            repeat_lead(run, at, client)
        else:
            new_lead(run, at)
        if len(run.batch) >= batch_size:
            _flush(run, progress, leads)
    failed_events(run)
    _flush(run, progress, leads)
    return run.stats


def _flush(run: Run, progress: Progress | None, total: int) -> None:
    if not run.batch:
        return
    comms, events = run.batch.flush()
    run.stats.communications += comms
    run.stats.events += events
    if progress is not None:
        progress(run.stats.leads, total)
