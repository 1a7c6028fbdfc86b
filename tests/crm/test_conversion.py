"""Lead conversion: lead -> contact (+ company) + deal, in one transaction (seed 003)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.crm.numbers import LANDLINE, MOBILE
from voronka.crm.models import (
    Communication,
    CommunicationType,
    Company,
    Contact,
    CustomFieldDefinition,
    CustomFieldType,
    Deal,
    Entity,
    EventKind,
    Lead,
    Semantics,
    Source,
    TimelineEvent,
)
from voronka.crm.services.communications import CommunicationInput, communications_add
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.leads import lead_close_as_junk

PERSONAL_EMAIL = "ivan.petrov@gmail.com"
WORK_EMAIL = "zakupki@romashka-stroy.ru"

TRACKING = {
    "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "plitka-msk",
    "utm_content": "banner-1", "utm_term": "купить плитку", "visit_id": "v-42",
    "landing_page": "https://romashka.example/plitka", "referrer": "https://ya.ru/",
    "tracked_number": "+74950000001",
}


def comms(owner) -> dict[str, Communication]:
    return {c.normalized: c for c in owner.communications.all()}


def snapshot(lead) -> dict:
    return Lead.objects.filter(pk=lead.pk).values().get()


@pytest.fixture
def make_lead(make_lead):
    """The shared factory, with an amount: a deal needs one (seed 000)."""
    def make(**fields):
        fields.setdefault("amount", Decimal("10000"))
        return make_lead(**fields)
    return make


@pytest.fixture
def b2b_lead(make_lead):
    """A request from a company: the buyer's mobile and Gmail, the office line and mailbox."""
    return make_lead(
        name="Иван", last_name="Петров", second_name="Ильич", post="снабженец",
        company_title="ООО «Ромашка-Строй»", amount=Decimal("150000"),
        source_description="объявление «Плитка оптом»", comments="нужна доставка",
        phones=["8 (900) 123-45-67", "+7 (495) 123-45-67 доб. 12"],
        emails=[PERSONAL_EMAIL, WORK_EMAIL],
        **TRACKING,
    )


def test_the_lead_communications_are_typed_as_the_conversion_expects(b2b_lead):
    types = {n: c.value_type for n, c in comms(b2b_lead).items()}
    assert types == {MOBILE: CommunicationType.MOBILE, LANDLINE: CommunicationType.WORK,
                     PERSONAL_EMAIL: CommunicationType.HOME, WORK_EMAIL: CommunicationType.WORK}


def test_a_person_becomes_a_contact_and_a_deal(make_lead, manager, source, main_pipeline):
    # given
    lead = make_lead(name="Иван", last_name="Петров", amount=Decimal("5000"),
                     phones=["8 900 123-45-67", "8 495 123-45-67"], emails=[PERSONAL_EMAIL])
    # when
    result = lead_convert(lead=lead, acting_user=manager)
    # then: a contact with every communication (there is no company to take the work ones)
    assert result.company is None
    contact = Contact.objects.get(pk=result.contact.pk)
    assert (contact.name, contact.last_name) == ("Иван", "Петров")
    assert set(comms(contact)) == {MOBILE, LANDLINE, PERSONAL_EMAIL}
    assert contact.responsible == manager
    assert contact.created_by == manager
    assert contact.source == source
    assert contact.first_touch_source == source
    assert contact.first_touch_at == lead.created_at
    assert Company.objects.count() == 0
    # a deal in the first stage of the default pipeline
    deal = Deal.objects.get(pk=result.deal.pk)
    assert (deal.pipeline, deal.stage.code) == (main_pipeline, "NEW")
    assert deal.amount == Decimal("5000.00")
    assert (deal.contact, deal.company, deal.lead) == (contact, None, lead)
    # the lead is converted and linked
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.status.code == "CONVERTED"
    assert stored.status.semantics == Semantics.SUCCESS
    assert (stored.contact, stored.company) == (contact, None)
    assert stored.closed_at is not None
    assert stored.first_handled_at == stored.closed_at
    # the lead keeps its own communications
    assert set(comms(stored)) == {MOBILE, LANDLINE, PERSONAL_EMAIL}


def test_the_conversion_event_links_everything(make_lead, manager):
    lead = make_lead()
    result = lead_convert(lead=lead, acting_user=manager)
    [event] = TimelineEvent.objects.filter(kind=EventKind.CONVERTED)
    assert (event.lead, event.deal, event.contact, event.company, event.actor) == (
        lead, result.deal, result.contact, None, manager)
    assert event.payload["from"]["name"] == "Новый"
    assert event.payload["to"]["name"] == "Сконвертирован"
    assert event.payload["deal"]["id"] == result.deal.pk
    assert (event.payload["contact_created"], event.payload["company_created"]) == (True, False)
    assert TimelineEvent.objects.filter(kind=EventKind.CREATED, deal=result.deal).count() == 1


def test_a_lead_without_a_name_gives_the_contact_its_title(make_lead):
    lead = make_lead(title="Звонок с Авито")
    assert lead_convert(lead=lead).contact.name == "Звонок с Авито"


def test_contact_data_overrides_the_lead_names(make_lead):
    lead = make_lead(name="Иван")
    result = lead_convert(lead=lead, contact_data={"name": "Пётр", "last_name": "Сидоров",
                                                   "comments": "уточнил по телефону"})
    contact = Contact.objects.get(pk=result.contact.pk)
    assert (contact.name, contact.last_name, contact.comments) == (
        "Пётр", "Сидоров", "уточнил по телефону")


def test_a_legal_entity_splits_communications_between_contact_and_company(b2b_lead, manager):
    # when
    result = lead_convert(lead=b2b_lead, acting_user=manager, legal_entity=True,
                          company_data={"inn": "7707083893", "kpp": "773601001"})
    # then: no manual clean-up (seed 003) — the person's values on the contact only,
    # the office's values on the company only
    contact, company = result.contact, result.company
    assert set(comms(contact)) == {MOBILE, PERSONAL_EMAIL}
    assert set(comms(company)) == {LANDLINE, WORK_EMAIL}
    assert comms(company)[LANDLINE].extension == "12"
    assert comms(company)[LANDLINE].value_type == CommunicationType.WORK
    assert comms(contact)[MOBILE].value == "8 (900) 123-45-67"
    # the company is made from the lead
    company = Company.objects.get(pk=company.pk)
    assert company.title == "ООО «Ромашка-Строй»"
    assert (company.inn, company.kpp) == ("7707083893", "773601001")
    assert (company.responsible, company.source, company.created_by) == (
        manager, b2b_lead.source, manager)
    # and everything is linked
    assert Contact.objects.get(pk=contact.pk).company == company
    assert (contact.post, contact.second_name) == ("снабженец", "Ильич")
    assert Deal.objects.get(pk=result.deal.pk).company == company
    stored = Lead.objects.get(pk=b2b_lead.pk)
    assert (stored.contact, stored.company) == (contact, company)
    [event] = TimelineEvent.objects.filter(kind=EventKind.CONVERTED)
    assert event.company == company
    assert event.payload["company_created"] is True


def test_the_deal_keeps_the_lead_source_utm_tracking_and_texts(b2b_lead, manager, source):
    result = lead_convert(lead=b2b_lead, acting_user=manager, legal_entity=True)
    deal = Deal.objects.get(pk=result.deal.pk)
    assert deal.title == b2b_lead.title
    assert deal.amount == Decimal("150000.00")
    assert deal.currency == "RUB"
    assert deal.source == source
    assert deal.first_touch_source == source
    assert deal.source_description == "объявление «Плитка оптом»"
    assert deal.comments == "нужна доставка"
    assert deal.responsible == manager
    assert deal.tracking_values() == TRACKING


def test_a_repeat_lead_makes_a_repeat_deal(make_lead):
    lead = make_lead(is_repeat=True)
    assert Deal.objects.get(pk=lead_convert(lead=lead).deal.pk).is_repeat


def test_deal_title_amount_pipeline_and_stage_can_be_given(make_lead, other_pipeline):
    lead = make_lead(amount=Decimal("100"))
    talk = other_pipeline.stages.get(code="W_TALK")
    deal = lead_convert(lead=lead, deal_title="Опт: плитка", amount="250 000", stage=talk).deal
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.title, stored.amount) == ("Опт: плитка", Decimal("250000.00"))
    assert (stored.pipeline, stored.stage) == (other_pipeline, talk)


def test_a_lead_without_a_responsible_gives_the_clients_to_the_converting_user(make_lead, head):
    lead = make_lead(responsible=None)
    result = lead_convert(lead=lead, acting_user=head, legal_entity=True,
                          company_data={"title": "ИП Петров"})
    assert result.contact.responsible == head
    assert result.company.responsible == head
    assert result.deal.responsible == head


def test_communication_targets_override_the_default(b2b_lead):
    # given the user's choice for three values (the fourth keeps its default)
    ids = {n: c.pk for n, c in comms(b2b_lead).items()}
    targets = {ids[MOBILE]: "both", ids[LANDLINE]: "contact", ids[WORK_EMAIL]: "none"}
    # when
    result = lead_convert(lead=b2b_lead, legal_entity=True, communication_targets=targets)
    # then
    assert set(comms(result.contact)) == {MOBILE, LANDLINE, PERSONAL_EMAIL}
    assert set(comms(result.company)) == {MOBILE}
    assert not Communication.objects.filter(normalized=WORK_EMAIL).exclude(lead=b2b_lead).exists()


def test_a_company_target_without_a_company_goes_to_the_contact(b2b_lead):
    ids = {n: c.pk for n, c in comms(b2b_lead).items()}
    result = lead_convert(lead=b2b_lead, communication_targets={ids[MOBILE]: "company"})
    assert MOBILE in comms(result.contact)
    assert result.company is None


def test_an_unknown_target_is_refused_and_nothing_is_written(b2b_lead, counts):
    mobile_id = comms(b2b_lead)[MOBILE].pk
    before, lead_before = counts(), snapshot(b2b_lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=b2b_lead, legal_entity=True, communication_targets={mobile_id: "boss"})
    assert refused.value.message_dict == {"communication_targets": ["Неизвестное назначение: boss"]}
    assert counts() == before
    assert snapshot(b2b_lead) == lead_before


def test_attaching_to_an_existing_contact_creates_no_new_one_and_no_duplicates(b2b_lead, counts):
    # given a known client who already has the mobile number (written another way)
    known = Contact.objects.create(name="Иван", last_name="Петров")
    communications_add(known, [CommunicationInput("PHONE", "+7 900 123 45 67")])
    contacts_before = Contact.objects.count()
    # when
    result = lead_convert(lead=b2b_lead, contact=known)
    # then
    assert result.contact == known
    assert Contact.objects.count() == contacts_before
    assert Communication.objects.filter(contact=known, normalized=MOBILE).count() == 1
    assert set(comms(known)) == {MOBILE, LANDLINE, PERSONAL_EMAIL, WORK_EMAIL}
    assert Lead.objects.get(pk=b2b_lead.pk).contact == known
    assert Deal.objects.get(pk=result.deal.pk).contact == known
    [event] = TimelineEvent.objects.filter(kind=EventKind.CONVERTED)
    assert event.payload["contact_created"] is False


def test_an_existing_contact_gets_a_first_touch_only_if_it_had_none(make_lead):
    yula, avito = Source.objects.get(code="YULA"), Source.objects.get(code="AVITO")
    fresh = Contact.objects.create(name="Без источника")
    lead = make_lead(phones=())
    lead_convert(lead=lead, contact=fresh)
    fresh.refresh_from_db()
    assert (fresh.first_touch_source, fresh.first_touch_at) == (avito, lead.created_at)

    old_client = Contact.objects.create(name="Давний", first_touch_source=yula)
    result = lead_convert(lead=make_lead(phones=()), contact=old_client)
    old_client.refresh_from_db()
    assert old_client.first_touch_source == yula  # the first touch never changes
    assert Deal.objects.get(pk=result.deal.pk).first_touch_source == yula
    assert Deal.objects.get(pk=result.deal.pk).source == avito


def test_attaching_to_an_existing_company(b2b_lead):
    known = Company.objects.create(title="ООО «Ромашка-Строй»", inn="7707083893")
    communications_add(known, [CommunicationInput("PHONE", "8 495 123-45-67")])
    companies_before = Company.objects.count()

    result = lead_convert(lead=b2b_lead, company=known)  # implies a legal entity

    assert result.company == known
    assert Company.objects.count() == companies_before
    assert Communication.objects.filter(company=known, normalized=LANDLINE).count() == 1
    assert set(comms(known)) == {LANDLINE, WORK_EMAIL}
    assert set(comms(result.contact)) == {MOBILE, PERSONAL_EMAIL}
    assert Contact.objects.get(pk=result.contact.pk).company == known
    assert Lead.objects.get(pk=b2b_lead.pk).company == known


def test_an_existing_contact_of_another_company_keeps_it(b2b_lead):
    employer = Company.objects.create(title="Старое место")
    known = Contact.objects.create(name="Иван", company=employer)
    result = lead_convert(lead=b2b_lead, contact=known, legal_entity=True)
    assert Contact.objects.get(pk=known.pk).company == employer
    assert result.company.title == "ООО «Ромашка-Строй»"


def test_custom_fields_are_copied_where_the_code_exists_on_the_target(make_lead):
    for entity, code, kind in (
        (Entity.LEAD, "UF_CAR", CustomFieldType.STRING),
        (Entity.LEAD, "UF_AREA", CustomFieldType.NUMBER),
        (Entity.LEAD, "UF_LEAD_ONLY", CustomFieldType.STRING),
        (Entity.DEAL, "UF_CAR", CustomFieldType.STRING),
        (Entity.DEAL, "UF_AREA", CustomFieldType.NUMBER),
        (Entity.CONTACT, "UF_CAR", CustomFieldType.STRING),
        (Entity.COMPANY, "UF_AREA", CustomFieldType.NUMBER),
    ):
        CustomFieldDefinition.objects.create(entity=entity, code=code, label=code, field_type=kind)
    lead = make_lead(company_title="Ромашка", custom_fields={
        "UF_CAR": "А123ВС77", "UF_AREA": "12,5", "UF_LEAD_ONLY": "x"})

    result = lead_convert(lead=lead, legal_entity=True)

    assert Deal.objects.get(pk=result.deal.pk).custom_fields == {"UF_CAR": "А123ВС77",
                                                                 "UF_AREA": "12.5"}
    assert Contact.objects.get(pk=result.contact.pk).custom_fields == {"UF_CAR": "А123ВС77"}
    assert Company.objects.get(pk=result.company.pk).custom_fields == {"UF_AREA": "12.5"}


def test_zero_amount_becomes_one_rouble(make_lead):
    lead = make_lead(amount=Decimal("0"))
    assert Deal.objects.get(pk=lead_convert(lead=lead).deal.pk).amount == Decimal("1.00")


# --- refusals: nothing is written ------------------------------------------------------


def test_a_second_conversion_is_refused(make_lead, counts):
    lead = make_lead()
    lead_convert(lead=lead)
    before, lead_before = counts(), snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=lead)
    assert refused.value.messages == ["Лид уже сконвертирован."]
    assert counts() == before
    assert snapshot(lead) == lead_before


def test_converting_a_junk_lead_is_refused(make_lead, junk_reason, counts):
    lead = lead_close_as_junk(lead=make_lead(), reason=junk_reason)
    before, lead_before = counts(), snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=lead)
    assert "некачественный" in refused.value.messages[0]
    assert counts() == before
    assert snapshot(lead) == lead_before


@pytest.mark.parametrize(("lead_amount", "amount", "field_message"), [
    (None, None, "Укажите сумму сделки."),
    (Decimal("100"), "-5", "Сумма сделки не может быть отрицательной."),
    (None, "сто тысяч", "Сумма сделки должна быть числом."),
    (None, "NaN", "Сумма сделки должна быть числом."),
])
def test_an_invalid_amount_is_refused_before_anything_is_written(
        b2b_lead, counts, lead_amount, amount, field_message):
    Lead.objects.filter(pk=b2b_lead.pk).update(amount=lead_amount)
    before, lead_before = counts(), snapshot(b2b_lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=b2b_lead, legal_entity=True, amount=amount)
    assert refused.value.message_dict == {"amount": [field_message]}
    assert counts() == before  # no contact, company, deal, communication or event
    assert snapshot(b2b_lead) == lead_before
    assert Lead.objects.get(pk=b2b_lead.pk).is_open


def test_the_minimum_amount_is_enforced_on_conversion(make_lead, rules, counts):
    rules(minimum_amount=Decimal("1000"))
    lead = make_lead(amount=Decimal("500"))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=lead)
    assert "меньше минимальной" in refused.value.message_dict["amount"][0]
    assert counts() == before


def test_a_company_without_a_title_is_refused_and_nothing_is_written(make_lead, counts):
    lead = make_lead(name="Иван", amount=Decimal("100"))  # no company_title
    before, lead_before = counts(), snapshot(lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=lead, legal_entity=True)
    assert refused.value.message_dict == {"company_title": ["Укажите название компании."]}
    assert counts() == before
    assert snapshot(lead) == lead_before


@pytest.mark.parametrize("company_data", [{"inn": "7707083894"}, {"kpp": "12"},
                                          {"ogrn": "1027700132196"}])
def test_invalid_requisites_are_refused_atomically(b2b_lead, counts, company_data):
    before, lead_before = counts(), snapshot(b2b_lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=b2b_lead, legal_entity=True, company_data=company_data)
    assert set(refused.value.message_dict) == set(company_data)
    assert counts() == before  # the contact made before the company is rolled back too
    assert snapshot(b2b_lead) == lead_before


def test_a_deal_that_fails_after_the_clients_were_made_leaves_nothing(b2b_lead, counts):
    # a required deal field the lead cannot fill fails in deal_create, after the contact
    # and the company were written: the whole conversion must roll back
    CustomFieldDefinition.objects.create(entity=Entity.DEAL, code="UF_CONTRACT", label="Договор",
                                         field_type=CustomFieldType.STRING, required=True)
    before, lead_before = counts(), snapshot(b2b_lead)
    with pytest.raises(ValidationError) as refused:
        lead_convert(lead=b2b_lead, legal_entity=True)
    assert "UF_CONTRACT" in refused.value.message_dict
    assert counts() == before
    assert snapshot(b2b_lead) == lead_before


def test_unknown_company_fields_are_a_programming_error(b2b_lead, counts):
    before = counts()
    with pytest.raises(TypeError):
        lead_convert(lead=b2b_lead, legal_entity=True, company_data={"phone": "1"})
    assert counts() == before
