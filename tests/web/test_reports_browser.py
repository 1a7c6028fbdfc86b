"""The report pages in Chromium on the demo data: a money report, another period, a custom report
built, saved and exported to XLSX. Screenshots: docs/screenshots/report-channels.png, dashboard.png."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from voronka.accounts.models import User
from voronka.analytics.builder import builder_run
from voronka.analytics.models import SavedReport
from voronka.analytics.periods import period_parse
from voronka.analytics.reports import report_run
from voronka.demo.loader import demo_load
from voronka.web.reports.tables import value_text

pytestmark = pytest.mark.browser
CHART_DRAWN = "el => !!window.Chart && !!window.Chart.getChart(el)"


def totals_cell(page, header: str) -> str:
    headers = page.locator(".report-table thead th").all_inner_texts()
    return page.locator(".report-table tfoot tr > *").nth(headers.index(header)).inner_text()


def test_reports_on_the_demo_data(browser_page, screenshot, tmp_path):
    demo_load(leads=400, password="demo12345", seed=2024)
    head = User.objects.get(username="head")
    page = browser_page(head, width=1366)

    # 1. The money report: table and chart.
    assert page.goto("/reports/channels/").status == 200
    assert page.locator(".report-table tbody tr").count() > 0

    # 2. Another period: a preset button, then dates typed by hand.
    page.get_by_role("button", name="Квартал", exact=True).click()
    page.wait_for_url("**preset=quarter**")
    date_from = page.locator("#id_date_from").input_value()
    date_to = page.locator("#id_date_to").input_value()
    page.locator("#id_date_from").fill(date_from[:4] + "-01-01")
    page.get_by_role("button", name="Показать", exact=True).last.click()
    page.wait_for_url(f"**date_from={date_from[:4]}-01-01**")
    period = period_parse(f"{date_from[:4]}-01-01", date_to, head.time_zone)
    expected = report_run("channels", period=period, user=head)
    assert expected.totals["leads"] > 0
    assert totals_cell(page, "Лиды") == value_text("count", expected.totals["leads"])
    assert totals_cell(page, "Выручка") == value_text("money", expected.totals["revenue"])
    assert page.locator("canvas[data-chart]").evaluate(CHART_DRAWN)
    screenshot(page, "report-channels")

    # 3. Build a report (source × month: leads, revenue, spend, ROI) and save it.
    page.goto("/reports/builder/")
    page.locator("input[name=dimensions][value=month]").check()
    for value in ("spend", "roi"):
        page.locator(f"input[name=measures][value={value}]").check()
    page.get_by_role("button", name="Год", exact=True).click()
    page.wait_for_url("**preset=year**")
    assert page.locator(".report-table tbody tr").count() > 0
    page.get_by_label("Название отчёта").fill("Каналы по месяцам")
    page.locator("input[name=shared_with_roles][value=manager]").check()
    page.get_by_label("Закрепить на панели показателей").check()
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url("**/reports/saved/*/")
    saved = SavedReport.objects.get(name="Каналы по месяцам")
    assert saved.dimensions == ["source", "month"] and saved.measures == ["leads", "won_deals", "revenue",
                                                                          "spend", "roi"]
    assert saved.shared_with_roles == ["manager"] and saved.pinned_to_dashboard

    # 4. Export it to XLSX: the file holds the same numbers.
    page.get_by_role("button", name="Год", exact=True).click()
    page.wait_for_url("**preset=year**")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert download.suggested_filename.startswith("каналы-по-месяцам_")
    file = tmp_path / download.suggested_filename
    download.save_as(file)
    rows = list(load_workbook(file).active.iter_rows(values_only=True))
    header, totals = rows[2], dict(zip(rows[2], rows[-1], strict=True))
    assert header[:2] == ("Источник", "Месяц") and rows[-1][0] == "ИТОГО"
    first = page.locator("#id_date_from").input_value()
    last = page.locator("#id_date_to").input_value()
    want = builder_run(dimensions=saved.dimensions, measures=saved.measures,
                       period=period_parse(first, last, head.time_zone), user=head)
    assert totals["Лиды"] == want.totals["leads"] > 0
    assert totals["Выручка"] == pytest.approx(float(want.totals["revenue"]))
    assert totals["Расход"] == pytest.approx(float(want.totals["spend"]))
    assert len(rows) - 4 == len(want.rows)

    # The dashboard: figures, daily charts and the report just pinned.
    assert page.goto("/reports/dashboard/").status == 200
    assert page.locator("canvas[data-chart]").first.evaluate(CHART_DRAWN)
    expect(page.get_by_role("link", name="Каналы по месяцам")).to_be_visible()
    screenshot(page, "dashboard")


def test_report_page_at_375px(browser_page, head):
    page = browser_page(head, width=375)
    assert page.goto("/reports/channels/").status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    expect(page.get_by_text("За этот период данных нет")).to_be_visible()
