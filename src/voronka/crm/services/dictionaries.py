"""Editing the dictionaries: lead statuses and their life cycle."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voronka.crm.models import LeadStatus, Semantics
from voronka.crm.models.dictionaries import SYSTEM_STATUS_CODES

DEPRECATED_PREFIX = "Не использовать"
DEPRECATED_COLOR = "#a8adb4"
PROTECTED_STATUS_CODES = SYSTEM_STATUS_CODES


@transaction.atomic
def lead_status_deprecate(*, status: LeadStatus, acting_user=None) -> LeadStatus:
    """Mark a status «Не использовать» and grey it (seed 002, step 1)."""
    if status.code in PROTECTED_STATUS_CODES:
        raise ValidationError(_("Системный статус «%(name)s» нельзя сделать устаревшим.")
                              % {"name": status.name})
    if status.deprecated:
        return status
    if not status.name.startswith(DEPRECATED_PREFIX):
        status.name = f"{DEPRECATED_PREFIX}: {status.name}"[:200]
    status.deprecated, status.color = True, DEPRECATED_COLOR
    status.save(update_fields=["name", "deprecated", "color"])
    return status


@transaction.atomic
def lead_status_delete(*, status: LeadStatus, acting_user=None) -> None:
    """Delete a status only when no lead uses it and the CRM keeps one of each meaning."""
    status = LeadStatus.objects.select_for_update().get(pk=status.pk)
    if status.code in PROTECTED_STATUS_CODES:
        raise ValidationError(_("Системный статус «%(name)s» удалить нельзя.")
                              % {"name": status.name})
    in_use = status.leads.count()
    if in_use:
        raise ValidationError(
            ngettext("Статус «%(name)s» нельзя удалить: в нём %(count)s лид. "
                     "Сначала переведите его в другой статус.",
                     "Статус «%(name)s» нельзя удалить: в нём %(count)s лидов. "
                     "Сначала переведите их в другие статусы.", in_use)
            % {"name": status.name, "count": in_use})
    if status.semantics == Semantics.PROCESS and not LeadStatus.objects.filter(
            semantics=Semantics.PROCESS, deprecated=False).exclude(pk=status.pk).exists():
        raise ValidationError(_("Должен остаться хотя бы один рабочий статус."))
    status.delete()
