from __future__ import annotations

import datetime as dt

import pytest

from tests.analytics.world import World, at


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def march_world(world, manager, other_manager):
    """The hand-built world of docs/analytics.md ("Проверка сверкой"); the period is March 2026 (MSK)."""
    w = world
    c1 = w.contact(first_source="AVITO", first_at=at("2026-01-10 10:00"), responsible=manager)
    l0 = w.lead(at("2026-01-10 10:00"), "AVITO", status="CONVERTED", responsible=manager, contact=c1,
                handled=at("2026-01-10 10:05"))
    w.deal(at("2026-01-10 11:00"), "20000", lead=l0, stage="WON", closed_on=dt.date(2026, 1, 20),
           responsible=manager)
    # 00:30 MSK on March 1 is still February 28 in UTC.
    w.lead(at("2026-03-01 00:30"), "AVITO", responsible=manager, handled=at("2026-03-01 00:40"),
           sla=at("2026-03-01 00:45"))
    # 23:50 MSK on March 31: March in Moscow, March in UTC too (20:50).
    w.lead(at("2026-03-31 23:50"), "AVITO", status="JUNK", responsible=other_manager,
           sla=at("2026-04-01 00:05"), handled=at("2026-04-01 00:20"))
    c3 = w.contact(first_source="YANDEX_DIRECT", first_at=at("2026-03-15 12:00"), responsible=manager)
    l3 = w.lead(at("2026-03-15 12:00"), "YANDEX_DIRECT", status="CONVERTED", responsible=manager,
                campaign="remont_search", contact=c3, handled=at("2026-03-15 12:10"),
                closed=at("2026-04-02 09:00"))
    # Converted in the next month: the deal counts in April, not March.
    w.deal(at("2026-04-02 09:00"), "50000", lead=l3, stage="WON", closed_on=dt.date(2026, 4, 10),
           responsible=manager)
    c4 = w.contact(first_source="YANDEX_DIRECT", first_at=at("2026-03-20 09:00"), responsible=other_manager)
    l4 = w.lead(at("2026-03-20 09:00"), "YANDEX_DIRECT", status="CONVERTED", responsible=other_manager,
                campaign="remont_search", contact=c4, handled=at("2026-03-20 10:00"),
                closed=at("2026-03-21 10:00"))
    w.deal(at("2026-03-21 10:00"), "30000.50", lead=l4, stage="WON", closed_on=dt.date(2026, 3, 25),
           responsible=other_manager)
    # A repeat client (first came through Avito) returns through the site: a repeat deal, upsold.
    l5 = w.lead(at("2026-03-10 08:00"), "SITE", status="CONVERTED", responsible=manager, repeat=True,
                contact=c1, handled=at("2026-03-10 08:30"), closed=at("2026-03-10 09:00"))
    w.deal(at("2026-03-10 09:00"), "10000", lead=l5, stage="WON", closed_on=dt.date(2026, 3, 12),
           responsible=manager, repeat=True, upsell_manager=other_manager)
    # A deal without a lead keeps its own source.
    w.deal(at("2026-03-05 12:00"), "7000", source="SITE", stage="LOSE", closed_on=dt.date(2026, 3, 6),
           responsible=other_manager)
    w.spend("2026-03-01", "AVITO", "1000.00")
    w.spend("2026-03-31", "AVITO", "500.00")
    w.spend("2026-03-10", "YANDEX_DIRECT", "3000.00", campaign="remont_search", clicks=100)
    w.spend("2026-04-01", "AVITO", "700.00")
    w.spend("2026-03-15", "SITE", "0.00")
    return w
