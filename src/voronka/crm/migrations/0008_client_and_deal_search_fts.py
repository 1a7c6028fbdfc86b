"""Trigram indexes of contact names, company titles and deal titles (SQLite), as for leads."""

from django.db import migrations

from voronka.crm.fts import fts_migration

TABLES = ["crm_contact", "crm_company", "crm_deal"]


class Migration(migrations.Migration):
    dependencies = [("crm", "0007_lead_unhandled_created")]
    operations = [migrations.RunPython(fts_migration(TABLES), fts_migration(TABLES, drop=True))]
