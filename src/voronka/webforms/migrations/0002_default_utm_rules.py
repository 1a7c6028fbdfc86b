"""Default UTM rules: the common advertising tags of Russian sites → the seeded sources."""

from django.db import migrations

# (utm_source, utm_medium, source code); blank medium = any medium.
DEFAULT_RULES = [
    ("yandex", "cpc", "YANDEX_DIRECT"),
    ("yandex", "organic", "SEO"),
    ("google", "cpc", "ADVERTISING"),
    ("google", "organic", "SEO"),
    ("avito", "", "AVITO"),
    ("2gis", "", "2GIS"),
    ("vk", "", "SOCIAL"),
]


def seed(apps, schema_editor):
    Source = apps.get_model("crm", "Source")
    UtmRule = apps.get_model("webforms", "UtmRule")
    for utm_source, utm_medium, code in DEFAULT_RULES:
        source = Source.objects.filter(code=code).first()
        if source is None:  # deleted by the company before this ran: no rule rather than a wrong one
            continue
        UtmRule.objects.get_or_create(utm_source=utm_source, utm_medium=utm_medium, utm_campaign="",
                                      defaults={"source": source, "sort": 100})


def unseed(apps, schema_editor):
    UtmRule = apps.get_model("webforms", "UtmRule")
    for utm_source, utm_medium, code in DEFAULT_RULES:
        UtmRule.objects.filter(utm_source=utm_source, utm_medium=utm_medium, utm_campaign="",
                               source__code=code).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_seed_dictionaries"),
        ("webforms", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
