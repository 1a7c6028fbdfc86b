"""A trigram full-text index of lead names on SQLite (FTS5), for search by any part of a word.

`LIKE '%ivan%'` over four columns of a million leads reads every row (about 2 s); the
trigram index answers the same question from an index, and folds case for Cyrillic too,
which SQLite's LIKE does not. Triggers keep it in step with crm_lead, bulk inserts included.
PostgreSQL keeps using ILIKE (see docs/decisions/0008-search-index.md).
"""

from django.db import migrations

CREATE = [
    """CREATE VIRTUAL TABLE crm_lead_search USING fts5(
           title, name, last_name, company_title,
           content='crm_lead', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER crm_lead_search_insert AFTER INSERT ON crm_lead BEGIN
           INSERT INTO crm_lead_search(rowid, title, name, last_name, company_title)
           VALUES (new.id, new.title, new.name, new.last_name, new.company_title);
       END""",
    """CREATE TRIGGER crm_lead_search_delete AFTER DELETE ON crm_lead BEGIN
           INSERT INTO crm_lead_search(crm_lead_search, rowid, title, name, last_name, company_title)
           VALUES ('delete', old.id, old.title, old.name, old.last_name, old.company_title);
       END""",
    """CREATE TRIGGER crm_lead_search_update
       AFTER UPDATE OF title, name, last_name, company_title ON crm_lead BEGIN
           INSERT INTO crm_lead_search(crm_lead_search, rowid, title, name, last_name, company_title)
           VALUES ('delete', old.id, old.title, old.name, old.last_name, old.company_title);
           INSERT INTO crm_lead_search(rowid, title, name, last_name, company_title)
           VALUES (new.id, new.title, new.name, new.last_name, new.company_title);
       END""",
    "INSERT INTO crm_lead_search(crm_lead_search) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS crm_lead_search_update",
    "DROP TRIGGER IF EXISTS crm_lead_search_delete",
    "DROP TRIGGER IF EXISTS crm_lead_search_insert",
    "DROP TABLE IF EXISTS crm_lead_search",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_lead_open_indexes")]
    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
