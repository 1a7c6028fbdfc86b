"""The lead inbox: visibility, filters, search, keyset pages, the live poll, bulk actions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from voronka.crm.models import Lead, LeadStatus, Source
from voronka.web.leads.queries import PAGE_SIZE, cursor_of

pytestmark = pytest.mark.django_db


def rows(response) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-lead="(\d+)"', response.content.decode())]


def test_manager_sees_only_own_open_leads_newest_first(client_for, make_lead, manager,
                                                       other_manager, junk_reason,
                                                       django_assert_max_num_queries):
    from voronka.crm.services.leads import lead_close_as_junk

    old = make_lead(title="Старый", created_at=timezone.now() - dt.timedelta(hours=3))
    new = make_lead(title="Новый", sla_deadline=timezone.now() - dt.timedelta(minutes=5))
    closed = make_lead(title="Закрытый")
    lead_close_as_junk(lead=closed, reason=junk_reason)
    make_lead(title="Чужой", responsible=other_manager)
    client = client_for(manager)
    with django_assert_max_num_queries(8):
        response = client.get("/leads/")
    assert response.status_code == 200
    assert rows(response) == [new.pk, old.pk]
    html = response.content.decode()
    assert "sla--overdue" in html and "Авито" in html and "Анна Менеджерова" in html
    assert 'href="tel:+79001234567"' in html
    assert 'hx-trigger="every 10s"' in html and 'hx-swap="afterbegin"' in html
    assert 'id="id_responsible"' not in html  # the manager filter is for the head only


def test_query_count_does_not_grow_with_rows(client_for, make_lead, head, manager,
                                             django_assert_max_num_queries):
    for n in range(30):
        make_lead(title=f"Лид {n}", emails=(f"a{n}@example.ru",))
    client = client_for(head)
    with django_assert_max_num_queries(10):
        response = client.get("/leads/")
    assert len(rows(response)) == 30


def test_keyset_pages(client_for, make_lead, manager):
    start = timezone.now() - dt.timedelta(days=1)
    leads = [make_lead(title=f"L{n}", created_at=start + dt.timedelta(minutes=n))
             for n in range(PAGE_SIZE + 3)]
    client = client_for(manager)
    first = client.get("/leads/")
    assert rows(first) == [lead.pk for lead in reversed(leads)][:PAGE_SIZE]
    cursor = re.search(r"before=([\d-]+)", first.content.decode()).group(1)
    second = client.get(f"/leads/?before={cursor}")
    assert rows(second) == [leads[2].pk, leads[1].pk, leads[0].pk]
    assert "Дальше" not in second.content.decode() and "К новым" in second.content.decode()
    assert 'id="lead-poller"' not in second.content.decode()  # only the top page polls


def test_filters(client_for, make_lead, head, manager, other_manager, status_in_process):
    two_gis = Source.objects.get(code="2GIS") if Source.objects.filter(code="2GIS").exists() \
        else Source.objects.exclude(code="AVITO").first()
    a = make_lead(title="A")
    b = make_lead(title="B", source=two_gis, responsible=other_manager, is_repeat=True)
    c = make_lead(title="C", created_at=timezone.now() - dt.timedelta(days=10))
    from voronka.crm.services.leads import lead_change_status
    lead_change_status(lead=a, status=status_in_process)
    unassigned = make_lead(title="D", responsible=None)
    client = client_for(head)
    assert rows(client.get(f"/leads/?status={status_in_process.pk}")) == [a.pk]
    assert rows(client.get(f"/leads/?source={two_gis.pk}")) == [b.pk]
    assert rows(client.get(f"/leads/?responsible={other_manager.pk}")) == [b.pk]
    assert rows(client.get("/leads/?responsible=none")) == [unassigned.pk]
    assert rows(client.get("/leads/?repeat=repeat")) == [b.pk]
    assert b.pk not in rows(client.get("/leads/?repeat=new"))
    day = timezone.localdate(c.created_at).isoformat()
    assert rows(client.get(f"/leads/?date_from={day}&date_to={day}")) == [c.pk]
    assert c.pk not in rows(client.get(f"/leads/?date_from={timezone.localdate().isoformat()}"))
    # A manager cannot widen their view with the responsible filter.
    assert rows(client_for(manager).get(f"/leads/?responsible={other_manager.pk}")) \
        == rows(client_for(manager).get("/leads/"))
    empty = client.get("/leads/?q=нет-такого")
    assert rows(empty) == [] and "Ничего не нашлось" in empty.content.decode()


def test_search_by_phone_in_any_format_email_and_title(client_for, make_lead, manager):
    by_phone = make_lead(title="Окна", phones=("+7 900 555-66-77",))
    by_mail = make_lead(title="Двери", phones=(), emails=("Ivan@Example.RU",))
    make_lead(title="Крыша", phones=("+79001112233",))
    client = client_for(manager)
    assert rows(client.get("/leads/", {"q": "8 (900) 555-66-77"})) == [by_phone.pk]
    assert rows(client.get("/leads/", {"q": "ivan@example.ru"})) == [by_mail.pk]
    assert rows(client.get("/leads/", {"q": "двер"})) == [by_mail.pk]


def test_poll_returns_only_newer_rows_and_a_new_cursor(client_for, make_lead, manager,
                                                       other_manager,
                                                       django_assert_max_num_queries):
    shown = make_lead(title="Показан", created_at=timezone.now() - dt.timedelta(minutes=5))
    client = client_for(manager)
    cursor = cursor_of(shown)
    nothing = client.get(f"/leads/poll/?after={cursor}")
    assert rows(nothing) == [] and f"after={cursor}" in nothing.content.decode()
    fresh = make_lead(title="Свежий")
    make_lead(title="Чужой свежий", responsible=other_manager)
    with django_assert_max_num_queries(6):
        response = client.get(f"/leads/poll/?after={cursor}&q=")
    html = response.content.decode()
    assert rows(response) == [fresh.pk] and 'class="is-new"' in html
    assert f"after={cursor_of(fresh)}" in html and 'hx-swap-oob="true"' in html
    assert "&amp;q=" in html  # the filters travel with the poller
    assert rows(client.get("/leads/poll/?after=garbage")) == []


def test_bulk_junk_changes_only_visible_leads(client_for, make_lead, manager, other_manager,
                                              junk_reason):
    mine = [make_lead(title=f"Мой {n}") for n in range(2)]
    foreign = make_lead(title="Чужой", responsible=other_manager)
    response = client_for(manager).post("/leads/bulk/", {
        "action": "junk", "reason": junk_reason.pk, "comment": "спам",
        "ids": [mine[0].pk, mine[1].pk, foreign.pk], "next": "/leads/"}, follow=True)
    assert "Закрыто: 2 лида." in response.content.decode()
    assert set(Lead.objects.filter(status__code="JUNK").values_list("pk", flat=True)) == {
        m.pk for m in mine}
    foreign.refresh_from_db()
    assert foreign.status.code == "NEW"


def test_bulk_junk_requires_a_reason(client_for, make_lead, manager):
    lead = make_lead()
    response = client_for(manager).post("/leads/bulk/", {"action": "junk", "ids": [lead.pk]},
                                        follow=True)
    html = response.content.decode()
    # beside the reason select, not among the page's messages
    assert re.search(r'id="bulk-reason-error"[^>]*>[^<]*без неё лид не закрыть', html)
    assert 'class="messages"' not in html
    lead.refresh_from_db()
    assert lead.status.code == "NEW"


def test_bulk_without_checked_leads_says_so_beside_the_bar(client_for, head):
    response = client_for(head).post("/leads/bulk/", {"action": "assign"}, follow=True)
    html = response.content.decode()
    bar = html[html.index('id="bulk-form"'):html.index("</form>", html.index('id="bulk-form"'))]
    assert "Отметьте лиды в списке." in bar and "Выберите, кому передать лиды." in bar
    assert 'id="bulk-responsible-error"' in bar


def test_a_bad_filter_is_named_beside_its_field(client_for, head):
    html = client_for(head).get("/leads/", {"date_from": "31.02.2026"}).content.decode()
    field = html[html.index('id="id_date_from"'):html.index('id="id_date_to"')]
    assert "errorlist" in field


def test_bulk_assign_by_head_and_refused_for_manager(client_for, make_lead, head, manager,
                                                     other_manager):
    leads = [make_lead() for _ in range(3)]
    response = client_for(head).post("/leads/bulk/", {
        "action": "assign", "responsible": other_manager.pk, "ids": [x.pk for x in leads]},
        follow=True)
    assert "Передано: 3 лида." in response.content.decode()
    assert Lead.objects.filter(responsible=other_manager).count() == 3
    mine = make_lead()
    assert client_for(manager).post("/leads/bulk/", {
        "action": "assign", "responsible": manager.pk, "ids": [mine.pk]}).status_code == 403


def test_bulk_reports_refusals(client_for, make_lead, manager, junk_reason):
    lead = make_lead(title="Уже закрыт")
    from voronka.crm.services.leads import lead_close_as_junk
    lead_close_as_junk(lead=lead, reason=junk_reason)
    response = client_for(manager).post("/leads/bulk/", {
        "action": "junk", "reason": junk_reason.pk, "ids": [lead.pk]}, follow=True)
    html = response.content.decode()
    assert "Закрыто: 0 лидов." in html and "Уже закрыт" in html


def test_anonymous_is_redirected(client):
    for url in ("/leads/", "/leads/poll/?after=0-0"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/leads/bulk/", {}).status_code == 302


def test_deprecated_status_still_filters(client_for, make_lead, head):
    assert LeadStatus.objects.exists()
    assert client_for(head).get("/leads/?status=999999").status_code == 200
