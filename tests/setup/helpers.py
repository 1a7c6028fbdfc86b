"""Helpers for the set-up file tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voronka.accounts.models import User
from voronka.crm.models import CrmSettings, LeadStatus, Pipeline, Source, Stage
from voronka.intake.models import IntakeSettings, SlaRule, TelephonyConnection, TrackedNumber
from voronka.mail.models import Mailbox
from voronka.webforms.models import FormField, UtmRule, WebForm

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "voronka" / "setup" / "examples" / "company.yaml"
EXAMPLE_ENV = {"VORONKA_ADMIN_PASSWORD": "admin-pass-2026", "VORONKA_HEAD_PASSWORD": "head-pass-2026"}


def db_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row that a set-up file can touch, to prove that a run wrote nothing."""
    return {
        "users": list(User.objects.order_by("pk").values()),
        "sources": list(Source.objects.order_by("pk").values()),
        "lead_statuses": list(LeadStatus.objects.order_by("pk").values()),
        "pipelines": list(Pipeline.objects.order_by("pk").values()),
        "stages": list(Stage.objects.order_by("pk").values()),
        "crm_settings": list(CrmSettings.objects.order_by("pk").values()),
        "telephony": list(TelephonyConnection.objects.order_by("pk").values()),
        "tracked_numbers": list(TrackedNumber.objects.order_by("pk").values()),
        "intake_settings": list(IntakeSettings.objects.order_by("pk").values()),
        "sla": list(SlaRule.objects.order_by("pk").values()),
        "forms": list(WebForm.objects.order_by("pk").values()),
        "form_fields": list(FormField.objects.order_by("pk").values()),
        "utm_rules": list(UtmRule.objects.order_by("pk").values()),
        "mailboxes": list(Mailbox.objects.order_by("pk").values()),
    }
