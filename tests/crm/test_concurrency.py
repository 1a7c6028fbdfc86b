"""Two people acting on the same lead or deal at the same moment, with real threads.

PostgreSQL: the services lock the row (SELECT … FOR UPDATE) and the second one waits, then
sees the first one's result. SQLite (the embedded default): every write transaction starts
with BEGIN IMMEDIATE, so the second one waits for the first to commit.

pytest-django's SQLite test database is a shared-cache in-memory one
(`file:memorydb_default?mode=memory&cache=shared`). Shared-cache SQLite reports a lock
conflict at once ("database table is locked") instead of waiting, so it cannot show how the
product behaves on its real SQLite file. On SQLite these tests therefore copy the test
database into a WAL file (as in production) and point the connections at it while they run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import race, shared_database, split
from voronka.crm.models import Contact, Deal, EventKind, Lead, TimelineEvent
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close
from voronka.crm.services.leads import lead_close_as_junk

# Real transactions, so the threads see each other's commits; `serialized_rollback`
# puts the seeded dictionaries back, because a transactional test ends with a flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("attempt", range(3))
def test_two_people_converting_the_same_lead_make_exactly_one_deal(make_lead, tmp_path, attempt):
    with shared_database(tmp_path):
        # given an open lead, loaded by two people
        lead = make_lead(amount=Decimal("1000"), company_title="Ромашка")
        first, second = Lead.objects.get(pk=lead.pk), Lead.objects.get(pk=lead.pk)
        # when both convert it at once
        results = race(lambda: lead_convert(lead=first, legal_entity=True),
                       lambda: lead_convert(lead=second, legal_entity=True))
        # then one wins and the other is told the lead is already converted
        done, errors = split(results)
        assert len(done) == 1, results
        assert len(errors) == 1 and isinstance(errors[0], ValidationError), results
        assert errors[0].messages == ["Лид уже сконвертирован."]
        assert Deal.objects.filter(lead=lead).count() == 1
        assert Contact.objects.count() == 1
        assert TimelineEvent.objects.filter(kind=EventKind.CONVERTED, lead=lead).count() == 1
        stored = Lead.objects.get(pk=lead.pk)
        assert stored.status.code == "CONVERTED"
        assert stored.contact_id == done[0].contact.pk


def test_converting_and_closing_as_junk_at_once_leave_one_consistent_outcome(
        make_lead, junk_reason, tmp_path):
    with shared_database(tmp_path):
        lead = make_lead(amount=Decimal("1000"))
        one, other = Lead.objects.get(pk=lead.pk), Lead.objects.get(pk=lead.pk)
        results = race(lambda: lead_convert(lead=one),
                       lambda: lead_close_as_junk(lead=other, reason=junk_reason))
        done, errors = split(results)
        assert len(done) == 1 and len(errors) == 1, results
        assert isinstance(errors[0], ValidationError), results
        stored = Lead.objects.get(pk=lead.pk)
        if stored.status.code == "CONVERTED":
            assert Deal.objects.filter(lead=lead).count() == 1
            assert stored.junk_reason is None
        else:
            assert stored.status.code == "JUNK"
            assert Deal.objects.count() == 0
            assert Contact.objects.count() == 0


def test_two_people_closing_the_same_deal_close_it_once(make_deal, deal_reason, tmp_path):
    with shared_database(tmp_path):
        deal = make_deal()
        one, other = Deal.objects.get(pk=deal.pk), Deal.objects.get(pk=deal.pk)
        results = race(lambda: deal_close(deal=one, won=True),
                       lambda: deal_close(deal=other, won=False, reason=deal_reason))
        done, errors = split(results)
        assert len(done) == 1 and len(errors) == 1, results
        assert isinstance(errors[0], ValidationError), results
        assert errors[0].messages == ["Сделка уже закрыта; сначала верните её в работу."]
        assert TimelineEvent.objects.filter(kind=EventKind.CLOSED, deal=deal).count() == 1
        stored = Deal.objects.get(pk=deal.pk)
        assert stored.is_closed
        assert stored.is_won == (stored.close_reason is None)
