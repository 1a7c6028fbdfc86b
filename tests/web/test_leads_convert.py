"""The convert wizard: lead → contact (+ company) + deal, with existing clients offered."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.crm.models import Company, Contact, CrmSettings, Deal, Semantics, Stage
from voronka.crm.services.conversion import lead_convert

pytestmark = pytest.mark.django_db


def _stage(pipeline, code="PREPARATION"):
    return Stage.objects.get(pipeline=pipeline, code=code)


def _post(client, lead, **fields):
    comms = {f"comm_{c.pk}": fields.pop(f"comm_{c.value}", None) or
             ("company" if c.value_type == "WORK" and fields.get("kind") == "legal" else "contact")
             for c in lead.communications.all()}
    data = {"kind": "person", "contact": "new", "company": "new", "company_title": "", "inn": "",
            "amount": "", "deal_title": lead.title, "convert": "1", **comms, **fields}
    return client.post(f"/leads/{lead.pk}/convert/", data)


@pytest.fixture
def lead(make_lead):
    return make_lead(title="Кухня на заказ", name="Иван", last_name="Петров",
                     phones=("8 900 123-45-67",), emails=("zakaz@romashka.ru",),
                     amount=Decimal("150000"))


def test_the_wizard_page_offers_a_new_client_and_the_default_pipeline(client_for, manager, lead,
                                                                      main_pipeline):
    response = client_for(manager).get(f"/leads/{lead.pk}/convert/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Создать новый контакт" in html and "Физическое лицо" in html
    assert main_pipeline.name in html and "+79001234567" not in html  # values as typed
    assert "8 900 123-45-67" in html and 'value="150000.00"' in html
    assert f'href="/leads/{lead.pk}/convert/"' in client_for(manager).get(
        f"/leads/{lead.pk}/").content.decode()


def test_a_person_becomes_contact_and_deal_at_the_chosen_stage(client_for, manager, lead,
                                                               main_pipeline):
    stage = _stage(main_pipeline)
    response = _post(client_for(manager), lead, stage=stage.pk, amount="200 000",
                     deal_title="Кухня Петровых")
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert deal.title == "Кухня Петровых" and deal.stage == stage
    assert deal.amount == Decimal("200000.00")
    lead.refresh_from_db()
    assert lead.status.semantics == Semantics.SUCCESS and lead.contact == deal.contact
    assert deal.company is None
    assert set(deal.contact.communications.values_list("normalized", flat=True)) == {
        "+79001234567", "zakaz@romashka.ru"}


def test_a_legal_entity_gets_a_company_and_each_value_goes_where_chosen(client_for, manager, lead,
                                                                        main_pipeline):
    response = _post(client_for(manager), lead, kind="legal", company_title="ООО Ромашка",
                     inn="7707083893", stage=_stage(main_pipeline).pk,
                     **{"comm_zakaz@romashka.ru": "company", "comm_8 900 123-45-67": "both"})
    assert response.status_code == 302
    company = Company.objects.get()
    contact = Contact.objects.get()
    assert company.title == "ООО Ромашка" and company.inn == "7707083893"
    assert contact.company == company
    assert set(company.communications.values_list("normalized", flat=True)) == {
        "+79001234567", "zakaz@romashka.ru"}
    assert list(contact.communications.values_list("normalized", flat=True)) == ["+79001234567"]


def test_a_known_client_is_offered_and_attaching_creates_no_duplicate(client_for, manager,
                                                                      make_lead, main_pipeline):
    first = make_lead(title="Первый заказ", name="Иван", phones=("+7 900 123-45-67",))
    known = lead_convert(lead=first, acting_user=manager, amount="1").contact
    again = make_lead(title="Второй заказ", phones=("8 (900) 123-45-67",))
    client = client_for(manager)
    html = client.get(f"/leads/{again.pk}/convert/").content.decode()
    assert f'name="contact" value="{known.pk}" required id="id_contact_1" checked' in html
    response = _post(client, again, contact=str(known.pk), stage=_stage(main_pipeline).pk,
                     amount="5000")
    assert response.status_code == 302
    assert Contact.objects.count() == 1
    assert Deal.objects.filter(contact=known).count() == 2


def test_a_company_is_found_by_inn(client_for, manager, head, make_lead, main_pipeline):
    other = make_lead(title="ООО", company_title="ООО Лютик", phones=("+7 495 000-11-22",))
    company = lead_convert(lead=other, acting_user=manager, legal_entity=True,
                           company_data={"inn": "7707083893"}, amount="1").company
    lead = make_lead(title="Новый запрос", phones=("+7 900 555-44-33",))
    client = client_for(manager)
    first_look = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    assert f'name="company" value="{company.pk}"' not in first_look
    page = client.post(f"/leads/{lead.pk}/convert/", {"kind": "legal", "inn": "7707083893",
                                                      "find": "inn"})
    assert page.status_code == 200 and "ООО Лютик" in page.content.decode()
    response = _post(client, lead, kind="legal", company=str(company.pk), inn="7707083893",
                     stage=_stage(main_pipeline).pk, amount="1")
    assert response.status_code == 302
    assert Deal.objects.get(lead=lead).company == company and Company.objects.count() == 1


def test_another_managers_client_is_not_shown_but_counted(client_for, manager, other_manager,
                                                          make_lead):
    theirs = make_lead(title="Чужой", name="Пётр", phones=("+7 900 123-45-67",),
                       responsible=other_manager, acting_user=other_manager)
    contact = lead_convert(lead=theirs, acting_user=other_manager, amount="1").contact
    mine = make_lead(title="Мой", phones=("+7 900 123-45-67",))
    html = client_for(manager).get(f"/leads/{mine.pk}/convert/").content.decode()
    assert str(contact) not in html and f'name="contact" value="{contact.pk}"' not in html
    assert "другой менеджер" in html
    # a hand-made POST naming that contact does not attach to it
    _post(client_for(manager), mine, contact=str(contact.pk), stage=Stage.objects.filter(
        semantics=Semantics.PROCESS).first().pk, amount="1")
    assert not Deal.objects.filter(lead=mine, contact=contact).exists()


def test_amount_rules_are_enforced_in_russian_and_nothing_is_written(client_for, manager, lead,
                                                                     main_pipeline):
    settings = CrmSettings.load()
    settings.amount_required, settings.minimum_amount = True, Decimal("1500")
    settings.save()
    lead.amount = None
    lead.save(update_fields=["amount"])
    response = _post(client_for(manager), lead, stage=_stage(main_pipeline).pk, amount="")
    assert response.status_code == 400
    assert "Укажите сумму сделки" in response.content.decode()
    response = _post(client_for(manager), lead, stage=_stage(main_pipeline).pk, amount="-5")
    assert "не может быть отрицательной" in response.content.decode()
    assert not Deal.objects.exists() and not Contact.objects.exists()
    lead.refresh_from_db()
    assert lead.status.semantics == Semantics.PROCESS


def test_a_legal_entity_needs_a_company_name(client_for, manager, make_lead, main_pipeline):
    lead = make_lead(title="Без названия")
    response = _post(client_for(manager), lead, kind="legal", stage=_stage(main_pipeline).pk,
                     amount="1")
    assert response.status_code == 400
    assert "Укажите название компании" in response.content.decode()
    assert not Deal.objects.exists()


def test_bad_stage_and_bad_target_are_refused(client_for, manager, lead, main_pipeline):
    won = Stage.objects.get(pipeline=main_pipeline, semantics=Semantics.SUCCESS)
    assert _post(client_for(manager), lead, stage=won.pk).status_code == 400
    assert _post(client_for(manager), lead, stage="x").status_code == 400
    assert _post(client_for(manager), lead, stage=_stage(main_pipeline).pk,
                 **{"comm_8 900 123-45-67": "everyone"}).status_code == 400
    assert not Deal.objects.exists()


def test_someone_elses_lead_is_404_and_a_closed_one_goes_back(client_for, manager, other_manager,
                                                              lead, main_pipeline):
    other = client_for(other_manager)
    assert other.get(f"/leads/{lead.pk}/convert/").status_code == 404
    assert _post(other, lead, stage=_stage(main_pipeline).pk).status_code == 404
    assert not Deal.objects.exists()
    lead_convert(lead=lead, acting_user=manager, amount="1")
    response = client_for(manager).get(f"/leads/{lead.pk}/convert/")
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
