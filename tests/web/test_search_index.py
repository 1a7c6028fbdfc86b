"""Leads are found by any part of a word, in any case, as their names change (the trigram
index on SQLite is kept by triggers; PostgreSQL answers the same through ILIKE)."""

from __future__ import annotations

import pytest

from voronka.crm.models import Lead
from voronka.crm.services.leads import lead_update

pytestmark = pytest.mark.django_db


def _found(client, text: str) -> str:
    return client.get("/search/", {"q": text}).content.decode()


def test_part_of_a_cyrillic_word_in_any_case_and_after_an_edit(client_for, manager, make_lead):
    lead = make_lead(title="Пропуск на МКАД", name="Иван", last_name="Петров",
                     company_title="ООО Ромашка", phones=())
    client = client_for(manager)
    for text in ("иван", "ИВАН", "етро", "ромаш", "мкад", "Петров Иван"):
        assert "Пропуск на МКАД" in _found(client, text), text
    assert "Пропуск на МКАД" not in _found(client, "Сидоров")
    lead_update(lead=lead, acting_user=manager, title="Пропуск на ТТК", last_name="Сидоров")
    assert "Пропуск на ТТК" in _found(client, "сидор")
    assert "Пропуск на ТТК" not in _found(client, "петров")
    Lead.objects.filter(pk=lead.pk).delete()
    assert "Пропуск на ТТК" not in _found(client, "сидор")


def test_inbox_search_uses_the_same_matching(client_for, manager, make_lead):
    make_lead(title="Заявка с сайта", name="Ольга", phones=())
    make_lead(title="Входящий от Петра", name="Пётр", phones=())
    html = client_for(manager).get("/leads/", {"q": "ольг"}).content.decode()
    assert "Заявка с сайта" in html and "Входящий от Петра" not in html


def test_a_phone_being_typed_is_answered_from_the_index_alone(head):
    """The owners ride in the communication index: a prefix matching hundreds of numbers
    must not read each number's row (at a million leads those were random disk reads)."""
    from django.db import connection

    from voronka.web.search.matching import communications_matching, terms_parse

    query = communications_matching(terms_parse("8 900 123")).values("lead")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX communication_lookup_owners" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "communication_lookup_owners" in plan, plan


def test_a_name_is_found_through_the_trigram_index(head, make_lead):
    """SQLite: the FTS5 table; PostgreSQL: the pg_trgm index on UPPER(name) (a scan of a
    million leads took 1.5 s per name search)."""
    from django.db import connection

    from voronka.crm.models import Lead
    from voronka.web.search.matching import lead_q, terms_parse

    make_lead(title="Заявка", name="Иван", phones=())
    query = Lead.objects.filter(lead_q(terms_parse("Иван"))).order_by("-pk")[:10]
    assert [lead.name for lead in query] == ["Иван"]
    # the filter alone: with a LIMIT a tiny table is cheaper to walk by its primary key
    sql, params = Lead.objects.filter(lead_q(terms_parse("Иван"))).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            assert "crm_lead_search" in " ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            assert "crm_lead_name_trgm" in " ".join(row[0] for row in cursor.fetchall())
