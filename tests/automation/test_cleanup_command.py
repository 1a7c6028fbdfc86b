"""`voronka statuses cleanup`: the listing, the dry run (changes nothing), --apply with its
progress line, --resume, --delete-unused, and clear refusals of bad input."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.automation.test_cleanup import STUCK, in_stuck, stuck_leads, stuck_statuses
from voronka.automation import cleanup
from voronka.automation.models import CleanupState, Robot, StatusCleanupJob
from voronka.crm.models import Deal, Lead, LeadStatus

MAP_ARGS = [arg for code, (_name, target) in STUCK.items() for arg in ("--map", f"{code}={target}")]


@pytest.fixture
def world(db, manager, source):
    stuck_statuses()
    return stuck_leads(60, manager, source)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("statuses", "cleanup", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def untouched() -> bool:
    return (in_stuck() == 60 and not Deal.objects.exists() and not Robot.objects.exists()
            and not StatusCleanupJob.objects.exists()
            and not LeadStatus.objects.filter(deprecated=True).exists())


def test_without_options_lists_statuses_with_their_leads(world):
    out, _err = run()
    line = next(line for line in out.splitlines() if line.startswith("FIRST_CALL"))
    assert line.split()[1:3] == ["10", "10"] and "можно перенести" in line
    assert "системный" in next(line for line in out.splitlines() if line.startswith("NEW "))
    assert "JUNK:NO_ANSWER" in out and "IN_PROCESS" in out
    assert untouched()


def test_dry_run_reports_and_changes_nothing(world):
    out, _err = run(*MAP_ARGS, "--pipeline", "MAIN")
    assert "FIRST_CALL «Первый звонок» → сделка: Главное → Подготовка документов: лидов 10" in out
    assert "контакты: новых 10, найдено 0" in out
    assert "Всего лидов: 60" in out and "ничего не изменено" in out
    assert untouched()


def test_apply_migrates_with_a_progress_line(world):
    out, _err = run(*MAP_ARGS, "--apply", "--batch-size", "25")
    job = StatusCleanupJob.objects.get()
    assert job.state == CleanupState.DONE and (job.converted, job.moved, job.junked) == (40, 10, 10)
    assert "\r[" in out and "60/60 (100%)" in out and "25/60" in out
    assert f"Очистка #{job.pk} завершена: в сделки 40" in out
    assert in_stuck() == 0 and Deal.objects.count() == 40
    assert LeadStatus.objects.filter(code__in=list(STUCK), deprecated=True).count() == 6


def test_resume_goes_on_from_where_it_stopped(world, monkeypatch):
    real, calls = cleanup.lead_migrate, []

    def crashing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 25:
            raise ConnectionError("диск переполнен")
        return real(*args, **kwargs)

    monkeypatch.setattr(cleanup, "lead_migrate", crashing)
    with pytest.raises(CommandError, match=r"диск переполнен.*--resume"):
        run(*MAP_ARGS, "--apply", "--batch-size", "10")
    job = StatusCleanupJob.objects.get()
    assert job.state == CleanupState.INTERRUPTED and job.processed == 20 and in_stuck() == 40

    monkeypatch.setattr(cleanup, "lead_migrate", real)
    out, _err = run("--resume", str(job.pk))
    job.refresh_from_db()
    assert "продолжаю, уже перенесено 20 из 60" in out
    assert job.state == CleanupState.DONE and job.processed == 60 and in_stuck() == 0
    assert Deal.objects.count() == 40 == Lead.objects.filter(status__code="CONVERTED").count()
    with pytest.raises(CommandError, match="уже завершена"):
        run("--resume", str(job.pk))


def test_ctrl_c_leaves_the_job_resumable_at_once(world, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cleanup, "lead_migrate", interrupted)
    with pytest.raises(CommandError, match=r"Прервано\. Продолжить: voronka statuses cleanup --resume"):
        run(*MAP_ARGS, "--apply")
    job = StatusCleanupJob.objects.get()
    assert job.state == CleanupState.INTERRUPTED and cleanup.job_resumable(job)


def test_resume_refuses_a_job_that_is_running(world):
    job = StatusCleanupJob.objects.create(mapping={"FIRST_CALL": "MAIN:PREPARATION"},
                                          state=CleanupState.RUNNING)
    with pytest.raises(CommandError, match="идёт прямо сейчас"):
        run("--resume", str(job.pk))
    with pytest.raises(CommandError, match="Нет очистки с номером 999"):
        run("--resume", "999")
    assert in_stuck() == 60


def test_delete_unused_deletes_only_emptied_deprecated_statuses(world):
    run("--map", "FIRST_CALL=MAIN:PREPARATION", "--map", "THINKING=MAIN:NEW", "--apply")
    cleanup.plan_prepare(cleanup.plan_parse({"WAITING": "IN_PROCESS"}))  # deprecated, leads left
    out, _err = run("--delete-unused")
    assert "Удалён статус «Не использовать: Первый звонок»" in out
    assert "Оставлен «Не использовать: Ждём ответа» (WAITING): в нём лидов 10" in out
    assert set(LeadStatus.objects.filter(code__in=list(STUCK)).values_list("code", flat=True)) == {
        "OFFER_SENT", "INVOICE_WAIT", "NO_ANSWER", "WAITING"}
    assert not Robot.objects.filter(status__code__in=["FIRST_CALL", "THINKING"]).exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "NOPE=IN_PROCESS"], "NOPE: нет статуса лида с таким кодом"),
    (["--map", "FIRST_CALL=MAIN:NOPE"], "нет стадии «NOPE» в направлении «Главное»"),
    (["--map", "FIRST_CALL=PREPARATION"], "стадию сделки пишите как НАПРАВЛЕНИЕ:СТАДИЯ"),
    (["--map", "FIRST_CALL=MAIN:WON", "--apply"], "закрывает сделку"),
    (["--map", "FIRST_CALL"], "нужно КОД_СТАТУСА=КУДА"),
    (["--map", "FIRST_CALL=NEW", "--map", "FIRST_CALL=IN_PROCESS"], "указан дважды"),
    (["--map", "FIRST_CALL=NEW", "--pipeline", "NOPE"], "Нет направления с кодом «NOPE»"),
    (["--apply"], "укажите, куда переносить"),
    (["--pipeline", "MAIN"], "--pipeline нужен только вместе с --map"),
    (["--map", "FIRST_CALL=NEW", "--resume", "1"], "не используются вместе"),
    (["--map", "FIRST_CALL=NEW", "--batch-size", "0", "--apply"], "Размер пачки"),
])
def test_bad_input_is_refused_clearly_and_changes_nothing(world, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert untouched()
