from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from voronka.crm.models import Contact, Lead
from voronka.crm.services.communications import CommunicationInput, communications_add
from voronka.imports.models import ImportJob, JobStatus
from voronka.intake.imports import service
from voronka.intake.imports.service import import_run
from voronka.intake.models import EventState, InboundEvent

pytestmark = pytest.mark.django_db(transaction=False)

GOOD = (
    "Телефон;Имя;E-mail;Источник;Сумма;Дата;Комментарий\n"
    "8 900 111-22-33;Анна;anna@example.ru;Авито;1 500,50;01.02.2025;первый\n"
    "+7 900 111-22-34;Борис;;AVITO;;2025-03-04;\n"
)


def statuses(report):
    return [(r.row, r.status) for r in report.rows]


def test_dry_run_writes_nothing(csv_file):
    leads_before = Lead.objects.count()
    report = import_run(csv_file(GOOD), dry_run=True)
    assert statuses(report) == [(2, "ok"), (3, "ok")]
    assert report.totals()["ok"] == 2
    assert Lead.objects.count() == leads_before
    assert not InboundEvent.objects.filter(provider="import").exists()


def test_import_creates_leads_through_intake(csv_file):
    report = import_run(csv_file(GOOD))
    assert statuses(report) == [(2, "created"), (3, "created")]
    lead = Lead.objects.get(pk=report.rows[0].lead_id)
    assert lead.name == "Анна"
    assert lead.source.code == "AVITO"
    assert lead.amount == Decimal("1500.50")
    assert lead.comments == "первый"
    assert timezone.localtime(lead.created_at).date() == dt.date(2025, 2, 1)
    assert sorted(lead.communications.values_list("normalized", flat=True)) == [
        "+79001112233", "anna@example.ru"]
    event = InboundEvent.objects.get(pk=report.rows[0].event_id)
    assert (event.channel, event.provider, event.state) == ("import", "import", EventState.PROCESSED)
    assert event.idempotency_key == f"{report.sha256}:2"


def test_reimport_of_same_file_creates_nothing(csv_file):
    path = csv_file(GOOD)
    import_run(path)
    leads, events = Lead.objects.count(), InboundEvent.objects.count()
    again = import_run(path)
    assert {r.status for r in again.rows} == {"imported"}
    assert (Lead.objects.count(), InboundEvent.objects.count()) == (leads, events)


def test_bad_rows_reported_good_rows_imported(csv_file):
    text = ("Телефон;E-mail;Сумма;Дата;Источник\n"
            "12345;;;;\n"                          # bad phone
            "+79001112240;not-an-email;;;\n"       # bad e-mail
            "+79001112241;;много;;\n"              # bad amount
            "+79001112242;;;32.13.2025;\n"         # bad date
            "+79001112243;;;;Нет такого\n"         # unknown source
            ";;;;\n"                               # blank line: skipped by the reader
            ";;100;;\n"                            # neither phone nor e-mail
            "+79001112244;ok@example.ru;;;\n")
    report = import_run(csv_file(text))
    by_row = {r.row: r for r in report.rows}
    assert by_row[2].status == "error" and "Телефон" in by_row[2].messages[0]
    assert "E-mail" in by_row[3].messages[0]
    assert "Сумма" in by_row[4].messages[0]
    assert "Дата" in by_row[5].messages[0]
    assert "Источник" in by_row[6].messages[0]
    assert by_row[7].messages == ["Нет ни телефона, ни e-mail."]
    assert by_row[8].status == "created"
    assert Lead.objects.filter(pk=by_row[8].lead_id).exists()


def test_failing_row_does_not_stop_the_rest(csv_file, monkeypatch):
    """The per-row path (used with --slow and when a bulk chunk fails): one row fails alone."""
    from voronka.intake.imports import handler

    def no_bulk(rows, ctx):
        raise RuntimeError("bulk off")

    monkeypatch.setattr(service, "chunk_write", no_bulk)
    original = handler.inbound_request_accept

    def flaky(request):
        if request.name == "Сломанный":
            Lead.objects.create  # noqa: B018  (nothing is written before the failure)
            raise RuntimeError("boom")
        return original(request)

    monkeypatch.setattr(handler, "inbound_request_accept", flaky)
    text = "Телефон;Имя\n+79001112250;Первый\n+79001112251;Сломанный\n+79001112252;Третий\n"
    before = Lead.objects.count()
    report = import_run(csv_file(text))
    assert statuses(report) == [(2, "created"), (3, "failed"), (4, "created")]
    assert "boom" in report.rows[1].messages[0]
    assert Lead.objects.count() == before + 2
    assert InboundEvent.objects.get(pk=report.rows[1].event_id).state == EventState.FAILED
    # Fixed and re-run: the failed row is processed, the others are not repeated.
    monkeypatch.setattr(handler, "inbound_request_accept", original)
    again = import_run(report_path := csv_file(text))  # same bytes, same keys
    assert report_path.exists()
    assert statuses(again) == [(2, "imported"), (3, "created"), (4, "imported")]


def test_duplicates_within_file(csv_file):
    text = ("Телефон;E-mail\n+79001112260;a@example.ru\n8 900 111-22-60;\n"
            ";A@Example.ru\n+79001112261;b@example.ru\n")
    report = import_run(csv_file(text), dry_run=True)
    assert statuses(report) == [(2, "ok"), (3, "duplicate"), (4, "duplicate"), (5, "ok")]
    assert report.rows[1].messages == ["Дубль строки 2."]


def test_duplicates_against_existing_leads_and_contacts(csv_file, make_lead):
    lead = make_lead(phones=["+79001112270"])
    contact = Contact.objects.create(name="Старый")
    communications_add(contact, [CommunicationInput("EMAIL", "old@example.ru")])
    text = "Телефон;E-mail\n89001112270;\n;OLD@example.ru\n+79001112271;\n"
    before = Lead.objects.count()
    report = import_run(csv_file(text))
    assert statuses(report) == [(2, "exists"), (3, "exists"), (4, "created")]
    assert report.rows[0].messages == [f"Уже есть: лид #{lead.pk}."]
    assert report.rows[1].messages == [f"Уже есть: контакт #{contact.pk}."]
    assert Lead.objects.count() == before + 1


def test_default_source_and_override(csv_file):
    text = "Кто;Номер\nАнна;+79001112280\n"
    with pytest.raises(ValueError, match="телефоном"):
        import_run(csv_file(text))
    report = import_run(csv_file(text), mapping={"Кто": "name", "Номер": "phone"},
                        source_code="AVITO")
    lead = Lead.objects.get(pk=report.rows[0].lead_id)
    assert (lead.name, lead.source.code) == ("Анна", "AVITO")
    with pytest.raises(ValueError, match="источника"):
        import_run(csv_file(text), source_code="NOPE")


def test_progress_and_job_totals(csv_file):
    text = "Телефон\n" + "".join(f"+7900222{i:04d}\n" for i in range(30)) + "bad\n+79002220000\n"
    path = csv_file(text)
    job = ImportJob.objects.create(file_name=path.name, file_path=str(path))
    calls = []
    job = service.job_run(job.pk, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(32, 32)]  # one chunk
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.total, job.processed, job.created, job.failed, job.skipped) == (32, 32, 30, 1, 1)
    assert job.report["totals"]["created"] == 30
    assert {r["status"] for r in job.report["rows"]} == {"error", "duplicate"}


def test_job_with_missing_file_fails_cleanly(tmp_path):
    job = ImportJob.objects.create(file_name="x.csv", file_path=str(tmp_path / "x.csv"))
    job = service.job_run(job.pk)
    assert job.status == JobStatus.FAILED and job.error


def test_command(csv_file, capsys):
    path = csv_file(GOOD)
    call_command("import", str(path), "--dry-run")
    out, err = capsys.readouterr()
    assert "2/2 (100%)" in err
    assert "пробный прогон" in out
    assert not Lead.objects.filter(name="Анна").exists()
    call_command("import", str(path), "--map", "Комментарий=-")
    out, _err = capsys.readouterr()
    assert "создано 2" in out
    assert Lead.objects.get(name="Анна").comments == ""
    with pytest.raises(CommandError):
        call_command("import", str(path), "--map", "Нет=name")
    with pytest.raises(CommandError):
        call_command("import", str(path.with_name("missing.csv")))


def test_command_background_enqueues(csv_file, capsys):
    path = csv_file(GOOD)
    call_command("import", str(path), "--background")
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.QUEUED
    assert f"#{job.pk}" in capsys.readouterr().out


def test_background_task_runs_the_job(csv_file, settings):
    from voronka.imports.tasks import import_job_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = csv_file(GOOD)
    job = ImportJob.objects.create(file_name=path.name, file_path=str(path))
    import_job_task.enqueue(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.DONE, 2)


def test_closed_lead_counts_as_existing(csv_file, make_lead):
    from voronka.crm.models import LeadStatus

    lead = make_lead(phones=["+79001112290"])
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.objects.get(code="JUNK"))
    report = import_run(csv_file("Телефон\n+79001112290\n"), dry_run=True)
    assert statuses(report) == [(2, "exists")]
    assert report.rows[0].messages == [f"Уже есть: лид #{lead.pk} (закрыт)."]


def test_a_job_whose_worker_died_is_queued_again_and_runs_once(csv_file, settings):
    from voronka.imports.tasks import import_job_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = csv_file(GOOD)
    silent = timezone.now() - service.STALE_AFTER * 2
    job = ImportJob.objects.create(file_name=path.name, file_path=str(path), status=JobStatus.RUNNING,
                                   heartbeat_at=silent)
    alive = ImportJob.objects.create(file_name=path.name, file_path=str(path), status=JobStatus.RUNNING,
                                     heartbeat_at=timezone.now())
    assert service.jobs_stale_requeue() == 1
    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.DONE, 2)
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING  # its worker is still at it
    import_job_task.enqueue(job.pk)  # a second delivery of the task changes nothing
    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.DONE, 2)
    assert Lead.objects.filter(name__in=["Анна", "Борис"]).count() == 2
    assert service.jobs_stale_requeue() == 0
