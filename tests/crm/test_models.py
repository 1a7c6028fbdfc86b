"""Invariants kept by the models and the database, and the seeded dictionaries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from voronka.crm.models import (
    CloseReason,
    Communication,
    Company,
    Contact,
    CrmSettings,
    Deal,
    LeadStatus,
    Pipeline,
    Semantics,
    Source,
    Stage,
)

# --- communications: exactly one owner -------------------------------------------------


@pytest.fixture
def owners(make_lead):
    lead = make_lead()
    contact = Contact.objects.create(name="Иван")
    company = Company.objects.create(title="ООО «Ромашка»")
    return {"lead": lead, "contact": contact, "company": company}


@pytest.mark.parametrize("owner_names", [
    (),
    ("lead", "contact"),
    ("lead", "company"),
    ("contact", "company"),
    ("lead", "contact", "company"),
])
def test_a_communication_without_exactly_one_owner_is_refused_by_the_database(owners, owner_names):
    before = Communication.objects.count()
    comm = Communication(kind="PHONE", value="+79001234567", normalized="+79001234567",
                         **{name: owners[name] for name in owner_names})
    with pytest.raises(IntegrityError), transaction.atomic():
        comm.save()
    assert Communication.objects.count() == before


@pytest.mark.parametrize("owner_name", ["lead", "contact", "company"])
def test_a_communication_with_one_owner_is_saved(owners, owner_name):
    comm = Communication.objects.create(kind="EMAIL", value="a@b.ru", normalized="a@b.ru",
                                        **{owner_name: owners[owner_name]})
    assert getattr(comm, f"{owner_name}_id") == owners[owner_name].pk


def test_the_one_owner_rule_also_holds_for_updates(owners):
    comm = Communication.objects.create(kind="EMAIL", value="a@b.ru", contact=owners["contact"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Communication.objects.filter(pk=comm.pk).update(company=owners["company"])
    comm.refresh_from_db()
    assert comm.company_id is None


# --- pipelines and stages --------------------------------------------------------------


def test_only_one_pipeline_can_be_the_default(main_pipeline):
    assert main_pipeline.is_default
    with pytest.raises(IntegrityError), transaction.atomic():
        Pipeline.objects.create(code="SECOND", name="Второе", is_default=True)
    assert Pipeline.objects.filter(is_default=True).count() == 1


def test_many_non_default_pipelines_are_fine(main_pipeline):
    Pipeline.objects.create(code="A", name="А")
    Pipeline.objects.create(code="B", name="Б")
    assert Pipeline.objects.filter(is_default=False).count() == 2


def test_a_stage_code_is_unique_within_its_pipeline(main_pipeline, other_pipeline):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(pipeline=main_pipeline, code="NEW", name="Дубль")
    # the same code in another pipeline is fine
    Stage.objects.create(pipeline=other_pipeline, code="NEW", name="Новая")
    assert Stage.objects.filter(code="NEW").count() == 2


def test_first_stage_is_the_first_working_one_and_an_empty_pipeline_refuses(main_pipeline):
    assert main_pipeline.first_stage().code == "NEW"
    empty = Pipeline.objects.create(code="EMPTY", name="Пустое")
    Stage.objects.create(pipeline=empty, code="WON", name="Успех", semantics=Semantics.SUCCESS)
    with pytest.raises(ValidationError) as refused:
        empty.first_stage()
    assert "Пустое" in refused.value.messages[0]


def test_deal_clean_refuses_a_stage_of_another_pipeline(main_pipeline, other_pipeline):
    deal = Deal(title="Сделка", amount=Decimal("10"), pipeline=main_pipeline,
                stage=other_pipeline.stages.get(code="W_NEW"))
    with pytest.raises(ValidationError) as refused:
        deal.clean()
    assert refused.value.message_dict == {"stage": ["Стадия не принадлежит выбранному направлению."]}
    deal.stage = main_pipeline.stages.get(code="NEW")
    deal.clean()  # no error


# --- company requisites ----------------------------------------------------------------


def test_a_company_with_valid_requisites_passes_full_clean(db):
    company = Company(title="ПАО Сбербанк", inn="7707083893", kpp="773601001",
                      ogrn="1027700132195")
    company.full_clean()


@pytest.mark.parametrize(("field", "value"), [
    ("inn", "7707083894"), ("inn", "12345"), ("kpp", "77360100"), ("kpp", "7736ab001"),
    ("ogrn", "1027700132196"), ("ogrn", "123"),
])
def test_company_requisites_are_validated_by_full_clean(db, field, value):
    company = Company(title="ООО «Ромашка»", **{field: value})
    with pytest.raises(ValidationError) as refused:
        company.full_clean()
    assert set(refused.value.message_dict) == {field}


def test_company_requisites_are_optional(db):
    Company(title="ИП Иванов").full_clean()


# --- seeded dictionaries ---------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), [
    ("AVITO", "Авито"), ("2GIS", "2ГИС"), ("YANDEX_MAPS", "Яндекс.Карты"), ("YULA", "Юла"),
    ("SITE", "Сайт"), ("YANDEX_DIRECT", "Яндекс.Директ"), ("SEO", "SEO"), ("SOCIAL", "Соцсети"),
    ("DIRECT", "Прямой заход"),
    # Bitrix24 SOURCE_ID codes
    ("CALL", "Звонок"), ("EMAIL", "Электронная почта"), ("WEB", "Веб-сайт"),
    ("WEBFORM", "CRM-форма"), ("CALLBACK", "Обратный звонок"), ("ADVERTISING", "Реклама"),
    ("PARTNER", "Существующий клиент"), ("RECOMMENDATION", "По рекомендации"),
    ("TRADE_SHOW", "Выставка"), ("STORE", "Интернет-магазин"), ("REPEAT_SALE", "Повторные продажи"),
    ("OTHER", "Другое"),
])
def test_sources_are_seeded_with_russian_names(db, code, name):
    source = Source.objects.get(code=code)
    assert source.name == name
    assert source.is_active


def test_seeded_source_codes_pass_their_own_validator(db):
    for source in Source.objects.all():
        source.full_clean()


@pytest.mark.parametrize(("code", "name", "semantics"), [
    ("NEW", "Новый", Semantics.PROCESS),
    ("IN_PROCESS", "В работе", Semantics.PROCESS),
    ("CONVERTED", "Сконвертирован", Semantics.SUCCESS),
    ("JUNK", "Некачественный", Semantics.FAILURE),
])
def test_lead_statuses_are_seeded_with_their_semantics(db, code, name, semantics):
    status = LeadStatus.objects.get(code=code)
    assert (status.name, status.semantics, status.deprecated) == (name, semantics, False)
    assert status.is_final is (semantics != Semantics.PROCESS)


def test_lead_statuses_are_ordered_new_first(db):
    assert list(LeadStatus.objects.values_list("code", flat=True)) == [
        "NEW", "IN_PROCESS", "CONVERTED", "JUNK"]


def test_the_main_pipeline_is_seeded_as_the_default_with_success_and_failure_stages(main_pipeline):
    assert (main_pipeline.name, main_pipeline.is_default) == ("Главное", True)
    stages = list(main_pipeline.stages.order_by("sort"))
    assert stages[0].code == "NEW"
    assert [s.semantics for s in stages].count(Semantics.SUCCESS) == 1
    assert [s.semantics for s in stages].count(Semantics.FAILURE) == 1
    won = main_pipeline.stages.get(semantics=Semantics.SUCCESS)
    lost = main_pipeline.stages.get(semantics=Semantics.FAILURE)
    assert (won.code, won.name) == ("WON", "Сделка успешна")
    assert (lost.code, lost.name) == ("LOSE", "Сделка провалена")
    # the closing stages come after every working stage
    working = [s for s in stages if s.semantics == Semantics.PROCESS]
    assert max(s.sort for s in working) < min(won.sort, lost.sort)


def test_close_reasons_are_seeded_for_leads_and_deals(db):
    lead_codes = set(CloseReason.objects.filter(entity="lead").values_list("code", flat=True))
    deal_codes = set(CloseReason.objects.filter(entity="deal").values_list("code", flat=True))
    assert {"SPAM", "WRONG_NUMBER", "DUPLICATE", "OTHER"} <= lead_codes
    assert {"PRICE", "COMPETITOR", "OTHER"} <= deal_codes
    assert CloseReason.objects.get(entity="lead", code="SPAM").name == "Спам, реклама"


def test_crm_settings_are_seeded_with_the_seed_000_rules(db):
    assert CrmSettings.objects.count() == 1
    rules = CrmSettings.load()
    assert (rules.amount_required, rules.minimum_amount, rules.zero_becomes_one) == (
        True, Decimal("0"), True)


def test_crm_settings_stay_a_single_row(db):
    CrmSettings(minimum_amount=Decimal("500")).save()
    assert CrmSettings.objects.count() == 1
    assert CrmSettings.load().minimum_amount == Decimal("500")


def test_models_print_readably(owners, main_pipeline):
    assert str(main_pipeline.stages.get(code="WON")) == "Главное: Сделка успешна"
    assert str(Contact(last_name="Петров", name="Иван", second_name="Ильич")) == "Петров Иван Ильич"
    assert str(Contact(pk=7)) == "Контакт #7"
    assert str(owners["company"]) == "ООО «Ромашка»"
