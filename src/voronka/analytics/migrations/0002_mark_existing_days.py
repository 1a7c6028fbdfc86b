"""Rows written before analytics existed have no rollups: mark their days for recounting."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations
from django.db.models import Max, Min


def mark(apps, schema_editor):
    Lead = apps.get_model("crm", "Lead")
    Deal = apps.get_model("crm", "Deal")
    RollupDirtyDay = apps.get_model("analytics", "RollupDirtyDay")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    days = []
    for model in (Lead, Deal):
        bounds = model.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is not None:
            days += [bounds["first"].astimezone(zone).date(), bounds["last"].astimezone(zone).date()]
    closed = Deal.objects.aggregate(first=Min("closed_on"), last=Max("closed_on"))
    days += [d for d in closed.values() if d is not None]
    if not days:
        return
    first, last = min(days), max(days)
    count = (last - first).days + 1
    RollupDirtyDay.objects.bulk_create(
        [RollupDirtyDay(day=first + dt.timedelta(days=i)) for i in range(count)],
        ignore_conflicts=True, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("crm", "0004_lead_amount_not_negative"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
