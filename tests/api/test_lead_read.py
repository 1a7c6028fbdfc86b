"""GET /leads and /leads/{id}: visibility, filters, cursor pagination, query count."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from voronka.crm.models import LeadStatus, Source


def walk(api, params: dict) -> tuple[list[int], int]:
    """Every id over all pages, and the number of pages."""
    ids, pages, cursor = [], 0, None
    while True:
        response = api.get("/leads", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 100


def test_lead_detail_shape(api, make_lead, manager):
    lead = make_lead(emails=("ivan@mail.ru",), amount="15000", name="Иван")
    body = api.get(f"/leads/{lead.pk}").json()
    assert body["amount"] == "15000.00"
    assert body["status"]["code"] == "NEW" and body["source"]["code"] == "AVITO"
    assert body["responsible"] == {"id": manager.pk, "name": manager.display_name}
    assert body["phones"] == [{"id": lead.communications.get(kind="PHONE").pk,
                               "value": "8 900 123-45-67", "normalized": "+79001234567",
                               "type": "MOBILE", "extension": ""}]
    assert body["emails"][0]["type"] == "HOME"
    assert dt.datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert body["contact_id"] is None and body["deal_ids"] == []


def test_manager_gets_404_for_another_managers_lead(api, other_api, make_lead, other_manager):
    lead = make_lead(responsible=other_manager, title="Чужой")
    for response in (
        api.get(f"/leads/{lead.pk}"),
        api.patch(f"/leads/{lead.pk}", {"title": "Мой"}),
        api.post(f"/leads/{lead.pk}/comments", {"text": "привет"}),
        api.post(f"/leads/{lead.pk}/junk", {"reason": "SPAM"}),
        api.post(f"/leads/{lead.pk}/convert", {"amount": 100}),
    ):
        assert response.status_code == 404
        assert response.json()["detail"]
    lead.refresh_from_db()
    assert lead.title == "Чужой" and lead.status.code == "NEW"
    assert not lead.events.filter(kind="comment").exists()
    assert other_api.get(f"/leads/{lead.pk}").status_code == 200
    assert api.get("/leads/999999").status_code == 404


def test_head_sees_every_lead(head_api, make_lead, manager, other_manager):
    mine, theirs = make_lead(responsible=manager), make_lead(responsible=other_manager)
    assert head_api.get(f"/leads/{theirs.pk}").status_code == 200
    ids = [item["id"] for item in head_api.get("/leads").json()["items"]]
    assert set(ids) == {mine.pk, theirs.pk}


def test_list_shows_a_manager_only_their_leads(api, make_lead, other_manager):
    mine = make_lead()
    make_lead(responsible=other_manager)
    assert [item["id"] for item in api.get("/leads").json()["items"]] == [mine.pk]


def test_filters(head_api, make_lead, manager, other_manager, status_in_process):
    now = timezone.now()
    yandex = Source.objects.get(code="YANDEX_DIRECT")
    a = make_lead(phones=("+7 900 111-11-11",), name="Алексей", created_at=now - dt.timedelta(days=10))
    b = make_lead(phones=("+7 900 222-22-22",), emails=("Boris@Firma.ru",), source=yandex,
                  responsible=other_manager, is_repeat=True)
    c = make_lead(phones=("+7 900 333-33-33",), title="Окна на дачу", status=status_in_process)

    def ids(**params):
        response = head_api.get("/leads", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(status="IN_PROCESS") == {c.pk}
    assert ids(source="YANDEX_DIRECT") == {b.pk}
    assert ids(responsible=other_manager.pk) == {b.pk}
    assert ids(is_repeat="true") == {b.pk}
    assert ids(is_repeat="false") == {a.pk, c.pk}
    today = timezone.localdate()
    assert ids(created_from=today.isoformat()) == {b.pk, c.pk}
    assert ids(created_to=(today - dt.timedelta(days=5)).isoformat()) == {a.pk}
    assert ids(created_from=(today - dt.timedelta(days=10)).isoformat(),
               created_to=(today - dt.timedelta(days=10)).isoformat()) == {a.pk}
    for phone in ("89001111111", "+7 (900) 111-11-11", "9001111111", "7 900 111 11 11"):
        assert ids(q=phone) == {a.pk}, phone
    assert ids(q="boris@firma.RU") == {b.pk}
    assert ids(q="Алексей") == {a.pk}
    assert ids(q="дачу") == {c.pk}
    assert ids(q="никого") == set()
    assert ids(status="NO_SUCH") == set()


def test_cursor_pagination_walks_every_visible_lead_once_newest_first(api, make_lead, other_manager):
    base = timezone.now() - dt.timedelta(hours=1)
    times = [base, base, base, base + dt.timedelta(minutes=1), base + dt.timedelta(minutes=1),
             base - dt.timedelta(days=3), base + dt.timedelta(seconds=30), base]
    mine = [make_lead(created_at=moment, phones=(f"+7900000000{i}",)) for i, moment in enumerate(times)]
    for moment in times[:3]:  # someone else's, interleaved in time: never shown to the manager
        make_lead(created_at=moment, responsible=other_manager, phones=("+79111111111",))
    expected = [lead.pk for lead in sorted(mine, key=lambda x: (x.created_at, x.pk), reverse=True)]
    for limit in (1, 2, 3, 7, 8, 50):
        ids, pages = walk(api, {"limit": limit})
        assert ids == expected, limit
        assert pages == -(-len(expected) // limit), limit  # no empty last page


def test_cursor_is_opaque_and_checked(api, make_lead):
    for _ in range(3):
        make_lead()
    body = api.get("/leads", {"limit": 2}).json()
    cursor = body["next_cursor"]
    base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))  # base64url
    for bad in ("garbage!", "bm90IGpzb24", base64.urlsafe_b64encode(b'["2026-01-01T00:00:00", 1]').decode()):
        response = api.get("/leads", {"cursor": bad})
        assert response.status_code == 400, bad
        assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize("limit", [0, 201, "lots"])
def test_limit_is_validated(api, limit):
    response = api.get("/leads", {"limit": limit})
    assert response.status_code == 422
    assert "limit" in response.json()["message"]


def test_limit_200_is_allowed(api):
    assert api.get("/leads", {"limit": 200}).status_code == 200


def test_list_query_count_does_not_grow_with_the_page(head_api, make_lead, make_deal, manager,
                                                      django_assert_max_num_queries):
    for i in range(45):
        make_lead(phones=(f"+7900100{i:04d}",), emails=(f"c{i}@firma.ru",))
    for _ in range(5):
        make_deal(responsible=manager)
    head_api.get("/leads")  # the token's last_used_at is written on the first call
    # auth (token + user), leads with status/source/responsible/junk reason, communications, deals
    with django_assert_max_num_queries(4):
        response = head_api.get("/leads", {"limit": 50})
    items = response.json()["items"]
    assert len(items) == 50
    assert sum(len(item["deal_ids"]) for item in items) == 5
    assert all(item["phones"] for item in items)


def test_deprecated_status_still_shows_on_read(api, make_lead):
    old = LeadStatus.objects.create(code="OLD", name="Не использовать: Старый", deprecated=True)
    lead = make_lead()
    type(lead).objects.filter(pk=lead.pk).update(status=old)
    assert api.get(f"/leads/{lead.pk}").json()["status"]["code"] == "OLD"
