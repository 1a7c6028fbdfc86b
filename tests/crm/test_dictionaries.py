"""The life cycle of lead statuses: deprecate («Не использовать»), then delete when unused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from voronka.crm.models import LeadStatus, Semantics
from voronka.crm.selectors import lead_statuses_selectable
from voronka.crm.services.dictionaries import (
    DEPRECATED_COLOR,
    lead_status_delete,
    lead_status_deprecate,
)
from voronka.crm.services.leads import lead_change_status


@pytest.fixture
def callback_status(db) -> LeadStatus:
    return LeadStatus.objects.create(code="CALLBACK", name="Перезвонить", sort=25)


def stored(status: LeadStatus) -> dict:
    return LeadStatus.objects.filter(pk=status.pk).values().get()


def test_deprecate_greys_and_renames_the_status_and_hides_it_from_selection(callback_status):
    assert callback_status in lead_statuses_selectable()

    lead_status_deprecate(status=callback_status)

    callback_status.refresh_from_db()
    assert callback_status.deprecated
    assert callback_status.name == "Не использовать: Перезвонить"
    assert callback_status.color == DEPRECATED_COLOR
    assert callback_status not in lead_statuses_selectable()


def test_deprecating_twice_does_not_prefix_twice(callback_status):
    lead_status_deprecate(status=callback_status)
    lead_status_deprecate(status=callback_status)
    callback_status.refresh_from_db()
    assert callback_status.name == "Не использовать: Перезвонить"


def test_a_status_already_named_so_is_not_renamed(db):
    status = LeadStatus.objects.create(code="X", name="Не использовать (старый)")
    lead_status_deprecate(status=status)
    status.refresh_from_db()
    assert (status.name, status.deprecated) == ("Не использовать (старый)", True)


def test_in_process_is_not_a_system_status_and_can_be_deprecated(status_in_process):
    lead_status_deprecate(status=status_in_process)
    assert LeadStatus.objects.get(code="IN_PROCESS").deprecated


@pytest.mark.parametrize("code", ["NEW", "CONVERTED", "JUNK"])
def test_system_statuses_cannot_be_deprecated_or_deleted(db, code):
    status = LeadStatus.objects.get(code=code)
    before = stored(status)
    with pytest.raises(ValidationError) as refused:
        lead_status_deprecate(status=status)
    assert refused.value.messages == [f"Системный статус «{status.name}» нельзя сделать устаревшим."]
    with pytest.raises(ValidationError) as refused:
        lead_status_delete(status=status)
    assert refused.value.messages == [f"Системный статус «{status.name}» удалить нельзя."]
    assert stored(status) == before


def test_a_status_in_use_cannot_be_deleted(make_lead, callback_status):
    # given two leads in the status, deprecated since
    for _ in range(2):
        lead_change_status(lead=make_lead(), status=callback_status)
    lead_status_deprecate(status=callback_status)
    # when
    with pytest.raises(ValidationError) as refused:
        lead_status_delete(status=callback_status)
    # then
    assert refused.value.messages == [
        "Статус «Не использовать: Перезвонить» нельзя удалить: в нём 2 лида. "
        "Сначала переведите их в другие статусы."]
    assert LeadStatus.objects.filter(pk=callback_status.pk).exists()


def test_an_unused_deprecated_status_can_be_deleted(make_lead, callback_status, status_in_process):
    lead = lead_change_status(lead=make_lead(), status=callback_status)
    lead_status_deprecate(status=callback_status)
    lead_change_status(lead=lead, status=status_in_process)  # the last lead moves on

    lead_status_delete(status=callback_status)

    assert not LeadStatus.objects.filter(code="CALLBACK").exists()


def test_the_last_working_status_cannot_be_deleted(db, callback_status):
    # given NEW deprecated by hand (the admin) and IN_PROCESS deprecated: CALLBACK is the last
    LeadStatus.objects.filter(code="NEW").update(deprecated=True)
    lead_status_deprecate(status=LeadStatus.objects.get(code="IN_PROCESS"))
    assert list(LeadStatus.objects.filter(semantics=Semantics.PROCESS, deprecated=False)) == [
        callback_status]
    with pytest.raises(ValidationError) as refused:
        lead_status_delete(status=callback_status)
    assert refused.value.messages == ["Должен остаться хотя бы один рабочий статус."]
    assert LeadStatus.objects.filter(pk=callback_status.pk).exists()
    # a deprecated working status is not "the last working one": it may go
    lead_status_delete(status=LeadStatus.objects.get(code="IN_PROCESS"))
    assert not LeadStatus.objects.filter(code="IN_PROCESS").exists()
