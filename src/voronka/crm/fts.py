"""Trigram full-text indexes on SQLite (FTS5): find rows by any part of a word, in any case.

Each index is an external-content FTS5 table `<table>_search` over some text columns of
`<table>`, kept in step by triggers (so bulk inserts and raw SQL are covered too). Only
SQLite gets them; see docs/decisions/0008-search-index.md. PostgreSQL answers the same
ILIKE search from pg_trgm GIN indexes on the same columns (`pg_trigram_migration`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

TRIGRAM = 3  # the shortest word a trigram index can find

# table -> its indexed columns; crm migrations 0006 and 0008 create these
INDEXED = {
    "crm_lead": ("title", "name", "last_name", "company_title"),
    "crm_contact": ("last_name", "name", "second_name"),
    "crm_company": ("title",),
    "crm_deal": ("title",),
}


def fts_statements(table: str, columns: Sequence[str]) -> list[str]:
    index, cols = f"{table}_search", ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {cols} ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def fts_drop_statements(table: str) -> list[str]:
    index = f"{table}_search"
    return [f"DROP TRIGGER IF EXISTS {index}_{t}" for t in ("update", "delete", "insert")] + [
        f"DROP TABLE IF EXISTS {index}"]


def fts_migration(tables: Sequence[str], *, drop: bool = False) -> Callable:
    """A RunPython function creating (or dropping) the indexes of `tables`, on SQLite only."""
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for table in tables:
            for sql in fts_drop_statements(table) if drop else fts_statements(table, INDEXED[table]):
                schema_editor.execute(sql)
    return run


log = logging.getLogger(__name__)


def pg_trigram_index(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def pg_trigram_migration(*, drop: bool = False) -> Callable:
    """A RunPython function creating (or dropping) pg_trgm indexes of the INDEXED columns, on
    PostgreSQL only. The index is on UPPER(column), the expression Django's icontains uses.

    pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Where
    it cannot be created, the search still works, by a scan, and the migration says so.
    """
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        if drop:
            for table, columns in INDEXED.items():
                for column in columns:
                    schema_editor.execute(f"DROP INDEX IF EXISTS {pg_trigram_index(table, column)}")
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            log.warning("pg_trgm is not available (%s): name search will scan the tables", error)
            return
        for table, columns in INDEXED.items():
            for column in columns:
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {pg_trigram_index(table, column)} ON {table} "
                    f"USING gin (UPPER({column}::text) gin_trgm_ops)")
    return run


def fts_usable(words: Sequence[str]) -> bool:
    return connection.vendor == "sqlite" and bool(words) and min(map(len, words)) >= TRIGRAM


def fts_q(table: str, words: Sequence[str]) -> Q:
    """Rows of `table` whose indexed columns contain every word (call when fts_usable)."""
    match = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {table}_search WHERE {table}_search MATCH %s",
                           [match]))
