"""Deals: amount rules (seed 000), create, update, move between stages and pipelines, close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from voronka.crm.models import (
    CloseReason,
    Contact,
    CrmSettings,
    CustomFieldDefinition,
    CustomFieldType,
    Deal,
    Entity,
    EventKind,
    Pipeline,
    Semantics,
    Source,
    Stage,
    TimelineEvent,
)
from voronka.crm.services.deals import (
    deal_amount_resolve,
    deal_close,
    deal_create,
    deal_move,
    deal_update,
    money_format,
    pipeline_default,
)

NNBSP, NBSP = "\u202f", "\u00a0"  # what money_format puts between thousands / before ₽


def events(deal, kind=None):
    qs = TimelineEvent.objects.filter(deal=deal).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def snapshot(deal) -> dict:
    return Deal.objects.filter(pk=deal.pk).values().get()


def ref(obj) -> dict:
    """How a model instance appears in an event payload."""
    return {"id": obj.pk, "name": str(obj)}


# --- money_format ----------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "text"), [
    (Decimal("1234567"), f"1{NNBSP}234{NNBSP}567{NBSP}₽"),
    (Decimal("1234567.00"), f"1{NNBSP}234{NNBSP}567{NBSP}₽"),
    (Decimal("1234567.50"), f"1{NNBSP}234{NNBSP}567,50{NBSP}₽"),
    (Decimal("999"), f"999{NBSP}₽"),
    (Decimal("1000"), f"1{NNBSP}000{NBSP}₽"),
    (Decimal("1.00"), f"1{NBSP}₽"),
    (Decimal("0"), f"0{NBSP}₽"),
    (Decimal("0.5"), f"0,5{NBSP}₽"),
])
def test_money_format_writes_roubles_the_russian_way(amount, text):
    assert money_format(amount) == text


def test_money_format_uses_narrow_and_ordinary_no_break_spaces():
    assert money_format(Decimal("1234567")) == "1\u202f234\u202f567\u00a0₽"
    assert " " not in money_format(Decimal("1234567"))  # no breakable space


# --- deal_amount_resolve ---------------------------------------------------------------


def resolve(amount, **rules):
    values = {"amount_required": True, "minimum_amount": Decimal("0"), "zero_becomes_one": True}
    values.update(rules)
    return deal_amount_resolve(amount, CrmSettings(**values))


def refusal(amount, **rules) -> str:
    with pytest.raises(ValidationError) as refused:
        resolve(amount, **rules)
    [message] = refused.value.message_dict["amount"]
    return message


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_required_amount_must_be_given(missing):
    assert refusal(missing) == "Укажите сумму сделки."
    assert refusal(missing, minimum_amount=Decimal("500")) == (
        f"Укажите сумму сделки. Если сумма пока неизвестна, поставьте минимальную: 500{NBSP}₽.")


def test_the_minimum_amount_is_enforced():
    message = refusal("499.99", minimum_amount=Decimal("500"))
    assert message.startswith(f"Сумма сделки меньше минимальной (500{NBSP}₽).")
    assert resolve("500", minimum_amount=Decimal("500")) == Decimal("500.00")
    assert resolve(Decimal("1500"), minimum_amount=Decimal("500")) == Decimal("1500.00")


def test_zero_becomes_one_rouble_when_the_rule_is_on():
    assert resolve(0) == Decimal("1.00")
    assert resolve("0,00") == Decimal("1.00")
    # free work is exactly what the rule is for, so it applies below the minimum too
    assert resolve(Decimal("0"), minimum_amount=Decimal("500")) == Decimal("1.00")


def test_zero_is_refused_when_the_rule_is_off_and_there_is_a_minimum():
    assert "меньше минимальной" in refusal(0, zero_becomes_one=False, minimum_amount=Decimal("1"))
    assert resolve(0, zero_becomes_one=False) == Decimal("0.00")


def test_an_optional_amount_may_be_missing():
    assert resolve(None, amount_required=False) == Decimal("1.00")
    assert resolve(None, amount_required=False, zero_becomes_one=False) == Decimal("0.00")


@pytest.mark.parametrize(("amount", "message"), [
    ("-1", "Сумма сделки не может быть отрицательной."),
    (Decimal("-0.01"), "Сумма сделки не может быть отрицательной."),
    ("сто", "Сумма сделки должна быть числом."),
    ("10 р.", "Сумма сделки должна быть числом."),
    ("NaN", "Сумма сделки должна быть числом."),
    ("sNaN", "Сумма сделки должна быть числом."),
    (float("nan"), "Сумма сделки должна быть числом."),
    ("Infinity", "Сумма сделки должна быть числом."),
    ("-Infinity", "Сумма сделки должна быть числом."),
    (float("inf"), "Сумма сделки должна быть числом."),
    (Decimal("Infinity"), "Сумма сделки должна быть числом."),
    (True, "Сумма сделки должна быть числом."),
    (False, "Сумма сделки должна быть числом."),
    ([100], "Сумма сделки должна быть числом."),
    ("1e12", "Слишком большая сумма сделки."),
    ("1000000000000", "Слишком большая сумма сделки."),
    ("999999999999.995", "Слишком большая сумма сделки."),  # rounds up to 1e12
])
def test_bad_amounts_are_refused(amount, message):
    assert refusal(amount) == message


@pytest.mark.parametrize(("amount", "expected"), [
    ("12345678901.23", Decimal("12345678901.23")),
    ("999999999999.99", Decimal("999999999999.99")),
    (0.1, Decimal("0.10")),
    (Decimal("0.1"), Decimal("0.10")),
    ("1 234,56", Decimal("1234.56")),
    (15000, Decimal("15000.00")),
    ("0.005", Decimal("1.00")),  # rounds to zero, then the 1 ₽ rule
])
def test_decimal_precision_is_kept(amount, expected):
    result = resolve(amount)
    assert type(result) is Decimal
    assert result == expected
    assert str(result) == str(expected)


def test_the_stored_settings_are_used_by_default(rules):
    rules(minimum_amount=Decimal("300"), zero_becomes_one=False)
    with pytest.raises(ValidationError) as refused:
        deal_amount_resolve("299")
    assert f"300{NBSP}₽" in refused.value.message_dict["amount"][0]


# --- deal_create ---------------------------------------------------------------------


def test_create_puts_the_deal_in_the_first_stage_of_the_default_pipeline(make_deal, manager,
                                                                         source, main_pipeline):
    deal = make_deal(title="  Поставка плитки ", amount="15 000")
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.title == "Поставка плитки"
    assert (stored.pipeline, stored.stage.code) == (main_pipeline, "NEW")
    assert stored.amount == Decimal("15000.00")
    assert (stored.created_by, stored.responsible, stored.source) == (manager, manager, source)
    assert pipeline_default() == main_pipeline
    [created] = events(deal)
    assert (created.kind, created.actor) == (EventKind.CREATED, manager)
    assert created.payload == {"amount": "15000.00", "stage": ref(stored.stage),
                               "source": ref(source)}


def test_create_takes_the_pipeline_from_the_stage(make_deal, other_pipeline):
    talk = other_pipeline.stages.get(code="W_TALK")
    deal = make_deal(stage=talk)
    assert (deal.pipeline, deal.stage) == (other_pipeline, talk)
    assert make_deal(pipeline=other_pipeline).stage.code == "W_NEW"


def test_create_copies_the_first_touch_source_of_the_contact(make_deal):
    yula = Source.objects.get(code="YULA")
    contact = Contact.objects.create(name="Иван", first_touch_source=yula)
    deal = make_deal(contact=contact)
    assert Deal.objects.get(pk=deal.pk).first_touch_source == yula
    assert Deal.objects.get(pk=deal.pk).source.code == "AVITO"


@pytest.mark.parametrize("case", ["stage_of_other_pipeline", "closed_stage", "no_title",
                                  "bad_amount", "bad_custom_field"])
def test_a_refused_create_writes_nothing(make_deal, counts, main_pipeline, other_pipeline, case):
    CustomFieldDefinition.objects.create(entity=Entity.DEAL, code="UF_AREA", label="Площадь",
                                         field_type=CustomFieldType.NUMBER)
    kwargs = {
        "stage_of_other_pipeline": {"pipeline": main_pipeline,
                                    "stage": other_pipeline.stages.get(code="W_NEW")},
        "closed_stage": {"stage": main_pipeline.stages.get(code="WON")},
        "no_title": {"title": "   "},
        "bad_amount": {"amount": "-5"},
        "bad_custom_field": {"custom_fields": {"UF_AREA": "много"}},
    }[case]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        make_deal(**kwargs)
    expected_field = {"stage_of_other_pipeline": "stage", "closed_stage": "stage",
                      "no_title": "title", "bad_amount": "amount",
                      "bad_custom_field": "UF_AREA"}[case]
    assert expected_field in refused.value.message_dict
    assert counts() == before


def test_create_refuses_unknown_fields(make_deal, counts):
    before = counts()
    with pytest.raises(TypeError):
        make_deal(closed_on=dt.date.today())
    assert counts() == before


def test_without_any_pipeline_a_deal_cannot_be_created(db):
    Pipeline.objects.all().delete()
    with pytest.raises(ValidationError):
        deal_create(title="Сделка", amount=100)


# --- deal_update ---------------------------------------------------------------------


def test_update_applies_the_amount_rules_and_records_changes(make_deal, manager, rules):
    deal = make_deal(amount=1000)
    rules(minimum_amount=Decimal("500"))
    deal = deal_update(deal=deal, acting_user=manager, amount="2 500,5", comments="уточнили")
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("2500.50")
    [updated] = events(deal, EventKind.UPDATED)
    assert updated.payload == {"changes": {
        "amount": {"old": "1000.00", "new": "2500.50"},
        "comments": {"old": "", "new": "уточнили"}}}
    before = snapshot(deal)
    with pytest.raises(ValidationError) as refused:
        deal_update(deal=deal, acting_user=manager, amount="100", comments="дешевле")
    assert "меньше минимальной" in refused.value.message_dict["amount"][0]
    assert snapshot(deal) == before
    assert len(events(deal, EventKind.UPDATED)) == 1


def test_update_of_the_responsible_only_is_an_assignment(make_deal, head, other_manager):
    deal = make_deal()
    deal_update(deal=deal, acting_user=head, responsible=other_manager)
    assert [e.kind for e in events(deal)] == [EventKind.CREATED, EventKind.ASSIGNED]


def test_an_update_that_changes_nothing_writes_nothing(make_deal, manager):
    deal = make_deal(amount=1000)
    deal_update(deal=deal, acting_user=manager, amount="1000", title="Поставка плитки")
    assert [e.kind for e in events(deal)] == [EventKind.CREATED]


def test_update_cannot_touch_the_stage(make_deal, stage):
    deal = make_deal()
    with pytest.raises(TypeError):
        deal_update(deal=deal, stage=stage("WON"))
    assert Deal.objects.get(pk=deal.pk).stage.code == "NEW"


# --- deal_move and deal_close ----------------------------------------------------------


def test_moving_between_working_stages(make_deal, manager, stage):
    deal = make_deal()
    deal = deal_move(deal=deal, stage=stage("PREPARATION"), acting_user=manager,
                     comment=" готовим договор ")
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage.code == "PREPARATION"
    assert (stored.closed_on, stored.closed_at) == (None, None)
    [moved] = events(deal, EventKind.STAGE_CHANGED)
    assert (moved.actor, moved.text) == (manager, "готовим договор")
    assert moved.payload == {"from": ref(stage("NEW")), "to": ref(stage("PREPARATION"))}


def test_moving_to_the_same_stage_is_a_no_op(make_deal, stage):
    deal = make_deal()
    deal_move(deal=deal, stage=stage("NEW"))
    assert [e.kind for e in events(deal)] == [EventKind.CREATED]


def test_moving_to_a_stage_of_another_pipeline_moves_the_pipeline_too(make_deal, main_pipeline,
                                                                      other_pipeline):
    deal = make_deal()
    talk = other_pipeline.stages.get(code="W_TALK")
    deal_move(deal=deal, stage=talk)
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.pipeline, stored.stage) == (other_pipeline, talk)
    [moved] = events(deal, EventKind.STAGE_CHANGED)
    assert moved.payload["pipeline_from"] == ref(main_pipeline)
    assert moved.payload["pipeline_to"] == ref(other_pipeline)
    # and closing then uses the new pipeline's stages
    deal_close(deal=stored, won=True)
    assert Deal.objects.get(pk=deal.pk).stage.code == "W_WON"


def test_closing_as_won_on_a_given_date(make_deal, manager, stage):
    deal = make_deal()
    day = timezone.localdate() - dt.timedelta(days=3)
    deal_close(deal=deal, won=True, closed_on=day, acting_user=manager, comment="оплачено")
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage == stage("WON")
    assert stored.is_closed and stored.is_won
    assert stored.closed_on == day
    assert stored.closed_at is not None
    assert stored.close_reason is None
    [closed] = events(deal, EventKind.CLOSED)
    assert (closed.actor, closed.text) == (manager, "оплачено")
    assert closed.payload == {"from": ref(stage("NEW")), "to": ref(stage("WON")), "won": True,
                              "closed_on": day.isoformat(), "reason": None}


def test_closing_without_a_date_closes_today(make_deal):
    deal = deal_close(deal=make_deal(), won=True)
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.closed_on == timezone.localdate()
    assert timezone.now() - stored.closed_at < dt.timedelta(minutes=1)


def test_a_kanban_move_to_the_won_stage_closes_the_deal(make_deal, stage):
    deal = deal_move(deal=make_deal(), stage=stage("WON"))
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.closed_on == timezone.localdate()
    assert [e.kind for e in events(deal)] == [EventKind.CREATED, EventKind.CLOSED]


def test_closing_as_lost_with_a_deal_reason(make_deal, deal_reason, stage):
    deal = deal_close(deal=make_deal(), won=False, reason=deal_reason)
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage == stage("LOSE")
    assert stored.close_reason == deal_reason
    assert stored.is_closed and not stored.is_won
    [closed] = events(deal, EventKind.CLOSED)
    assert (closed.payload["won"], closed.payload["reason"]) == (False, ref(deal_reason))


def test_a_reason_is_not_kept_on_a_won_deal(make_deal, deal_reason):
    deal = deal_close(deal=make_deal(), won=True, reason=deal_reason)
    assert Deal.objects.get(pk=deal.pk).close_reason is None


@pytest.mark.parametrize("reason_kind", ["lead", "inactive"])
def test_closing_with_a_lead_or_inactive_reason_is_refused(make_deal, junk_reason, reason_kind):
    reason = junk_reason if reason_kind == "lead" else CloseReason.objects.create(
        entity="deal", code="OLD", name="Старая", is_active=False)
    deal = make_deal()
    before = snapshot(deal)
    with pytest.raises(ValidationError) as refused:
        deal_close(deal=deal, won=False, reason=reason)
    assert refused.value.message_dict == {"reason": ["Выберите причину из списка причин для сделок."]}
    assert snapshot(deal) == before
    assert events(deal, EventKind.CLOSED) == []


@pytest.mark.parametrize("days", [2, 30])
def test_closing_in_the_future_is_refused(make_deal, days, stage):
    deal = make_deal()
    before = snapshot(deal)
    future = timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(ValidationError) as refused:
        deal_close(deal=deal, won=True, closed_on=future)
    assert refused.value.message_dict == {"closed_on": ["Дата закрытия не может быть в будущем."]}
    # the same date through deal_move, which the kanban and the API call directly
    with pytest.raises(ValidationError) as refused:
        deal_move(deal=deal, stage=stage("WON"), closed_on=future)
    assert refused.value.message_dict == {"closed_on": ["Дата закрытия не может быть в будущем."]}
    assert snapshot(deal) == before
    assert events(deal, EventKind.CLOSED) == []


@pytest.mark.parametrize("won", [True, False])
def test_a_closed_deal_cannot_be_closed_again(make_deal, head, won, stage):
    deal = deal_close(deal=make_deal(), won=won)
    before = snapshot(deal)
    with pytest.raises(ValidationError) as refused:
        deal_close(deal=deal, won=not won, acting_user=head)
    assert refused.value.message_dict == {"stage": ["Сделка уже закрыта; сначала верните её в работу."]}
    assert snapshot(deal) == before
    assert len(events(deal, EventKind.CLOSED)) == 1


def test_a_manager_cannot_reopen_a_closed_deal(make_deal, manager, stage):
    deal = deal_close(deal=make_deal(), won=True, acting_user=manager)
    before = snapshot(deal)
    with pytest.raises(ValidationError) as refused:
        deal_move(deal=deal, stage=stage("EXECUTING"), acting_user=manager)
    assert refused.value.message_dict == {"stage": [
        "Сделка уже закрыта. Вернуть её в работу может только руководитель."]}
    assert snapshot(deal) == before
    assert events(deal, EventKind.STAGE_CHANGED) == []


def test_a_manager_who_sees_all_is_trusted_like_the_head(make_deal, make_user, stage):
    senior = make_user("senior", sees_all=True)
    deal = deal_close(deal=make_deal(), won=True)
    deal_move(deal=deal, stage=stage("EXECUTING"), acting_user=senior)
    assert Deal.objects.get(pk=deal.pk).stage.code == "EXECUTING"


@pytest.mark.parametrize("who", ["head", "admin_user", "system"])
def test_the_head_an_admin_or_the_system_can_reopen(make_deal, deal_reason, stage, request, who):
    actor = None if who == "system" else request.getfixturevalue(who)
    deal = deal_close(deal=make_deal(), won=False, reason=deal_reason)
    deal_move(deal=deal, stage=stage("EXECUTING"), acting_user=actor)
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage.code == "EXECUTING"
    assert (stored.closed_on, stored.closed_at, stored.close_reason) == (None, None, None)
    [reopened] = events(deal, EventKind.STAGE_CHANGED)
    assert reopened.actor == actor
    assert reopened.payload == {"from": ref(stage("LOSE")), "to": ref(stage("EXECUTING"))}


def test_closing_in_a_pipeline_without_a_success_stage_is_refused(make_deal):
    pipeline = Pipeline.objects.create(code="ONLY_WORK", name="Без успеха")
    Stage.objects.create(pipeline=pipeline, code="WORK", name="Работа", semantics=Semantics.PROCESS)
    deal = make_deal(pipeline=pipeline)
    with pytest.raises(ValidationError) as refused:
        deal_close(deal=deal, won=True)
    assert "stage" in refused.value.message_dict
    assert not Deal.objects.get(pk=deal.pk).is_closed


@pytest.mark.django_db
def test_amount_rules_accept_the_way_we_print_money():
    assert deal_amount_resolve(money_format(Decimal("1234567"))) == Decimal("1234567.00")
    assert deal_amount_resolve("15 000,50 руб.") == Decimal("15000.50")
