"""The business process «Создать копию ЛИД + Сделка» (issue #7 §3, seed 003) and its registry."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from voronka.analytics.models import RollupDay
from voronka.analytics.rollups import rollups_rebuild, rollups_refresh
from voronka.automation import actions
from voronka.automation.processes import PROCESSES, process_start
from voronka.automation.processes import repeat_lead_deal as process_module
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CloseReason,
    Company,
    Contact,
    CrmSettings,
    CustomFieldDefinition,
    Deal,
    EventKind,
    Lead,
    Semantics,
    TimelineEvent,
)
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close, deal_create

NAME = "repeat-lead-deal"
TRACKING = {"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "propusk-mkad",
            "utm_content": "banner-3", "utm_term": "пропуск на мкад", "visit_id": "v-42",
            "landing_page": "https://example.ru/propusk", "referrer": "https://ya.ru/",
            "tracked_number": "+74950000001"}


@pytest.fixture
def mother(make_lead, manager):
    """A won deal of a company client, made the way production makes it: a web lead with
    UTM and tracking, converted into contact + company + deal, then won."""
    lead = make_lead(title="Пропуск на МКАД", name="Иван", last_name="Петров",
                     company_title="ООО Грузовоз", source_description="форма «Пропуск»",
                     **TRACKING)
    deal = lead_convert(lead=lead, acting_user=manager, legal_entity=True, amount="45000").deal
    return deal_close(deal=deal, won=True, acting_user=manager)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Lead, Deal, Contact, Company, TimelineEvent)}


def start(user, **params):
    return process_start(NAME, acting_user=user, params=params)


def test_each_copy_is_a_converted_repeat_lead_and_deal_with_the_mothers_data(mother, manager):
    result = start(manager, deal_id=mother.pk, count=3)

    deals = list(Deal.objects.filter(parent_deal=mother).select_related("lead", "stage")
                 .order_by("pk"))
    assert result.created == {"deals": [d.pk for d in deals], "leads": [d.lead_id for d in deals]}
    assert len(deals) == 3 and "3" in result.summary
    first_stage = mother.pipeline.first_stage()
    for deal in deals:
        lead = deal.lead
        for item in (lead, deal):
            assert item.title == f"повторный лид из сделки №{mother.pk}"
            assert item.is_repeat
            assert (item.contact_id, item.company_id) == (mother.contact_id, mother.company_id)
            assert item.source_id == mother.source_id
            assert item.source_description == "форма «Пропуск»"
            assert item.responsible == manager
            for name in (*UTM_FIELDS, *TRACKING_FIELDS):
                assert getattr(item, name) == getattr(mother, name) == TRACKING[name], name
        assert lead.status.code == "CONVERTED" and lead.status.semantics == Semantics.SUCCESS
        assert lead.closed_at is not None and lead.first_handled_at is not None
        assert (lead.name, lead.last_name, lead.company_title) == ("Иван", "Петров", "ООО Грузовоз")
        assert deal.parent_deal == mother and deal.upsell_manager == manager
        assert deal.pipeline_id == mother.pipeline_id and deal.stage == first_stage
        assert deal.first_touch_source_id == mother.first_touch_source_id
        assert deal.amount == Decimal("1.00")  # unknown price, default rules: 0 becomes 1 ₽
        assert TimelineEvent.objects.filter(lead=lead, deal=deal, kind=EventKind.CONVERTED).exists()
    mother.refresh_from_db()
    assert mother.stage.semantics == Semantics.SUCCESS and mother.amount == Decimal("45000.00")


def test_the_upsell_manager_is_who_started_it_and_the_copies_stay_with_the_responsible(
        mother, manager, head):
    start(head, deal_id=mother.pk, count=2)
    copies = Deal.objects.filter(parent_deal=mother)
    assert {(d.responsible, d.upsell_manager, d.created_by) for d in copies} == {(manager, head, head)}
    assert set(Lead.objects.filter(deals__in=copies).values_list("responsible", flat=True)) == {
        manager.pk}


def test_titles_are_given_per_copy(mother, manager):
    result = start(manager, deal_id=mother.pk, count=2, titles=["  Пропуск на ТТК  ", "Пропуск на СК"])
    titles = [Deal.objects.get(pk=pk).title for pk in result.created["deals"]]
    assert titles == ["Пропуск на ТТК", "Пропуск на СК"]
    assert [Lead.objects.get(pk=pk).title for pk in result.created["leads"]] == titles


def test_one_comment_links_every_copy_on_the_mother_deal_and_the_company(mother, manager):
    result = start(manager, deal_id=mother.pk, count=3)
    comment = TimelineEvent.objects.get(kind=EventKind.COMMENT, deal=mother)
    assert comment.company_id == mother.company_id and comment.actor == manager
    assert TimelineEvent.objects.filter(kind=EventKind.COMMENT, company=mother.company).get() == comment
    for deal_id, lead_id in zip(result.created["deals"], result.created["leads"], strict=True):
        assert f"Сделка №{deal_id} · лид №{lead_id}" in comment.text
    assert "Анна Менеджерова" in comment.text  # the upsell manager, for the bonus
    assert comment.payload["deals"] == result.created["deals"]
    assert comment.payload["upsell_manager"]["id"] == manager.pk


def test_without_a_company_the_comment_goes_to_the_contact(make_lead, manager):
    lead = make_lead(title="Частник", name="Ольга")
    deal = deal_close(deal=lead_convert(lead=lead, acting_user=manager, amount="900").deal,
                      won=True, acting_user=manager)
    result = start(manager, deal_id=deal.pk, count=1)
    comment = TimelineEvent.objects.get(kind=EventKind.COMMENT, deal=deal)
    assert comment.contact_id == deal.contact_id and comment.company_id is None
    assert f"Сделка №{result.created['deals'][0]}" in comment.text
    assert Deal.objects.get(pk=result.created["deals"][0]).company is None


def test_a_mother_without_any_client_makes_copies_without_one(make_deal, manager):
    deal = deal_close(deal=make_deal(), won=True, acting_user=manager)
    result = start(manager, deal_id=deal.pk, count=2)
    assert Contact.objects.count() == 0  # no client is made up
    assert set(Deal.objects.filter(pk__in=result.created["deals"]).values_list(
        "contact", "company")) == {(None, None)}


def test_the_amount_follows_the_companys_rules(mother, manager):
    rules = CrmSettings.load()
    rules.minimum_amount = Decimal("500")
    rules.save()
    result = start(manager, deal_id=mother.pk, count=1)
    assert Deal.objects.get(pk=result.created["deals"][0]).amount == Decimal("500.00")
    rules.minimum_amount, rules.zero_becomes_one = Decimal("0"), False
    rules.save()
    result = start(manager, deal_id=mother.pk, count=1)
    assert Deal.objects.get(pk=result.created["deals"][0]).amount == Decimal("0.00")


def test_custom_fields_are_copied(make_deal, manager):
    CustomFieldDefinition.objects.create(entity="deal", code="UF_CRM_VEHICLE", label="Машина",
                                         field_type="string", required=True)
    deal = make_deal(custom_fields={"UF_CRM_VEHICLE": "А123ВС 77"})
    deal = deal_close(deal=deal, won=True, acting_user=manager)
    result = start(manager, deal_id=deal.pk, count=1)
    assert Deal.objects.get(pk=result.created["deals"][0]).custom_fields == {"UF_CRM_VEHICLE": "А123ВС 77"}


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"count": 0}, "count", "от 1 до 100"),
    ({"count": 101}, "count", "от 1 до 100"),
    ({"count": "три"}, "count", "от 1 до 100"),
    ({"count": True}, "count", "от 1 до 100"),
    ({"count": "²"}, "count", "от 1 до 100"),  # a digit int() refuses: a refusal, not a crash
    ({"count": 1, "cuont": 2}, "cuont", "Нет такого параметра"),  # a typo is not ignored
    ({}, "count", "от 1 до 100"),
    ({"count": 2, "titles": ["один"]}, "titles", "Названий 1, а копий 2"),
    ({"count": 2, "titles": ["один", "   "]}, "titles", "не может быть пустым"),
    ({"count": 1, "titles": ["я" * 256]}, "titles", "длиннее 255"),
    ({"count": 1, "titles": "один"}, "titles", "список строк"),
])
def test_bad_parameters_are_refused_and_nothing_is_written(mother, manager, params, field, words):
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        start(manager, deal_id=mother.pk, **params)
    assert words in " ".join(refusal.value.message_dict[field])
    assert counts() == before


def test_a_deal_that_is_not_won_is_refused(make_deal, manager):
    deal = make_deal(title="Ещё в работе")
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        start(manager, deal_id=deal.pk, count=1)
    assert "только из успешной сделки" in refusal.value.message_dict["deal_id"][0]
    lost = deal_close(deal=make_deal(), won=False, acting_user=manager,
                      reason=CloseReason.objects.get(entity="deal", code="PRICE"))
    with pytest.raises(ValidationError):
        start(manager, deal_id=lost.pk, count=1)
    assert counts()["Deal"] == before["Deal"] + 1 and counts()["Lead"] == before["Lead"]


def test_another_managers_deal_is_not_found(mother, other_manager):
    before = counts()
    with pytest.raises(Deal.DoesNotExist):
        start(other_manager, deal_id=mother.pk, count=1)
    with pytest.raises(Deal.DoesNotExist):
        start(other_manager, deal_id=10**9, count=1)
    assert counts() == before


def test_a_failing_copy_undoes_all_copies(mother, manager, monkeypatch):
    before = counts()
    made = []

    def deal_create_failing_third(**kwargs):
        if len(made) == 2:
            raise ValidationError("копия №3 не создалась")
        made.append(deal_create(**kwargs))
        return made[-1]

    monkeypatch.setattr(process_module, "deal_create", deal_create_failing_third)
    with pytest.raises(ValidationError):
        start(manager, deal_id=mother.pk, count=5)
    assert len(made) == 2  # two copies really were written before the failure…
    assert counts() == before  # …and were undone with everything else
    assert not Deal.objects.filter(pk__in=[d.pk for d in made]).exists()


def test_analytics_rollups_count_the_copies(mother, manager):
    rollups_refresh()
    start(manager, deal_id=mother.pk, count=4)
    rollups_refresh()
    refreshed = sorted(RollupDay.objects.values_list("day", "is_repeat", "leads", "converted_leads",
                                                     "deals"), key=repr)
    rollups_rebuild()
    assert refreshed == sorted(RollupDay.objects.values_list(
        "day", "is_repeat", "leads", "converted_leads", "deals"), key=repr)
    repeat = RollupDay.objects.filter(is_repeat=True)
    assert sum(repeat.values_list("leads", flat=True)) == 4
    assert sum(repeat.values_list("converted_leads", flat=True)) == 4


def test_a_robot_starts_it_and_the_mothers_responsible_is_the_upsell_manager(mother, manager):
    context = actions.RunContext(robot=SimpleNamespace(name="Допродажа", pk=1), run_id=1)
    line = actions.process_start(mother, {"process": NAME, "params": {"count": 2}}, context)
    copies = Deal.objects.filter(parent_deal=mother)
    assert copies.count() == 2 and "2" in line
    assert {(d.upsell_manager, d.created_by) for d in copies} == {(manager, None)}
    # the robot's item is the deal: a deal_id in its parameters cannot point elsewhere
    other = deal_close(deal=deal_create(title="Другая", amount="10"), won=True)
    actions.process_start(mother, {"process": NAME, "params": {"count": 1, "deal_id": other.pk}},
                          context)
    assert not Deal.objects.filter(parent_deal=other).exists()


def test_the_registry_describes_its_processes_and_refuses_unknown_names(manager):
    process = PROCESSES[NAME]
    described = process.describe()
    assert described["label"] == "Создать копию ЛИД + Сделка"
    assert [(p["name"], p["required"]) for p in described["params"]] == [
        ("deal_id", True), ("count", True), ("titles", False)]
    assert described["params"][1]["maximum"] == 100
    with pytest.raises(ValidationError, match="Нет бизнес-процесса"):
        process_start("no-such-process", acting_user=manager, params={})
