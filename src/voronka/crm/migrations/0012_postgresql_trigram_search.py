"""pg_trgm indexes for the name search on PostgreSQL (SQLite has its FTS5 tables since 0006)."""

from django.db import migrations

from voronka.crm.fts import pg_trigram_migration


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_communication_lookup_owners")]
    operations = [migrations.RunPython(pg_trigram_migration(), pg_trigram_migration(drop=True))]
