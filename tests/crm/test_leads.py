"""Lead services: create, update, change status, close as junk; comments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.crm.numbers import LANDLINE, MOBILE
from voronka.crm.models import (
    CloseReason,
    CommunicationType,
    CustomFieldDefinition,
    CustomFieldType,
    Entity,
    EventKind,
    Lead,
    LeadStatus,
    Semantics,
    Source,
    TimelineEvent,
)
from voronka.crm.services.communications import CommunicationInput
from voronka.crm.services.leads import (
    comment_add,
    lead_change_status,
    lead_close_as_junk,
    lead_create,
    lead_update,
)


def events(lead, kind=None):
    qs = TimelineEvent.objects.filter(lead=lead).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def snapshot(lead) -> dict:
    """Every stored value of a lead, to show a refused operation changed nothing."""
    return Lead.objects.filter(pk=lead.pk).values().get()


# --- lead_create ------------------------------------------------------------------------


def test_create_normalises_phones_and_emails_and_types_them(make_lead, manager):
    # given phones and e-mails written the way people write them
    lead = make_lead(
        phones=["8 (900) 123-45-67", "+7 495 123-45-67 доб. 12"],
        emails=["Ivan.Petrov@Gmail.com", "Иван <ivan@mail.ru>", "zakupki@romashka-stroy.ru"],
    )
    # then each is stored raw, normalised and typed
    stored = {c.normalized: c for c in lead.communications.all()}
    assert set(stored) == {MOBILE, LANDLINE, "ivan.petrov@gmail.com", "ivan@mail.ru",
                           "zakupki@romashka-stroy.ru"}
    assert stored[MOBILE].value == "8 (900) 123-45-67"
    assert stored[MOBILE].value_type == CommunicationType.MOBILE
    assert stored[LANDLINE].value_type == CommunicationType.WORK
    assert stored[LANDLINE].extension == "12"
    assert stored["ivan.petrov@gmail.com"].value_type == CommunicationType.HOME
    assert stored["ivan@mail.ru"].value_type == CommunicationType.HOME
    assert stored["ivan@mail.ru"].value == "Иван <ivan@mail.ru>"
    assert stored["zakupki@romashka-stroy.ru"].value_type == CommunicationType.WORK
    assert {c.kind for c in stored.values()} == {"PHONE", "EMAIL"}


def test_create_keeps_an_explicit_type_and_an_unparseable_value(make_lead, manager, source):
    lead = lead_create(acting_user=manager, source=source, communications=[
        CommunicationInput("PHONE", "8 900 123-45-67", value_type=CommunicationType.HOME),
        CommunicationInput("PHONE", "спросить у секретаря"),
    ])
    by_value = {c.value: c for c in lead.communications.all()}
    assert by_value["8 900 123-45-67"].value_type == CommunicationType.HOME
    assert by_value["спросить у секретаря"].normalized == ""


def test_create_skips_the_same_number_written_twice(make_lead):
    lead = make_lead(phones=["8 900 123-45-67", "+7 (900) 1234567", "79001234567"])
    assert lead.communications.count() == 1


def test_create_gives_a_default_title_from_the_name_and_phone(make_lead):
    lead = make_lead(name="Иван", last_name="Петров", company_title="Ромашка")
    assert lead.title == "Иван Петров, Ромашка, +7 900 123-45-67"
    assert make_lead(phones=()).title == "Новый лид"
    assert make_lead(phones=(), emails=["ivan@mail.ru"]).title == "ivan@mail.ru"
    assert make_lead(title="  Заявка с Авито  ").title == "Заявка с Авито"


def test_create_puts_the_lead_in_the_first_working_status_and_writes_a_created_event(
        make_lead, manager, source):
    lead = make_lead(acting_user=manager, is_repeat=True)
    lead.refresh_from_db()
    assert lead.status.code == "NEW"
    assert lead.created_by == manager
    assert lead.responsible == manager
    [created] = events(lead)
    assert created.kind == EventKind.CREATED
    assert created.actor == manager
    assert created.created_at == lead.created_at
    assert created.payload == {
        "source": {"id": source.pk, "name": "Авито"},
        "responsible": {"id": manager.pk, "name": "Анна Менеджерова"},
        "is_repeat": True,
    }


def test_create_in_another_working_status(make_lead, status_in_process):
    assert make_lead(status=status_in_process).status == status_in_process


@pytest.mark.parametrize(("code", "message"), [
    ("CONVERTED", "Новый лид создаётся в рабочем статусе."),
    ("JUNK", "Новый лид создаётся в рабочем статусе."),
])
def test_create_in_a_final_status_is_refused_and_writes_nothing(make_lead, counts, code, message):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        make_lead(status=LeadStatus.objects.get(code=code))
    assert refused.value.message_dict == {"status": [message]}
    assert counts() == before


def test_create_in_a_deprecated_status_is_refused_and_writes_nothing(make_lead, counts):
    old = LeadStatus.objects.create(code="OLD", name="Старый", deprecated=True, sort=15)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        make_lead(status=old)
    assert "устарел" in refused.value.message_dict["status"][0]
    assert counts() == before


def test_default_status_skips_deprecated_ones(make_lead):
    LeadStatus.objects.filter(code="NEW").update(deprecated=True)
    assert make_lead().status.code == "IN_PROCESS"


def test_create_refuses_fields_that_have_their_own_operation(make_lead, counts):
    before = counts()
    with pytest.raises(TypeError):
        make_lead(junk_reason=CloseReason.objects.first())
    with pytest.raises(TypeError):
        make_lead(first_handled_at=None)
    assert counts() == before


def test_create_validates_custom_fields(make_lead, counts):
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_AREA", label="Площадь",
                                         field_type=CustomFieldType.NUMBER)
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_CITY", label="Город",
                                         field_type=CustomFieldType.STRING, required=True)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        make_lead(custom_fields={"UF_AREA": "много"})
    assert set(refused.value.message_dict) == {"UF_AREA", "UF_CITY"}
    assert counts() == before
    # machine intake may skip the required check
    lead = make_lead(custom_fields={"UF_AREA": "12,5"}, enforce_required=False)
    assert lead.custom_fields == {"UF_AREA": "12.5"}
    lead = make_lead(custom_fields={"UF_AREA": "3", "UF_CITY": "Тверь"})
    assert Lead.objects.get(pk=lead.pk).custom_fields == {"UF_AREA": "3", "UF_CITY": "Тверь"}


def test_create_runs_model_validation(make_lead, counts):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        make_lead(landing_page="не адрес")
    assert "landing_page" in refused.value.message_dict
    assert counts() == before


# --- lead_update -----------------------------------------------------------------------


def test_update_records_old_and_new_values(make_lead, manager, source):
    lead = make_lead(name="Иван")
    yandex = Source.objects.get(code="YANDEX_DIRECT")

    lead = lead_update(lead=lead, acting_user=manager, name="Пётр", source=yandex,
                       amount=Decimal("5000"))

    lead.refresh_from_db()
    assert (lead.name, lead.source, lead.amount) == ("Пётр", yandex, Decimal("5000.00"))
    [updated] = events(lead, EventKind.UPDATED)
    assert updated.actor == manager
    assert updated.payload == {"changes": {
        "name": {"old": "Иван", "new": "Пётр"},
        "source": {"old": {"id": source.pk, "name": "Авито"},
                   "new": {"id": yandex.pk, "name": "Яндекс.Директ"}},
        "amount": {"old": None, "new": "5000"},
    }}


def test_a_responsible_only_change_is_an_assignment(make_lead, manager, other_manager, head):
    lead = make_lead()
    lead_update(lead=lead, acting_user=head, responsible=other_manager)
    [assigned] = events(lead, EventKind.ASSIGNED)
    assert assigned.actor == head
    assert assigned.payload["changes"] == {"responsible": {
        "old": {"id": manager.pk, "name": "Анна Менеджерова"},
        "new": {"id": other_manager.pk, "name": "Борис Продажин"}}}
    assert events(lead, EventKind.UPDATED) == []
    # a change of the responsible together with another field is an ordinary update
    lead_update(lead=lead, acting_user=head, responsible=manager, comments="вернул")
    assert len(events(lead, EventKind.UPDATED)) == 1
    assert len(events(lead, EventKind.ASSIGNED)) == 1


def test_an_update_that_changes_nothing_writes_no_event(make_lead, manager, source):
    lead = make_lead(name="Иван")
    before_updated_at = Lead.objects.get(pk=lead.pk).updated_at
    lead_update(lead=lead, acting_user=manager, name="Иван", source=source, custom_fields={})
    assert [e.kind for e in events(lead)] == [EventKind.CREATED]
    assert Lead.objects.get(pk=lead.pk).updated_at == before_updated_at


def test_update_merges_custom_fields_and_records_them(make_lead, manager):
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_CAR", label="Машина",
                                         field_type=CustomFieldType.STRING)
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_VIP", label="VIP",
                                         field_type=CustomFieldType.BOOLEAN)
    lead = make_lead(custom_fields={"UF_CAR": "А123ВС77"})
    lead = lead_update(lead=lead, acting_user=manager, custom_fields={"UF_VIP": "да"})
    assert Lead.objects.get(pk=lead.pk).custom_fields == {"UF_CAR": "А123ВС77", "UF_VIP": True}
    [updated] = events(lead, EventKind.UPDATED)
    assert updated.payload["changes"]["custom_fields"] == {
        "old": {"UF_CAR": "А123ВС77"}, "new": {"UF_CAR": "А123ВС77", "UF_VIP": True}}


def test_a_refused_update_changes_nothing(make_lead, manager):
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_AREA", label="Площадь",
                                         field_type=CustomFieldType.NUMBER)
    lead = make_lead(name="Иван")
    before = snapshot(lead)
    with pytest.raises(ValidationError):
        lead_update(lead=lead, acting_user=manager, name="Пётр", custom_fields={"UF_AREA": "x"})
    with pytest.raises(ValidationError):
        lead_update(lead=lead, acting_user=manager, name="Пётр", landing_page="не адрес")
    with pytest.raises(TypeError):
        lead_update(lead=lead, acting_user=manager, status=LeadStatus.objects.get(code="JUNK"))
    assert snapshot(lead) == before
    assert len(events(lead)) == 1


# --- lead_change_status ---------------------------------------------------------------


def test_change_status_between_working_statuses(make_lead, manager, status_in_process):
    lead = make_lead()
    assert lead.first_handled_at is None

    lead = lead_change_status(lead=lead, status=status_in_process, acting_user=manager)

    stored = Lead.objects.get(pk=lead.pk)
    assert stored.status == status_in_process
    assert stored.first_handled_at is not None
    [changed] = events(lead, EventKind.STATUS_CHANGED)
    assert changed.actor == manager
    assert changed.payload == {
        "from": {"id": LeadStatus.objects.get(code="NEW").pk, "name": "Новый"},
        "to": {"id": status_in_process.pk, "name": "В работе"},
    }


def test_first_handled_at_is_set_once(make_lead, status_in_process):
    lead = make_lead()
    lead_change_status(lead=lead, status=status_in_process)
    first = Lead.objects.get(pk=lead.pk).first_handled_at
    lead_change_status(lead=lead, status=LeadStatus.objects.get(code="NEW"))
    assert Lead.objects.get(pk=lead.pk).first_handled_at == first
    assert len(events(lead, EventKind.STATUS_CHANGED)) == 2


def test_changing_to_the_same_status_is_a_no_op(make_lead):
    lead = make_lead()
    lead_change_status(lead=lead, status=LeadStatus.objects.get(code="NEW"))
    assert events(lead, EventKind.STATUS_CHANGED) == []
    assert Lead.objects.get(pk=lead.pk).first_handled_at is None


@pytest.mark.parametrize(("code", "message"), [
    ("CONVERTED", "Чтобы сконвертировать лид, используйте конвертацию."),
    ("JUNK", "Чтобы закрыть лид как некачественный, укажите причину."),
])
def test_change_status_refuses_final_statuses_and_changes_nothing(make_lead, code, message):
    lead = make_lead()
    before = snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_change_status(lead=lead, status=LeadStatus.objects.get(code=code))
    assert refused.value.message_dict == {"status": [message]}
    assert snapshot(lead) == before
    assert events(lead, EventKind.STATUS_CHANGED) == []


def test_change_status_refuses_a_deprecated_status(make_lead):
    old = LeadStatus.objects.create(code="OLD", name="Старый", deprecated=True)
    lead = make_lead()
    before = snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_change_status(lead=lead, status=old)
    assert refused.value.message_dict == {"status": ["Статус «Старый» устарел и не может быть выбран."]}
    assert snapshot(lead) == before


def test_a_converted_lead_keeps_its_status(make_lead, status_in_process):
    lead = make_lead()
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.objects.get(code="CONVERTED"))
    before = snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_change_status(lead=lead, status=status_in_process)
    assert refused.value.message_dict == {"status": ["Лид уже сконвертирован; его статус не меняется."]}
    assert snapshot(lead) == before
    assert events(lead, EventKind.STATUS_CHANGED) == []


def test_reopening_a_junk_lead_clears_the_junk_fields(make_lead, junk_reason, status_in_process,
                                                      head):
    lead = lead_close_as_junk(lead=make_lead(), reason=junk_reason, comment="спам")
    lead = lead_change_status(lead=lead, status=status_in_process, acting_user=head)
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.status == status_in_process
    assert (stored.junk_reason, stored.junk_comment, stored.closed_at) == (None, "", None)
    [changed] = events(lead, EventKind.STATUS_CHANGED)
    assert changed.payload["from"]["name"] == "Некачественный"
    assert stored.is_open


# --- lead_close_as_junk ---------------------------------------------------------------


def test_close_as_junk(make_lead, junk_reason, manager):
    lead = make_lead()
    lead = lead_close_as_junk(lead=lead, reason=junk_reason, comment="  реклама окон  ",
                              acting_user=manager)
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.status.code == "JUNK"
    assert stored.status.semantics == Semantics.FAILURE
    assert stored.junk_reason == junk_reason
    assert stored.junk_comment == "реклама окон"
    assert stored.closed_at is not None
    assert stored.first_handled_at == stored.closed_at
    [closed] = events(lead, EventKind.CLOSED)
    assert closed.actor == manager
    assert closed.text == "реклама окон"
    assert closed.payload == {
        "from": {"id": LeadStatus.objects.get(code="NEW").pk, "name": "Новый"},
        "to": {"id": stored.status_id, "name": "Некачественный"},
        "reason": {"id": junk_reason.pk, "name": "Спам, реклама"},
    }


def test_close_as_junk_keeps_an_earlier_first_reaction(make_lead, junk_reason, status_in_process):
    lead = lead_change_status(lead=make_lead(), status=status_in_process)
    handled = Lead.objects.get(pk=lead.pk).first_handled_at
    lead_close_as_junk(lead=lead, reason=junk_reason)
    assert Lead.objects.get(pk=lead.pk).first_handled_at == handled


@pytest.mark.parametrize("reason_kind", ["none", "deal", "inactive"])
def test_close_as_junk_needs_an_active_lead_reason(make_lead, reason_kind):
    reason = {
        "none": None,
        "deal": CloseReason.objects.get(entity="deal", code="PRICE"),
        "inactive": CloseReason.objects.create(entity="lead", code="OLD", name="Старая",
                                               is_active=False),
    }[reason_kind]
    lead = make_lead()
    before = snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_close_as_junk(lead=lead, reason=reason)
    assert refused.value.message_dict == {"reason": ["Выберите причину из списка причин для лидов."]}
    assert snapshot(lead) == before
    assert events(lead, EventKind.CLOSED) == []


def test_closing_twice_is_refused(make_lead, junk_reason):
    lead = lead_close_as_junk(lead=make_lead(), reason=junk_reason)
    before = snapshot(lead)
    other = CloseReason.objects.get(entity="lead", code="DUPLICATE")
    with pytest.raises(ValidationError) as refused:
        lead_close_as_junk(lead=lead, reason=other)
    assert refused.value.message_dict == {"status": ["Лид уже закрыт («Некачественный»)."]}
    assert snapshot(lead) == before
    assert len(events(lead, EventKind.CLOSED)) == 1


def test_a_stale_lead_object_is_reread_under_the_lock(make_lead, junk_reason):
    # given two copies of the same lead, one of them out of date
    lead = make_lead()
    stale = Lead.objects.get(pk=lead.pk)
    lead_close_as_junk(lead=lead, reason=junk_reason)
    # when the stale copy is closed again, the service sees the stored status
    with pytest.raises(ValidationError):
        lead_close_as_junk(lead=stale, reason=junk_reason)
    assert len(events(lead, EventKind.CLOSED)) == 1


# --- comments -------------------------------------------------------------------------


def test_a_comment_goes_on_the_timeline_and_counts_as_the_first_reaction(make_lead, manager):
    lead = make_lead()
    event = comment_add(lead=lead, text="  Перезвонить завтра  ", acting_user=manager)
    assert (event.kind, event.text, event.actor, event.lead) == (
        EventKind.COMMENT, "Перезвонить завтра", manager, lead)
    first = Lead.objects.get(pk=lead.pk).first_handled_at
    assert first is not None
    comment_add(lead=lead, text="Ещё", acting_user=manager)
    assert Lead.objects.get(pk=lead.pk).first_handled_at == first


@pytest.mark.parametrize(("text", "message"), [
    ("", "Комментарий пуст."),
    ("   \n ", "Комментарий пуст."),
    (None, "Комментарий пуст."),
    ("я" * 10001, "Комментарий длиннее 10 000 знаков."),
])
def test_an_empty_or_too_long_comment_is_refused(make_lead, text, message):
    lead = make_lead()
    with pytest.raises(ValidationError) as refused:
        comment_add(lead=lead, text=text)
    assert refused.value.message_dict == {"text": [message]}
    assert events(lead, EventKind.COMMENT) == []
    assert Lead.objects.get(pk=lead.pk).first_handled_at is None


def test_a_comment_of_exactly_10000_characters_is_accepted(make_lead):
    lead = make_lead()
    assert len(comment_add(lead=lead, text="я" * 10000).text) == 10000


def test_a_comment_needs_something_to_belong_to(db):
    before = TimelineEvent.objects.count()
    with pytest.raises(ValidationError):
        comment_add(text="ничей")
    assert TimelineEvent.objects.count() == before


def test_negative_lead_amount_is_refused(make_lead):
    with pytest.raises(ValidationError) as caught:
        make_lead(amount=-5)
    assert "amount" in caught.value.message_dict
    assert Lead.objects.count() == 0
