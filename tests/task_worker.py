"""Running django-tasks-db's real worker inside a test.

In production `db_worker` is a process of its own, and it closes its database connection
between tasks. In a test it shares the test's connection, whose transaction holds the test's
data: on PostgreSQL, closing it would end the test. Only that closing is switched off.
"""

from __future__ import annotations

from unittest import mock

from django.core.management import call_command


def db_worker_batch() -> None:
    """Run the queued tasks until none is left, as `voronka worker --batch` does."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
