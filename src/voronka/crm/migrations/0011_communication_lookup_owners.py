# The new index is built before the old one goes, so lookups always have one.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0010_crmsettings_simple_mode'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='communication',
            index=models.Index(fields=['kind', 'normalized', 'lead', 'contact', 'company'], name='communication_lookup_owners'),
        ),
        migrations.RemoveIndex(
            model_name='communication',
            name='communication_lookup',
        ),
    ]
