"""The status clean-up pages (/settings/statuses/cleanup/): admin only; mapping → dry run → run
in the background → progress → delete the emptied statuses; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.automation.test_cleanup import STUCK, in_stuck, stuck_leads, stuck_statuses
from tests.task_worker import db_worker_batch
from voronka.automation import cleanup
from voronka.automation.models import CleanupState, Robot, StatusCleanupJob
from voronka.crm.models import Deal, Lead, LeadStatus

BASE = "/settings/statuses/cleanup/"
ALL_MAPPED = {f"map_{code}": target for code, (_name, target) in STUCK.items()}


@pytest.fixture
def world(db, manager, source):
    stuck_statuses()
    return stuck_leads(30, manager, source)


def work() -> None:
    """What `voronka worker` does: run the queued background tasks."""
    db_worker_batch()


def nothing_changed() -> bool:
    return (in_stuck() == 30 and not Deal.objects.exists() and not Robot.objects.exists()
            and not StatusCleanupJob.objects.exists()
            and not LeadStatus.objects.filter(deprecated=True).exists())


@pytest.mark.parametrize("role", ["manager", "head"])
def test_only_an_admin_may_open_or_post(world, request, client_for, role, admin_user):
    client = client_for(request.getfixturevalue(role))
    job = StatusCleanupJob.objects.create(mapping={"FIRST_CALL": "MAIN:PREPARATION"},
                                          state=CleanupState.INTERRUPTED)
    status = LeadStatus.objects.get(code="FIRST_CALL")
    for url in (BASE, f"{BASE}preview/?pipeline=MAIN&map_FIRST_CALL=MAIN:PREPARATION",
                f"{BASE}jobs/{job.pk}/", f"{BASE}jobs/{job.pk}/progress/"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"{BASE}run/", {"pipeline": "MAIN", "map_FIRST_CALL": "MAIN:PREPARATION"}),
                      (f"{BASE}jobs/{job.pk}/resume/", {}),
                      (f"{BASE}statuses/{status.pk}/delete/", {})):
        assert client.post(url, data).status_code == 403, url
    job.refresh_from_db()
    assert job.state == CleanupState.INTERRUPTED and in_stuck() == 30
    assert not LeadStatus.objects.filter(deprecated=True).exists()


def test_admin_walks_mapping_dry_run_run_progress_delete(world, client_for, admin_user):
    client = client_for(admin_user)
    page = client.get(BASE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Первый звонок" in html and 'name="map_FIRST_CALL"' in html
    assert 'value="MAIN:PREPARATION"' in html and 'value="JUNK:NO_ANSWER"' in html
    assert 'name="map_NEW"' not in html  # a system status is not offered
    first_call = next(line for line in page.context["form"].lines if line.status.code == "FIRST_CALL")
    assert (first_call.open, first_call.total) == (5, 5)

    query = {"pipeline": "MAIN", **ALL_MAPPED}
    report = client.get(f"{BASE}preview/", query)
    assert report.status_code == 200
    preview = report.context["preview"]
    assert preview.leads == 30
    assert {line.status.code: line.leads for line in preview.lines}["OFFER_SENT"] == 5
    assert "Запустить" in report.content.decode()
    assert nothing_changed()  # the dry run is only a report

    started = client.post(f"{BASE}run/", query)
    job = StatusCleanupJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"{BASE}jobs/{job.pk}/"
    assert job.state == CleanupState.QUEUED and job.created_by == admin_user
    assert job.mapping == {code: target for code, (_name, target) in STUCK.items()}
    waiting = client.get(f"{BASE}jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "voronka worker" in waiting

    work()
    job.refresh_from_db()
    assert job.state == CleanupState.DONE and (job.converted, job.moved, job.junked) == (20, 5, 5)
    assert in_stuck() == 0 and Deal.objects.count() == 20
    done = client.get(f"{BASE}jobs/{job.pk}/progress/")
    body = done.content.decode()
    assert "every 1s" not in body and "100%" in body and "Завершена" in body
    deletable = {line.status.code: line.deletable for line in done.context["deprecated"]}
    assert deletable == dict.fromkeys(STUCK, True)

    status = LeadStatus.objects.get(code="FIRST_CALL")
    assert status.deprecated and status.name.startswith("Не использовать")
    gone = client.post(f"{BASE}statuses/{status.pk}/delete/", {"next": f"{BASE}jobs/{job.pk}/"})
    assert gone.status_code == 302 and gone["Location"] == f"{BASE}jobs/{job.pk}/"
    assert not LeadStatus.objects.filter(code="FIRST_CALL").exists()
    assert not Robot.objects.filter(status__code="FIRST_CALL").exists()


def test_changing_the_pipeline_offers_its_stages(world, client_for, admin_user):
    from voronka.crm.models import Pipeline, Stage

    other = Pipeline.objects.create(code="SERVICE", name="Сервис", sort=200)
    Stage.objects.create(pipeline=other, code="VISIT", name="Выезд мастера", sort=10)
    html = client_for(admin_user).get(BASE, {"pipeline": "SERVICE"}).content.decode()
    assert 'value="SERVICE:VISIT"' in html and 'value="MAIN:PREPARATION"' not in html


@pytest.mark.parametrize(("data", "message"), [
    ({"pipeline": "MAIN", "map_FIRST_CALL": "MAIN:WON"}, "Выберите корректный вариант"),
    ({"pipeline": "NOPE", "map_FIRST_CALL": "NEW"}, "Выберите корректный вариант"),
    ({"pipeline": "MAIN"}, "Выберите хотя бы один статус"),
])
def test_bad_mapping_is_a_form_error_and_changes_nothing(world, client_for, admin_user, data, message):
    client = client_for(admin_user)
    for answer in (client.get(f"{BASE}preview/", data), client.post(f"{BASE}run/", data)):
        assert answer.status_code == 400
        assert message in answer.content.decode()
        assert answer.templates[0].name == "web/cleanup/index.html"
    assert nothing_changed()


def test_a_second_run_is_refused_while_one_is_going(world, client_for, admin_user):
    client = client_for(admin_user)
    data = {"pipeline": "MAIN", "map_FIRST_CALL": "MAIN:PREPARATION"}
    assert client.post(f"{BASE}run/", data).status_code == 302
    again = client.post(f"{BASE}run/", {"pipeline": "MAIN", "map_THINKING": "MAIN:NEW"})
    assert again.status_code == 400 and "ещё идёт" in again.content.decode()
    assert StatusCleanupJob.objects.count() == 1
    assert not LeadStatus.objects.get(code="THINKING").deprecated


def test_an_interrupted_job_is_resumed_from_its_page(world, client_for, admin_user, monkeypatch):
    plan = cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION", "THINKING": "MAIN:NEW"})
    job = cleanup.job_create(plan, batch_size=4, acting_user=admin_user)
    real, calls = cleanup.lead_migrate, []

    def crashing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:
            raise ConnectionError("сервер перезагрузили")
        return real(*args, **kwargs)

    monkeypatch.setattr(cleanup, "lead_migrate", crashing)
    with pytest.raises(ConnectionError):
        cleanup.job_run(job)
    monkeypatch.setattr(cleanup, "lead_migrate", real)
    client = client_for(admin_user)
    page = client.get(f"{BASE}jobs/{job.pk}/").content.decode()
    assert "Прервана" in page and "сервер перезагрузили" in page and "Продолжить" in page
    assert "Не использовать: Первый звонок → сделка: Главное → Подготовка документов" in page
    assert in_stuck(("FIRST_CALL", "THINKING")) == 6  # one batch of 4 went

    assert client.post(f"{BASE}jobs/{job.pk}/resume/").status_code == 302
    job.refresh_from_db()
    assert job.state == CleanupState.QUEUED and job.error == ""  # the page polls again
    assert 'hx-trigger="every 1s"' in client.get(f"{BASE}jobs/{job.pk}/progress/").content.decode()
    work()
    job.refresh_from_db()
    assert job.state == CleanupState.DONE and job.processed == 10 and job.error == ""
    assert in_stuck(("FIRST_CALL", "THINKING")) == 0 and Deal.objects.count() == 10
    assert "Продолжить" not in client.get(f"{BASE}jobs/{job.pk}/").content.decode()


def test_a_running_job_is_not_resumed_twice(world, client_for, admin_user):
    job = StatusCleanupJob.objects.create(mapping={"FIRST_CALL": "MAIN:PREPARATION"},
                                          state=CleanupState.RUNNING, created_by=admin_user)
    client = client_for(admin_user)
    assert "Продолжить" not in client.get(f"{BASE}jobs/{job.pk}/").content.decode()
    client.post(f"{BASE}jobs/{job.pk}/resume/")
    work()
    assert in_stuck() == 30  # nothing was enqueued for a job that is still running
    StatusCleanupJob.objects.filter(pk=job.pk).update(
        updated_at=job.updated_at - cleanup.STALE_AFTER - dt.timedelta(minutes=1))
    assert "Продолжить" in client.get(f"{BASE}jobs/{job.pk}/").content.decode()  # its runner died


def test_delete_is_refused_while_leads_remain(world, client_for, admin_user):
    cleanup.plan_prepare(cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION"}), admin_user)
    status = LeadStatus.objects.get(code="FIRST_CALL")
    client = client_for(admin_user)
    page = client.get(BASE)
    line = next(line for line in page.context["deprecated"] if line.status == status)
    assert line.leads == 5 and not line.deletable
    answer = client.post(f"{BASE}statuses/{status.pk}/delete/", follow=True)
    assert "нельзя удалить" in answer.content.decode()
    assert LeadStatus.objects.filter(pk=status.pk).exists()
    assert Lead.objects.filter(status=status).count() == 5
    working = LeadStatus.objects.get(code="WAITING")
    Lead.objects.filter(status=working).delete()
    client.post(f"{BASE}statuses/{working.pk}/delete/")
    assert LeadStatus.objects.filter(pk=working.pk).exists()  # not deprecated: not this tool's to delete


def test_settings_home_links_to_the_tool(db, client_for, admin_user):
    html = client_for(admin_user).get("/settings/").content.decode()
    assert f'href="{BASE}"' in html and "/settings/robots/" in html


@pytest.mark.browser
def test_the_three_pages_in_chromium(browser_page, admin_user, manager, source, screenshot):
    from playwright.sync_api import expect

    stuck_statuses()
    stuck_leads(30, manager, source)
    page = browser_page(admin_user)
    page.goto("/settings/")
    page.get_by_role("link", name="Очистка статусов лидов").click()
    expect(page.get_by_role("heading", name="Очистка статусов лидов")).to_be_visible()
    for code, (_name, target) in STUCK.items():
        page.locator(f"#id_map_{code}").select_option(target)
    screenshot(page, "statuses-cleanup-mapping")

    page.get_by_role("button", name="Проверить").click()
    expect(page.get_by_role("heading", name="Проверка очистки статусов")).to_be_visible()
    expect(page.locator(".figure").first).to_contain_text("30")
    screenshot(page, "statuses-cleanup-dry-run")
    assert nothing_changed()

    page.get_by_role("button", name="Запустить").click()
    expect(page.locator("#progress-title")).to_have_text("Ждёт запуска")
    work()  # the background worker; the page learns of it by polling
    expect(page.locator("#progress-title")).to_have_text("Завершена")
    expect(page.locator("[data-percent]")).to_have_text("100%")
    deprecated = page.locator("#deprecated tbody tr")
    expect(deprecated).to_have_count(6)
    screenshot(page, "statuses-cleanup-job")
    assert in_stuck() == 0 and Deal.objects.count() == 20

    first_call = deprecated.filter(has_text="Первый звонок")
    first_call.get_by_role("button", name="Удалить").click()
    expect(page.locator("#deprecated tbody tr")).to_have_count(5)
    expect(page.get_by_text("удалён вместе с его роботом-стражем")).to_be_visible()
    assert not LeadStatus.objects.filter(code="FIRST_CALL").exists()


def test_a_finished_job_with_refused_leads_runs_again_for_them(world, client_for, admin_user):
    from decimal import Decimal

    from voronka.crm.models import CrmSettings

    rules = CrmSettings.load()
    rules.minimum_amount = Decimal("1010")  # lead «Клиент 6» asks 1006 ₽: refused
    rules.save()
    client = client_for(admin_user)
    client.post(f"{BASE}run/", {"pipeline": "MAIN", "map_FIRST_CALL": "MAIN:PREPARATION"})
    work()
    job = StatusCleanupJob.objects.get()
    assert job.state == CleanupState.DONE and (job.converted, job.failed) == (4, 1)
    page = client.get(f"{BASE}jobs/{job.pk}/").content.decode()
    assert "Клиент 6" in page and "меньше минимальной" in page
    assert "Запустить снова для оставшихся лидов" in page
    assert 'name="pipeline" value="MAIN"' in page
    assert 'name="map_FIRST_CALL" value="MAIN:PREPARATION"' in page  # what the button posts

    rules.minimum_amount = Decimal("0")
    rules.save()
    again = client.post(f"{BASE}run/", {"pipeline": "MAIN", "map_FIRST_CALL": "MAIN:PREPARATION"})
    second = StatusCleanupJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == f"{BASE}jobs/{second.pk}/"
    work()
    second.refresh_from_db()
    assert (second.total, second.converted, second.failed) == (1, 1, 0)
    assert in_stuck(("FIRST_CALL",)) == 0 and Deal.objects.count() == 5
