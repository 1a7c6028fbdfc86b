"""The import journey in a real browser, with the worker's job run by the test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from voronka.crm.models import LeadStatus
from voronka.imports.models import ImportJob, JobStatus
from voronka.intake.imports.service import job_run

pytestmark = pytest.mark.browser

CSV = ("ФИО,Телефон,Email\nИван,8 900 555-01-01,ivan@example.ru\nПётр,8 900 555-01-01,\n"
       "Анна,+7 900 555-01-02,\nБорис,нет,\n")


def run_queued_jobs() -> None:
    """What `voronka worker` does: run the queued import jobs (here, in the test's thread)."""
    for job in ImportJob.objects.filter(status=JobStatus.QUEUED).exclude(report__has_key="awaiting_mapping"):
        job_run(job.pk)


def test_import_end_to_end(browser_page, admin_user, tmp_path, settings, screenshot):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A live-server test before this one may have flushed the seed statuses; a lead needs one.
    LeadStatus.objects.get_or_create(code="NEW", defaults={"name": "Новый", "semantics": "process"})
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    page = browser_page(admin_user)
    page.goto("/imports/")
    page.get_by_label("Файл CSV или XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить и сопоставить колонки").click()
    page.get_by_role("heading", name="Что в каких колонках").wait_for()
    assert page.get_by_label("Телефон", exact=True).input_value() == "phone"
    page.get_by_role("button", name="Проверить файл").click()
    page.wait_for_url("**/imports/*/")
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "0"
    run_queued_jobs()
    page.get_by_text("станут лидами").wait_for()
    expect(page.get_by_text("дубль в файле")).to_be_visible()
    screenshot(page, "import-report")
    page.get_by_role("button", name="Импортировать 2 строки").click()
    page.wait_for_url(lambda url: "/imports/" in url)
    run_queued_jobs()
    page.get_by_text("лидов создано").wait_for()
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    assert page.locator("[data-percent]").inner_text() == "100%"
    real = ImportJob.objects.get(dry_run=False)
    assert (real.created, real.skipped, real.failed) == (2, 1, 1)
    screenshot(page, "import-done")
    page.get_by_role("link", name="Открыть лиды").click()
    page.wait_for_url("**/leads/")
