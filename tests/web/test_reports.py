"""The analytics pages (/reports/): numbers on screen and in the files equal the known world."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.analytics.conftest import march_world, world  # noqa: F401  (fixtures)
from tests.analytics.world import World
from voronka.analytics.models import SavedReport
from voronka.analytics.reports import REPORTS
from voronka.web.reports.presets import preset_dates

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31", "tz": "Europe/Moscow"}
NBSP, NARROW = "\u00a0", "\u202f"


def rub(text: str) -> str:
    """'1 500 ₽' written with ordinary spaces → the page's narrow / no-break spaces."""
    whole, _, cur = text.rpartition(" ")
    return whole.replace(" ", NARROW) + NBSP + cur


def table(html: str) -> dict[str, dict[str, str]]:
    """{first cell: {header: cell}} of the report table, totals included under «Итого»."""
    block = re.search(r'<table class="list report-table">(.*?)</table>', html, re.S).group(1)
    cells = lambda row: [re.sub(r"<[^>]+>", "", c).strip()  # noqa: E731
                         for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", block, re.S)]
    header, body = rows[0], rows[1:]
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


TILE = re.compile(r'<div class="figure__label">(.*?)</div>\s*<div class="figure__value">(.*?)</div>')


def get(client, url: str, **params):
    return client.get(url, params)


def test_every_page_opens_for_head(client_for, head):
    client = client_for(head)
    for url in ["/reports/", "/reports/dashboard/", "/reports/builder/",
                *(f"/reports/{name}/" for name in REPORTS)]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/reports/").content.decode()
    assert "Деньги по каналам" in page and "CPL, CAC, ROI" in page
    assert "Сохранённых отчётов пока нет" in page
    assert client.get("/reports/no-such-report/").status_code == 404


def test_login_required(client):
    response = client.get("/reports/channels/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_channels_table_shows_the_known_numbers(march_world, client_for, head):  # noqa: F811
    response = get(client_for(head), "/reports/channels/", **MARCH)
    html = response.content.decode()
    rows = table(html)
    avito, direct, site = rows["Авито"], rows["Яндекс.Директ"], rows["Сайт"]
    assert avito["Расход"] == rub("1 500 ₽") and avito["Лиды"] == "2" and avito["CPL"] == rub("750 ₽")
    assert avito["CAC"] == "—"  # no new customers: «—», never 0 or infinity
    assert direct["Выручка"] == rub("30 000,50 ₽") and direct["ROI"] == "9,00"
    assert direct["ДРР"] == f"10,0{NBSP}%" and direct["Клики"] == "100"
    assert site["ROI"] == "—" and site["Расход"] == rub("0 ₽")
    assert rows["Итого"]["Лиды"] == "5" and rows["Итого"]["Выручка"] == rub("40 000,50 ₽")
    assert rows["Итого"]["Расход"] == rub("4 500 ₽")
    assert "Как считается период" in html and "закрытые в периоде" in html
    assert 'id="report-chart" type="application/json"' in html
    assert "chart-4.6.1.umd.min.js" in html


def test_filters_are_applied(march_world, client_for, head):  # noqa: F811
    client = client_for(head)
    rows = table(get(client, "/reports/channels/", source="YANDEX_DIRECT", **MARCH).content.decode())
    assert set(rows) == {"Яндекс.Директ", "Итого"}
    rows = table(get(client, "/reports/channels/", repeat="repeat", **MARCH).content.decode())
    assert rows["Итого"]["Лиды"] == "1" and rows["Сайт"]["Выручка"] == rub("10 000 ₽")
    rows = table(get(client, "/reports/leads-by-source/", date_from="2026-03-01", date_to="2026-03-31",
                     tz="UTC").content.decode())
    assert rows["Авито"]["Лиды"] == "1"  # 00:30 MSK on March 1 is February in UTC


def test_manager_filter_only_for_head_and_manager_sees_own(march_world, client_for, head,  # noqa: F811
                                                           manager, other_manager):
    head_page = get(client_for(head), "/reports/channels/", manager=str(other_manager.pk), **MARCH)
    assert 'name="manager"' in head_page.content.decode()
    rows = table(head_page.content.decode())
    assert rows["Итого"]["Лиды"] == "2" and rows["Итого"]["Расход"] == "—"
    page = get(client_for(manager), "/reports/channels/", **MARCH).content.decode()
    assert 'name="manager"' not in page
    rows = table(page)
    assert rows["Итого"]["Лиды"] == "3" and rows["Авито"]["Расход"] == "—"
    assert "Расход не относится к менеджеру" in page
    # A hand-made manager parameter does not widen a manager's view.
    rows = table(get(client_for(manager), "/reports/channels/", manager=str(other_manager.pk),
                     **MARCH).content.decode())
    assert rows["Итого"]["Лиды"] == "3"


def test_period_errors_next_to_fields(client_for, head):
    response = get(client_for(head), "/reports/channels/", date_from="2026-03-31", date_to="2026-03-01")
    assert response.status_code == 400
    assert "Конец периода раньше начала" in response.content.decode()
    response = get(client_for(head), "/reports/channels/", date_from="2026-13-01", date_to="")
    assert response.status_code == 400 and "field--error" in response.content.decode()


def test_presets():
    import datetime as dt

    today = dt.date(2026, 5, 20)  # a Wednesday
    assert preset_dates("week", today) == (dt.date(2026, 5, 18), today)
    assert preset_dates("quarter", today) == (dt.date(2026, 4, 1), today)
    assert preset_dates("year", today) == (dt.date(2026, 1, 1), today)
    assert preset_dates("last_month", today) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert preset_dates("last_month", dt.date(2026, 1, 5)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_preset_button_sets_the_dates(client_for, head):
    page = get(client_for(head), "/reports/leads-by-status/", preset="last_month",
               date_from="2020-01-01", date_to="2020-01-02").content.decode()
    first, last = preset_dates("last_month", timezone.localdate())
    assert f'value="{first.isoformat()}"' in page and f'value="{last.isoformat()}"' in page
    assert 'value="last_month" aria-pressed="true"' in page


def test_funnel_and_attribution_models(march_world, client_for, head):  # noqa: F811
    client = client_for(head)
    page = get(client, "/reports/funnel/", model="cohort", **MARCH).content.decode()
    assert "По когорте" in page and "По событиям" not in page
    assert table(page)["Лиды"]["по когорте"] == "5"
    page = get(client, "/reports/funnel/", **MARCH).content.decode()
    assert "По когорте" in page and "По событиям" in page
    page = get(client, "/reports/attribution/", model="linear", **MARCH).content.decode()
    assert "Модель: линейная" in page and 'value="linear" selected' in page
    assert get(client, "/reports/attribution/", model="planet", **MARCH).status_code == 400


def test_export_csv_and_xlsx(march_world, client_for, head):  # noqa: F811
    client = client_for(head)
    response = get(client, "/reports/channels/", format="csv", **MARCH)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="channels_2026-03-01_2026-03-31.csv"' in response["Content-Disposition"]
    rows = {r["source"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["YANDEX_DIRECT"]["revenue"] == "30000.50" and rows["SITE"]["roi"] == ""
    assert rows["ИТОГО"]["spend"] == "4500.00"
    response = get(client, "/reports/channels/", format="xlsx", **MARCH)
    assert 'filename="channels_2026-03-01_2026-03-31.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[2])
    by_source = {row[1]: dict(zip(header, row, strict=True)) for row in values[3:]}
    assert by_source["Яндекс.Директ"]["Выручка"] == pytest.approx(30000.50)
    assert by_source["Сайт"]["ROI"] is None
    assert values[-1][0] == "ИТОГО" and dict(zip(header, values[-1], strict=True))["Расход"] == 4500


def test_empty_period_has_a_helpful_state(client_for, head):
    page = get(client_for(head), "/reports/channels/", **MARCH).content.decode()
    assert "За этот период данных нет" in page and "report-table" not in page


def builder_params(**extra):
    return {"run": "1", "dimensions": ["source"], "measures": ["leads", "revenue", "spend", "roi"],
            **MARCH, **extra}


def test_builder_run_save_share_and_delete(march_world, client_for, head, manager, admin_user):  # noqa: F811
    client = client_for(head)
    page = client.get("/reports/builder/", builder_params()).content.decode()
    rows = table(page)
    assert rows["Яндекс.Директ"]["Выручка"] == rub("30 000,50 ₽")
    assert rows["Итого"]["Расход"] == rub("4 500 ₽")
    assert rows["Яндекс.Директ"]["ROI"] == "9,00"
    # Saving: the choice travels in the query string, the name and sharing in the POST.
    from urllib.parse import urlencode

    query = urlencode(builder_params(repeat="new"), doseq=True)
    response = client.post(f"/reports/builder/save/?{query}",
                           {"name": "Новые по каналам", "shared_with_roles": ["manager"],
                            "pinned_to_dashboard": "on"})
    saved = SavedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/saved/{saved.pk}/"
    assert saved.owner == head and saved.dimensions == ["source"] and saved.pinned_to_dashboard
    assert saved.measures == ["leads", "revenue", "spend", "roi"] and saved.filters == {"repeat": "new"}
    assert saved.shared_with_roles == ["manager"]
    rows = table(client.get(f"/reports/saved/{saved.pk}/", MARCH).content.decode())
    assert rows["Итого"]["Лиды"] == "4"
    # Shared with managers: a manager opens it and sees only their own leads.
    manager_page = client_for(manager).get(f"/reports/saved/{saved.pk}/", MARCH)
    assert manager_page.status_code == 200
    assert table(manager_page.content.decode())["Итого"]["Лиды"] == "2"
    assert "Новые по каналам" in client_for(manager).get("/reports/").content.decode()
    # …but may not delete it.
    assert client_for(manager).post(f"/reports/saved/{saved.pk}/delete/").status_code == 404
    assert client.post(f"/reports/saved/{saved.pk}/delete/").status_code == 302
    assert not SavedReport.objects.exists()


def test_saved_report_of_someone_else_is_404(client_for, head, manager, other_manager):
    own = SavedReport.objects.create(name="Мой", owner=manager, dimensions=["source"], measures=["leads"])
    assert client_for(other_manager).get(f"/reports/saved/{own.pk}/").status_code == 404
    assert client_for(head).get(f"/reports/saved/{own.pk}/").status_code == 404
    assert client_for(manager).get(f"/reports/saved/{own.pk}/").status_code == 200


def test_builder_save_errors_and_bad_choice(march_world, client_for, head):  # noqa: F811
    client = client_for(head)
    from urllib.parse import urlencode

    response = client.post(f"/reports/builder/save/?{urlencode(builder_params(), doseq=True)}", {"name": ""})
    assert response.status_code == 400 and not SavedReport.objects.exists()
    assert "field--error" in response.content.decode()
    response = client.get("/reports/builder/", builder_params(dimensions=["status", "pipeline"]))
    assert response.status_code == 400 and "у лида нет направления" in response.content.decode()
    response = client.get("/reports/builder/", {"run": "1", "dimensions": ["source"], **MARCH})
    assert response.status_code == 400 and "Выберите хотя бы один показатель" in response.content.decode()


def test_saved_report_export_xlsx(march_world, client_for, head):  # noqa: F811
    saved = SavedReport.objects.create(name="Каналы по месяцам", owner=head, dimensions=["source", "month"],
                                       measures=["leads", "revenue"])
    response = client_for(head).get(f"/reports/saved/{saved.pk}/", {"format": "xlsx", **MARCH})
    assert "2026-03-01_2026-03-31.xlsx" in response["Content-Disposition"]
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert values[2] == ("Источник", "Месяц", "Лиды", "Выручка")
    direct = next(r for r in values if r[0] == "Яндекс.Директ")
    assert direct[1:] == ("2026-03", 2, pytest.approx(30000.50))


@pytest.fixture
def today_world(db, manager, other_manager):
    w = World()
    now = timezone.now()
    w.lead(now, "AVITO", responsible=manager)
    w.lead(now, "AVITO", responsible=other_manager, status="JUNK")
    w.spend(timezone.localdate().isoformat(), "AVITO", "1000.00")
    return w


def test_dashboard_figures_and_pinned(today_world, client_for, head, manager):
    SavedReport.objects.create(name="Лиды по источникам (закреплён)", owner=head, dimensions=["source"],
                               measures=["leads"], pinned_to_dashboard=True)
    page = client_for(head).get("/reports/dashboard/", {"preset": "today"}).content.decode()
    assert 'href="?preset=today" aria-current="page"' in page
    tiles = dict(TILE.findall(page))
    assert tiles["Лиды"] == "2" and tiles["Расход"] == rub("1 000 ₽") and tiles["CPL"] == rub("500 ₽")
    assert tiles["Доля некачественных"] == f"50,0{NBSP}%"
    assert "Лиды по источникам (закреплён)" in page and 'id="dashboard-leads"' in page
    assert 'id="dashboard-spend"' in page
    # A manager sees their own figures and no spend.
    page = client_for(manager).get("/reports/dashboard/", {"preset": "today"}).content.decode()
    tiles = dict(TILE.findall(page))
    assert tiles["Лиды"] == "1" and tiles["Расход"] == "—"
    assert 'id="dashboard-spend"' not in page and "Закреплённых отчётов нет" in page
