"""Settled lookups: configuration read once across batches, forgotten on change or expiry."""

from __future__ import annotations

import pytest

from voronka.core import batch_cache as cache_module
from voronka.core.batch_cache import batch_cache, batch_cache_forget, cached
from voronka.intake.models import IntakeSettings


def _loader(calls: list[int]):
    def load() -> IntakeSettings:
        calls.append(1)
        return IntakeSettings.load()
    return load


def _read_in_a_batch(load, *, settled: bool = True) -> IntakeSettings:
    with batch_cache():
        return cached(("intake_settings",), load, settled=settled)


@pytest.mark.django_db
def test_a_settled_lookup_is_read_once_across_batches_and_a_plain_one_per_batch():
    settled_calls: list[int] = []
    plain_calls: list[int] = []
    for _ in range(3):
        _read_in_a_batch(_loader(settled_calls))
        _read_in_a_batch(_loader(plain_calls), settled=False)
    assert len(settled_calls) == 1 and len(plain_calls) == 3
    cached(("intake_settings",), _loader(settled_calls), settled=True)  # outside a batch
    assert len(settled_calls) == 2


@pytest.mark.django_db
def test_saving_the_row_forgets_it_and_the_next_batch_sees_the_change():
    calls: list[int] = []
    assert _read_in_a_batch(_loader(calls)).round_robin is True
    rules = IntakeSettings.load()
    rules.round_robin = False
    rules.save()
    assert _read_in_a_batch(_loader(calls)).round_robin is False
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_change_made_elsewhere_is_seen_once_the_memory_expires(monkeypatch):
    calls: list[int] = []
    clock = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    _read_in_a_batch(_loader(calls))
    IntakeSettings.objects.update(round_robin=False)  # no signal: as if another process did it
    assert _read_in_a_batch(_loader(calls)).round_robin is True  # still remembered
    clock[0] += cache_module.SETTLED_SECONDS + 0.1
    assert _read_in_a_batch(_loader(calls)).round_robin is False
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_failed_batch_forgets_the_settled_lookups_too():
    calls: list[int] = []
    with batch_cache():
        cached(("intake_settings",), _loader(calls), settled=True)
        batch_cache_forget()  # what process_event does when an event fails
    _read_in_a_batch(_loader(calls))
    assert len(calls) == 2
