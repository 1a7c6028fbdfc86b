"""The lead-status clean-up (seed 002): mapping, dry run, migration, guard robots, deletion."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.task_worker import db_worker_batch
from voronka.automation import cleanup
from voronka.automation.models import (
    CleanupState,
    Notification,
    Robot,
    RobotRun,
    RunState,
    StatusCleanupJob,
)
from voronka.crm.models import (
    Communication,
    Contact,
    CrmSettings,
    Deal,
    EventKind,
    Lead,
    LeadStatus,
    TimelineEvent,
)
from voronka.crm.services.leads import lead_change_status
from voronka.crm.timeline import event_record

STUCK = {  # the intermediate statuses of a funnel built on leads, and where they go
    "FIRST_CALL": ("Первый звонок", "MAIN:PREPARATION"),
    "OFFER_SENT": ("Выслали КП", "MAIN:PREPAYMENT_INVOICE"),
    "INVOICE_WAIT": ("Ждём счёт", "MAIN:FINAL_INVOICE"),
    "THINKING": ("Думает", "MAIN:NEW"),
    "NO_ANSWER": ("Не дозвонились", "JUNK:NO_ANSWER"),
    "WAITING": ("Ждём ответа", "IN_PROCESS"),
}
MAPPING = {code: target for code, (_name, target) in STUCK.items()}


def stuck_statuses() -> dict[str, LeadStatus]:
    return {code: LeadStatus.objects.create(code=code, name=name, sort=11 + n)
            for n, (code, (name, _target)) in enumerate(STUCK.items())}


def stuck_leads(count: int, responsible, source, *, amount_every: int = 4) -> list[Lead]:
    """`count` leads spread over the stuck statuses, built with bulk_create (fast): every
    `amount_every`-th has no amount, every 5th a company, each a phone of its own."""
    statuses = list(LeadStatus.objects.filter(code__in=list(STUCK)).order_by("sort"))
    leads = Lead.objects.bulk_create([
        Lead(title=f"Клиент {i}", name=f"Клиент {i}", status=statuses[i % len(statuses)],
             source=source, responsible=responsible,
             amount=None if i % amount_every == 0 else Decimal(1000 + i),
             company_title=f"ООО «Ромашка {i}»" if i % 5 == 0 else "")
        for i in range(count)], batch_size=1000)
    Communication.objects.bulk_create([
        Communication(lead=lead, kind="PHONE", value=f"+7900{i:07d}", normalized=f"+7900{i:07d}",
                      value_type="MOBILE")
        for i, lead in enumerate(leads)], batch_size=1000)
    return leads


def in_stuck(codes=tuple(STUCK)) -> int:
    return Lead.objects.filter(status__code__in=codes).count()


@pytest.fixture
def world(db, manager, source):
    statuses = stuck_statuses()
    leads = stuck_leads(60, manager, source)
    return statuses, leads


# -- the mapping ---------------------------------------------------------------------------

def test_plan_parse_reads_every_kind_of_target(world):
    plan = cleanup.plan_parse(MAPPING, "MAIN")
    kinds = {code: target.kind for code, target in plan.targets.items()}
    assert kinds["FIRST_CALL"] == kinds["THINKING"] == "stage"
    assert kinds["NO_ANSWER"] == "junk" and plan.targets["NO_ANSWER"].reason.code == "NO_ANSWER"
    assert kinds["WAITING"] == "status" and plan.targets["WAITING"].status.code == "IN_PROCESS"
    assert plan.targets["OFFER_SENT"].stage.code == "PREPAYMENT_INVOICE"


def test_plan_parse_bare_stage_code_uses_the_chosen_pipeline(world):
    plan = cleanup.plan_parse({"FIRST_CALL": "EXECUTING"}, "MAIN")
    assert plan.targets["FIRST_CALL"].stage.code == "EXECUTING"


@pytest.mark.parametrize(("mapping", "pipeline", "message"), [
    ({"NOPE": "IN_PROCESS"}, "MAIN", "NOPE: нет статуса лида"),
    ({"FIRST_CALL": "MAIN:NOPE"}, "MAIN", "нет стадии «NOPE»"),
    ({"FIRST_CALL": "MAIN:WON"}, "MAIN", "закрывает сделку"),
    ({"FIRST_CALL": "JUNK:NOPE"}, "MAIN", "нет причины закрытия"),
    ({"FIRST_CALL": "NOWHERE"}, "", "нет статуса лида «NOWHERE»"),
    ({"FIRST_CALL": "WAITING", "WAITING": "NEW"}, "MAIN", "не рабочий статус"),
    ({"NEW": "IN_PROCESS"}, "MAIN", "системный"),
    ({"FIRST_CALL": "NEW"}, "NOPE", "Нет направления с кодом «NOPE»"),
    ({}, "MAIN", "хотя бы один статус"),
])
def test_plan_parse_refuses_clearly(world, mapping, pipeline, message):
    with pytest.raises(ValidationError) as error:
        cleanup.plan_parse(mapping, pipeline)
    assert any(message in text for text in error.value.messages), error.value.messages


def test_status_counts_count_open_and_all_leads(world, make_lead, junk_reason):
    from voronka.crm.services.leads import lead_close_as_junk

    closed = make_lead(phones=())
    lead_close_as_junk(lead=closed, reason=junk_reason)
    counts = {line.status.code: line for line in cleanup.status_counts()}
    assert (counts["FIRST_CALL"].open, counts["FIRST_CALL"].total) == (10, 10)
    assert (counts["JUNK"].open, counts["JUNK"].total) == (0, 1)
    assert counts["FIRST_CALL"].mappable and not counts["NEW"].mappable


# -- the dry run ---------------------------------------------------------------------------

def test_preview_counts_targets_and_clients_and_changes_nothing(world, source):
    statuses, leads = world
    first_call = [lead for lead in leads if lead.status_id == statuses["FIRST_CALL"].pk]
    # one lead's phone is an existing client's; two stuck leads share another phone
    known = Contact.objects.create(name="Известный")
    Communication.objects.create(contact=known, kind="PHONE", value="x",
                                 normalized=first_call[1].communications.get().normalized)
    Communication.objects.filter(lead=first_call[3]).update(
        normalized=first_call[2].communications.get().normalized)
    settings = CrmSettings.load()
    settings.minimum_amount = Decimal("1010")
    settings.save()

    preview = cleanup.cleanup_preview(cleanup.plan_parse(MAPPING, "MAIN"))

    lines = {line.status.code: line for line in preview.lines}
    assert preview.leads == 60 and lines["WAITING"].leads == 10
    line = lines["FIRST_CALL"]  # leads 0, 6, 12, … 54: no amount for 0, 12, 24, 36, 48
    assert (line.existing_contacts, line.new_contacts) == (2, 8)
    assert (line.new_companies, line.existing_companies) == (2, 0)  # leads 0 and 30
    assert line.without_amount == 5
    assert line.refused == 1  # lead 6: 1006 ₽ is below the minimum of 1010 ₽
    assert any(f"Лид #{first_call[1].pk}" in p for p in preview.problems)
    assert "меньше минимальной" in preview.problems[0]
    assert in_stuck() == 60 and not Deal.objects.exists() and not Robot.objects.exists()
    assert not LeadStatus.objects.filter(deprecated=True).exists()


def test_preview_warns_about_robots_that_would_fire(world, make_robot):
    make_robot(actions=[{"type": "comment_add", "text": "Привет"}], stage="PREPARATION",
               name="Приветствие")
    preview = cleanup.cleanup_preview(cleanup.plan_parse(MAPPING, "MAIN"))
    assert any("Приветствие" in problem for problem in preview.problems)


# -- the migration -------------------------------------------------------------------------

def test_run_migrates_every_lead_to_its_target(world, admin_user, source):
    statuses, leads = world
    job = cleanup.job_create(cleanup.plan_parse(MAPPING, "MAIN"), batch_size=7, acting_user=admin_user)
    seen = []
    job = cleanup.job_run(job, progress=lambda j: seen.append(j.processed))

    assert job.state == CleanupState.DONE and job.total == 60
    assert (job.converted, job.junked, job.moved, job.failed) == (40, 10, 10, 0)
    assert seen == sorted(seen) and len(seen) == 60 // 7 + 2 and seen[-1] == 60
    assert in_stuck() == 0
    lead = next(lead for lead in leads if lead.status_id == statuses["OFFER_SENT"].pk)
    lead.refresh_from_db()
    deal = Deal.objects.get(lead=lead)
    assert lead.status.code == "CONVERTED" and deal.stage.code == "PREPAYMENT_INVOICE"
    assert deal.source == source and deal.contact == lead.contact
    assert TimelineEvent.objects.filter(deal=deal, kind=EventKind.STAGE_CHANGED,
                                        text__contains="очисткой статусов").exists()
    thinking = Deal.objects.filter(lead__in=[lead for lead in leads
                                             if lead.status_id == statuses["THINKING"].pk])
    assert set(thinking.values_list("stage__code", flat=True)) == {"NEW"}
    assert Lead.objects.filter(status__code="JUNK", junk_reason__code="NO_ANSWER").count() == 10
    assert Lead.objects.filter(status__code="IN_PROCESS").count() == 10
    for status in LeadStatus.objects.filter(code__in=list(STUCK)):  # deprecated and guarded
        assert status.deprecated and status.name.startswith("Не использовать")
        assert status.robots.get(is_system=True).actions[0] == {"type": "status_set", "status": "NEW"}


def test_no_amount_gets_the_minimum_and_refused_leads_stay(world, admin_user):
    settings = CrmSettings.load()
    settings.minimum_amount = Decimal("1010")
    settings.save()
    job = cleanup.job_run(cleanup.job_create(cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION"}),
                                             acting_user=admin_user))
    assert (job.converted, job.failed) == (9, 1)
    assert "меньше минимальной" in job.errors[0]["error"]
    assert Lead.objects.get(pk=job.errors[0]["lead"]).status.code == "FIRST_CALL"
    no_amount = Deal.objects.filter(lead__title="Клиент 0").get()
    assert no_amount.amount == Decimal("1010.00")


def test_leads_of_one_client_get_one_contact(world, admin_user):
    statuses, leads = world
    first_call = [lead for lead in leads if lead.status_id == statuses["FIRST_CALL"].pk]
    Communication.objects.filter(lead=first_call[1]).update(
        normalized=first_call[0].communications.get().normalized)
    cleanup.job_run(cleanup.job_create(cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION"}),
                                       acting_user=admin_user))
    first, second = (Deal.objects.get(lead=lead) for lead in first_call[:2])
    assert first.contact_id == second.contact_id
    assert Contact.objects.count() == 9


def test_interrupted_run_resumes_without_converting_twice(db, manager, source, admin_user,
                                                          monkeypatch):
    stuck_statuses()
    stuck_leads(300, manager, source)
    job = cleanup.job_create(cleanup.plan_parse(MAPPING, "MAIN"), batch_size=40, acting_user=admin_user)
    real, calls = cleanup.lead_migrate, []

    def crashing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 130:  # in the middle of the 4th batch
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(cleanup, "lead_migrate", crashing)
    with pytest.raises(ConnectionError):
        cleanup.job_run(job)
    job.refresh_from_db()
    assert job.state == CleanupState.INTERRUPTED and "went away" in job.error
    assert job.processed == 120 and in_stuck() == 180  # three whole batches, nothing of the 4th
    assert cleanup.job_resumable(job)

    monkeypatch.setattr(cleanup, "lead_migrate", real)
    job = cleanup.job_run(job)
    assert job.state == CleanupState.DONE and job.total == 300 and job.processed == 300
    assert in_stuck() == 0
    converted = Lead.objects.filter(status__code="CONVERTED")
    assert Deal.objects.count() == converted.count() == 200  # one deal per lead, never two
    assert Robot.objects.filter(is_system=True).count() == 6  # the guards are not doubled


def test_a_running_job_is_not_resumed_until_stale(world, admin_user):
    job = cleanup.job_create(cleanup.plan_parse(MAPPING, "MAIN"), acting_user=admin_user)
    job.state = CleanupState.RUNNING
    assert not cleanup.job_resumable(job)
    job.updated_at -= cleanup.STALE_AFTER * 2
    assert cleanup.job_resumable(job)


def test_a_job_whose_runner_was_killed_is_handed_back_to_the_worker(world, admin_user):
    job = cleanup.job_create(cleanup.plan_parse(MAPPING, "MAIN"), acting_user=admin_user)
    long_ago = timezone.now() - cleanup.STALE_AFTER * 2
    StatusCleanupJob.objects.filter(pk=job.pk).update(state=CleanupState.RUNNING, updated_at=long_ago)
    StatusCleanupJob.objects.create(state=CleanupState.INTERRUPTED, updated_at=long_ago)  # stopped on purpose
    assert cleanup.jobs_stale_resume() == 1
    job.refresh_from_db()
    assert job.state == CleanupState.QUEUED
    db_worker_batch()
    job.refresh_from_db()
    assert job.state == CleanupState.DONE and in_stuck() == 0
    assert cleanup.jobs_stale_resume() == 0
    assert StatusCleanupJob.objects.get(state=CleanupState.INTERRUPTED)


def test_ten_thousand_leads_in_six_statuses(db, manager, source, admin_user):
    stuck_statuses()
    started = time.monotonic()
    stuck_leads(10_000, manager, source)
    built = time.monotonic()
    plan = cleanup.plan_parse(MAPPING, "MAIN")
    preview = cleanup.cleanup_preview(plan)
    previewed = time.monotonic()
    job = cleanup.job_run(cleanup.job_create(plan, batch_size=500, acting_user=admin_user))
    finished = time.monotonic()
    # The figures for the docs; shown with `-o log_cli=true --log-cli-level=INFO`.
    logging.getLogger(__name__).info(
        "10k leads: built %.1fs, dry run %.1fs, migration %.1fs; converted %s, moved %s, "
        "junked %s, failed %s", built - started, previewed - built, finished - previewed,
        job.converted, job.moved, job.junked, job.failed)
    assert preview.leads == 10_000 and sum(line.new_contacts for line in preview.lines) == 6668
    assert (job.converted, job.moved, job.junked, job.failed) == (6668, 1666, 1666, 0)
    assert Deal.objects.count() == 6668 and in_stuck() == 0
    assert Deal.objects.filter(stage__code="FINAL_INVOICE").count() == 1667


# -- the guard robot -----------------------------------------------------------------------

def test_guard_sends_a_bypassing_write_back_to_new_and_tells_the_actor(
        world, task_backend, admin_user, manager, django_capture_on_commit_callbacks):
    statuses, leads = world
    cleanup.plan_prepare(cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION"}), admin_user)
    lead = next(lead for lead in leads if lead.status_id == statuses["WAITING"].pk)
    first_call = LeadStatus.objects.get(code="FIRST_CALL")
    with pytest.raises(ValidationError):  # the service refuses a deprecated status …
        lead_change_status(lead=lead, status=first_call, acting_user=manager)
    with django_capture_on_commit_callbacks(execute=True):  # … a legacy integration does not
        Lead.objects.filter(pk=lead.pk).update(status=first_call)
        lead.refresh_from_db()
        event_record(EventKind.STATUS_CHANGED, actor=manager, lead=lead,
                     payload={"from": statuses["WAITING"], "to": first_call})
    task_backend.drain()

    lead.refresh_from_db()
    assert lead.status.code == "NEW"
    assert RobotRun.objects.get(robot__is_system=True).state == RunState.DONE
    note = Notification.objects.get(user=manager)
    assert "больше не используется" in note.text and lead.title in note.text


# -- deleting ------------------------------------------------------------------------------

def test_delete_refuses_while_leads_remain_then_takes_the_guard_along(world, admin_user):
    plan = cleanup.plan_parse({"FIRST_CALL": "MAIN:PREPARATION"})
    cleanup.plan_prepare(plan, admin_user)
    status = LeadStatus.objects.get(code="FIRST_CALL")
    with pytest.raises(ValidationError, match="нельзя удалить: в нём 10"):
        cleanup.deprecated_status_delete(status, admin_user)
    assert Robot.objects.filter(status=status).exists()
    cleanup.job_run(cleanup.job_create(plan, acting_user=admin_user))
    cleanup.deprecated_status_delete(status, admin_user)
    assert not LeadStatus.objects.filter(code="FIRST_CALL").exists()
    assert not Robot.objects.filter(is_system=True).exists()


def test_delete_refuses_a_status_that_is_not_deprecated(world, admin_user):
    status = LeadStatus.objects.get(code="WAITING")
    Lead.objects.filter(status=status).delete()
    with pytest.raises(ValidationError, match="не устаревший"):
        cleanup.deprecated_status_delete(status, admin_user)
    assert LeadStatus.objects.filter(code="WAITING").exists()
