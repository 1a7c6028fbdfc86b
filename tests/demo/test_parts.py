"""The building blocks of the generator, without a database."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.crm.normalization import email_normalize, phone_format, phone_parse
from voronka.crm.requisites import inn_is_valid, ogrn_is_valid, validate_kpp
from voronka.demo.catalog import MAX_AMOUNT, SERVICES, amount_random, machines, vehicles_count
from voronka.demo.clock import DAYS, Calendar, allocate, during_work, is_working
from voronka.demo.companies import company_random
from voronka.demo.people import email_personal, person_random, phone_random

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


@given(st.integers(min_value=0, max_value=2**32))
def test_companies_have_valid_requisites(seed):
    rng = random.Random(seed)
    company = company_random(rng, person_random(rng))
    assert inn_is_valid(company.inn) and ogrn_is_valid(company.ogrn)
    if company.is_sole_trader:
        assert company.title.startswith("ИП ") and not company.kpp
        assert len(company.ogrn) == 15
    else:
        validate_kpp(company.kpp)
        assert company.kpp[:4] == company.inn[:4] and company.domain


@given(st.integers(min_value=0, max_value=2**32), st.booleans(), st.booleans())
def test_phones_are_written_as_people_write_them_and_normalise_back(seed, mobile, from_pbx):
    phone = phone_random(random.Random(seed), mobile=mobile, from_pbx=from_pbx)
    parsed = phone_parse(phone.value)
    assert parsed is not None and parsed.e164 == phone.e164
    assert parsed.extension == phone.extension
    assert phone.display == phone_format(phone.e164)


@given(st.integers(min_value=0, max_value=2**32))
def test_people_have_agreeing_russian_names_and_valid_emails(seed):
    rng = random.Random(seed)
    person = person_random(rng)
    assert person.middle.endswith("на" if person.female else "ич")
    if person.female and person.last.endswith("ва"):
        assert person.first[-1] in "аяь"
    email = email_personal(rng, person)
    assert email_normalize(email) == email.lower()
    assert email.isascii()


def test_allocate_splits_exactly():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(allocate(1_000_003, [random.random() for _ in range(365)])) == 1_000_003
    assert allocate(0, [1, 2]) == [0, 0]


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_calendar_spreads_requests_over_a_year_up_to_now(hour):
    now = dt.datetime(2026, 3, 4, hour, 30, tzinfo=MSK)
    calendar = Calendar(random.Random(1), now=now, total=2000)
    moments = list(calendar.moments(random.Random(2)))
    assert len(moments) == 2000
    assert moments == sorted(moments)
    assert moments[-1] <= now
    assert moments[0] >= now - dt.timedelta(days=DAYS)
    by_hour = [m.hour for m in moments]
    assert by_hour.count(11) > 5 * by_hour.count(3)  # offices work by day


def test_calendar_is_deterministic_for_a_seed_and_an_anchor():
    now = dt.datetime(2026, 3, 4, 15, 0, tzinfo=MSK)
    first = list(Calendar(random.Random(1), now=now, total=500).moments(random.Random(2)))
    again = list(Calendar(random.Random(1), now=now, total=500).moments(random.Random(2)))
    assert first == again


@given(st.integers(min_value=0, max_value=2**32),
       st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31)))
def test_managers_react_in_office_hours_and_after_the_request(seed, naive):
    moment = naive.replace(tzinfo=MSK)
    later = during_work(random.Random(seed), moment, 600)
    assert later > moment
    assert is_working(later)


def test_amounts_stay_within_the_realistic_range():
    rng = random.Random(4)
    for _ in range(2000):
        legal = rng.random() < 0.5
        service = rng.choice(SERVICES)
        amount = amount_random(rng, service, vehicles_count(rng, legal=legal))
        assert 3000 <= amount <= MAX_AMOUNT and amount % 500 == 0


@pytest.mark.parametrize(("count", "text"), [(1, "1 машину"), (2, "2 машины"), (5, "5 машин"),
                                             (12, "12 машин"), (22, "22 машины")])
def test_russian_plural_of_machines(count, text):
    assert machines(count) == text
