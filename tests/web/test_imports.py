"""Import screens (/imports/): upload → mapping → dry-run report → import → progress."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from voronka.crm.models import Lead
from voronka.imports.models import ImportJob, JobStatus

CSV = ("Клиент;Тел.;Откуда;Заметка\n"
       "Иван;8 900 111-22-33;Авито;перезвонить\n"
       "Пётр;+7 900 111-22-33;Авито;дубль\n"
       "Мария;not a phone;Авито;\n"
       "Ольга;89004445566;AVITO;\n")


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def upload(client, text: str = CSV, name: str = "leads.csv"):
    return client.post("/imports/", {"file": SimpleUploadedFile(name, text.encode())})


def test_import_is_for_admins_and_the_head(client_for, manager, head, admin_user):
    job = ImportJob.objects.create(file_name="x.csv")
    for url in ("/imports/", f"/imports/{job.pk}/", f"/imports/{job.pk}/mapping/",
                f"/imports/{job.pk}/progress/", f"/imports/{job.pk}/start/"):
        assert client_for(manager).get(url).status_code == 403, url
        assert client_for(manager).post(url).status_code == 403, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert client_for(head).get("/imports/").status_code == 200
    assert client_for(admin_user).get("/imports/").status_code == 200


def test_full_flow(client_for, admin_user, source):
    client = client_for(admin_user)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/mapping/"
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    # guessed from the headers by the import code
    assert re.search(r'name="col_0".*?<option value="name" selected>', page, re.S)
    assert re.search(r'name="col_1".*?<option value="phone" selected>', page, re.S)
    assert re.search(r'name="col_3".*?<option value="-" selected>', page, re.S)
    # the user overrides a column: the note becomes the lead's comment
    response = client.post(f"/imports/{job.pk}/mapping/", {"col_0": "name", "col_1": "phone",
                                                           "col_2": "source", "col_3": "comments"})
    assert response["Location"] == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.dry_run and not Lead.objects.exists()
    report = client.get(f"/imports/{job.pk}/").content.decode()
    assert "дубль в файле" in report and "не номер телефона" in report
    assert "Импортировать 2 строки" in report and "Заметка → Комментарий" in report
    assert 'hx-trigger="every 1s"' not in report
    response = client.post(f"/imports/{job.pk}/start/")
    real = ImportJob.objects.get(dry_run=False)
    assert response["Location"] == f"/imports/{real.pk}/"
    assert (real.status, real.created, real.skipped, real.failed) == (JobStatus.DONE, 2, 1, 1)
    assert Lead.objects.filter(comments__contains="перезвонить").count() == 1
    fragment = client.get(f"/imports/{real.pk}/progress/").content.decode()
    assert 'aria-valuenow="100"' in fragment and "лидов создано" in fragment and 'href="/leads/"' in fragment


def test_progress_polls_while_running(client_for, admin_user):
    job = ImportJob.objects.create(file_name="big.csv", status=JobStatus.RUNNING, total=200, processed=50)
    fragment = client_for(admin_user).get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'aria-valuenow="25"' in fragment and "25%" in fragment


def test_mapping_without_phone_or_email_is_refused(client_for, admin_user):
    client = client_for(admin_user)
    upload(client)
    job = ImportJob.objects.get()
    refused = client.post(f"/imports/{job.pk}/mapping/", {"col_0": "name", "col_1": "-", "col_2": "-",
                                                          "col_3": "name"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "хотя бы одну колонку с телефоном" in html
    assert "уже выбрано для колонки «Клиент»" in html


def test_unreadable_file_is_refused(client_for, admin_user):
    client = client_for(admin_user)
    assert "Нужен файл .csv или .xlsx" in upload(client, name="x.pdf").content.decode()
    assert "Файл пуст" in upload(client, text="\n\n").content.decode()
    assert not ImportJob.objects.exists()


def test_recent_jobs_list(client_for, admin_user, django_assert_max_num_queries):
    for _ in range(3):
        ImportJob.objects.create(file_name="old.csv", created_by=admin_user)
    client = client_for(admin_user)
    with django_assert_max_num_queries(6):
        html = client.get("/imports/").content.decode()
    assert html.count("old.csv") == 3
