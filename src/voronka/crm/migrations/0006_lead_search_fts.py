"""A trigram full-text index of lead names on SQLite (FTS5), for search by any part of a word.

`LIKE '%ivan%'` over four columns of a million leads reads every row (about 2 s); the
trigram index answers the same question from an index, and folds case for Cyrillic too,
which SQLite's LIKE does not. PostgreSQL keeps using ILIKE
(see docs/decisions/0008-search-index.md and voronka/crm/fts.py).
"""

from django.db import migrations

from voronka.crm.fts import fts_migration


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_lead_open_indexes")]
    operations = [migrations.RunPython(fts_migration(["crm_lead"]),
                                       fts_migration(["crm_lead"], drop=True))]
