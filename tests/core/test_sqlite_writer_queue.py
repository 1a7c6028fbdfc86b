"""The SQLite backend's writer queue: a transaction holds the queue's flock until it ends."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import connection, transaction

from tests.concurrency import shared_database
from voronka.crm.models import Source

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")]


def _queue_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_transaction_holds_the_queue_until_commit_or_rollback(tmp_path):
    with shared_database(tmp_path):
        path = str(tmp_path / "concurrency.sqlite3-writers.lock")
        with transaction.atomic():
            Source.objects.create(code="Q1", name="Очередь 1")
            assert not _queue_is_free(path)
            with transaction.atomic():  # a savepoint does not queue again
                Source.objects.create(code="Q2", name="Очередь 2")
            assert not _queue_is_free(path)
        assert _queue_is_free(path)
        with pytest.raises(RuntimeError), transaction.atomic():
            Source.objects.create(code="Q3", name="Очередь 3")
            raise RuntimeError("rolled back")
        assert _queue_is_free(path)
        assert set(Source.objects.filter(code__startswith="Q").values_list("code", flat=True)) \
            == {"Q1", "Q2"}
