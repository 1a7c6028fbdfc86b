"""The intake's keys of the set-up file: telephony, tracked_numbers, working_hours, sla."""

from __future__ import annotations

import datetime as dt

import pytest

from voronka.intake.models import IntakeSettings, SlaRule, TelephonyConnection, TrackedNumber
from voronka.setup.errors import SetupValidationError
from voronka.setup.services import setup_apply

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "sources": [{"code": "VK_ADS", "name": "VK Реклама"}],
    "telephony": [{"provider": "mango", "slug": "office", "api_key": "${MANGO_KEY}", "salt": "${MANGO_SALT}",
                   "create_leads": True, "only_unknown_numbers": True, "set_source": True}],
    "tracked_numbers": [{"number": "8 (495) 000-00-01", "source": "AVITO", "campaign": "avito-main"},
                        {"number": "+7 495 000-00-02", "source": "VK_ADS"}],
    "working_hours": {"timezone": "Asia/Novosibirsk", "days": [1, 2, 3, 4, 5, 6], "start": "10:00",
                      "end": "19:30", "first_response_minutes": 20},
    "sla": [{"source": "AVITO", "first_response_minutes": 10},
            {"source": "VK_ADS", "first_response_minutes": 30}],
}
ENV = {"MANGO_KEY": "key-from-env", "MANGO_SALT": "salt-from-env"}


def _issues(document, environ=ENV) -> dict[str, str]:
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, environ=environ)
    return {issue.path: issue.message for issue in caught.value.issues}


def test_apply_creates_everything_and_is_idempotent():
    first = setup_apply(DOCUMENT, environ=ENV)
    assert first.has_changes
    connection = TelephonyConnection.objects.get(slug="office")
    assert (connection.api_key, connection.salt) == ("key-from-env", "salt-from-env")
    assert TrackedNumber.objects.get(number="+74950000001").source.code == "AVITO"
    assert TrackedNumber.objects.get(number="+74950000002").source.code == "VK_ADS"
    hours = IntakeSettings.load()
    assert hours.time_zone == "Asia/Novosibirsk" and hours.working_days == [1, 2, 3, 4, 5, 6]
    assert (hours.work_start, hours.work_end) == (dt.time(10, 0), dt.time(19, 30))
    assert hours.first_response_minutes == 20
    assert SlaRule.objects.get(source__code="AVITO").first_response_minutes == 10
    second = setup_apply(DOCUMENT, environ=ENV)
    assert not second.has_changes


def test_mango_without_salt_names_the_path():
    document = {"telephony": [{"provider": "mango", "slug": "office", "api_key": "k"}]}
    issues = _issues(document)
    assert any(path.startswith("telephony[0]") and "salt" in message for path, message in issues.items())
    assert TelephonyConnection.objects.count() == 0


def test_unknown_source_and_bad_number_are_reported_and_nothing_written():
    document = {"tracked_numbers": [{"number": "123", "source": "AVITO"},
                                    {"number": "+74950000003", "source": "NOPE"}],
                "sla": [{"source": "NOPE", "first_response_minutes": 5}]}
    issues = _issues(document)
    assert "tracked_numbers[0].number" in issues
    assert "tracked_numbers[1].source" in issues and "sla[0].source" in issues
    assert TrackedNumber.objects.count() == 0 and SlaRule.objects.count() == 0


def test_working_hours_end_before_start_is_refused():
    issues = _issues({"working_hours": {"start": "18:00", "end": "09:00"}})
    assert any(path.startswith("working_hours") for path in issues)
    assert IntakeSettings.objects.count() == 0


def test_duplicate_numbers_in_file_are_refused():
    issues = _issues({"tracked_numbers": [{"number": "+74950000001", "source": "AVITO"},
                                          {"number": "8 495 000 00 01", "source": "2GIS"}]})
    assert "tracked_numbers[1].number" in issues


def test_dry_run_writes_nothing_even_for_sources_defined_in_the_file():
    report = setup_apply(DOCUMENT, environ=ENV, dry_run=True)
    assert report.has_changes
    assert TrackedNumber.objects.count() == 0 and TelephonyConnection.objects.count() == 0
    assert SlaRule.objects.count() == 0
