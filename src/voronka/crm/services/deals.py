"""Deal operations: amount rules, create, move between stages and pipelines, close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.crm.cleaning import full_clean_with_loaded_relations
from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CloseReason,
    CrmSettings,
    Deal,
    Entity,
    EventKind,
    Pipeline,
    Semantics,
    Stage,
)
from voronka.crm.services.editing import changes_save, fields_check
from voronka.crm.timeline import event_record

DEAL_EDITABLE_FIELDS = frozenset({
    "title", "amount", "currency", "contact", "company", "source", "source_description",
    "responsible", "comments", *UTM_FIELDS, *TRACKING_FIELDS,
})
DEAL_CREATE_ONLY_FIELDS = frozenset({
    "lead", "first_touch_source", "upsell_manager", "parent_deal", "is_repeat",
})


def money_format(amount: Decimal) -> str:
    """`1 234 567 ₽` with narrow no-break spaces between thousands, as Russians write it."""
    whole = amount.quantize(Decimal("1")) if amount == amount.to_integral() else amount
    text = f"{whole:,}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0₽"


def deal_amount_resolve(amount: Any, rules: CrmSettings | None = None) -> Decimal:
    """Apply the company's amount rules (seed 000); refuse with a Russian message."""
    rules = rules or CrmSettings.load()
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        if rules.amount_required:
            hint = (_(" Если сумма пока неизвестна, поставьте минимальную: %(min)s.")
                    % {"min": money_format(rules.minimum_amount)}
                    if rules.minimum_amount > 0 else "")
            raise ValidationError({"amount": _("Укажите сумму сделки.") + hint})
        amount = Decimal("0")
    if isinstance(amount, bool):
        raise ValidationError({"amount": _("Сумма сделки должна быть числом.")})
    try:
        # Accept what people paste, including our own `1 234 567 ₽` (narrow no-break spaces).
        text = str(amount).replace("₽", "").replace("руб.", "")
        for space in (" ", "\u00a0", "\u202f", "\u2009"):
            text = text.replace(space, "")
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"amount": _("Сумма сделки должна быть числом.")}) from None
    if not value.is_finite():
        raise ValidationError({"amount": _("Сумма сделки должна быть числом.")})
    if value < 0:
        raise ValidationError({"amount": _("Сумма сделки не может быть отрицательной.")})
    if value >= Decimal("1e12"):
        raise ValidationError({"amount": _("Слишком большая сумма сделки.")})
    value = value.quantize(Decimal("0.01"))
    if value >= Decimal("1e12"):  # 999999999999.995 rounds up past what the field holds
        raise ValidationError({"amount": _("Слишком большая сумма сделки.")})
    if value == 0 and rules.zero_becomes_one:
        return Decimal("1.00")
    if value < rules.minimum_amount:
        raise ValidationError({"amount": _(
            "Сумма сделки меньше минимальной (%(min)s). Если точная сумма неизвестна, "
            "поставьте минимальную и уточните её позже."
        ) % {"min": money_format(rules.minimum_amount)}})
    return value


def _stage_in(pipeline: Pipeline, stage: Stage | None) -> Stage:
    if stage is None:
        return pipeline.first_stage()
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("Стадия «%(stage)s» не из направления «%(pipeline)s».")
                               % {"stage": stage.name, "pipeline": pipeline.name}})
    return stage


def pipeline_default() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        raise ValidationError(_("Не создано ни одного направления сделок."))
    return pipeline


@transaction.atomic
def deal_create(
    *,
    title: str,
    amount: Any,
    acting_user=None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    custom_fields: dict[str, Any] | None = None,
    created_at: dt.datetime | None = None,
    event_text: str = "",
    **fields: Any,
) -> Deal:
    fields_check(fields, DEAL_EDITABLE_FIELDS | DEAL_CREATE_ONLY_FIELDS, "deal")
    if not (title or "").strip():
        raise ValidationError({"title": _("Укажите название сделки.")})
    pipeline = pipeline or (stage.pipeline if stage else pipeline_default())
    stage = _stage_in(pipeline, stage)
    if stage.semantics != Semantics.PROCESS:
        raise ValidationError({"stage": _("Сделка создаётся в рабочей стадии, не в закрытой.")})
    contact = fields.get("contact")
    if contact is not None and "first_touch_source" not in fields:
        fields["first_touch_source"] = contact.first_touch_source
    deal = Deal(
        title=title.strip()[:255], amount=deal_amount_resolve(amount), pipeline=pipeline,
        stage=stage, created_by=acting_user,
        custom_fields=custom_fields_clean(entity=Entity.DEAL, values=custom_fields),
        **fields,
    )
    if created_at is not None:
        deal.created_at = created_at
    full_clean_with_loaded_relations(deal)
    deal.save()
    event_record(
        EventKind.CREATED, actor=acting_user, deal=deal, contact=deal.contact,
        company=deal.company, text=event_text, created_at=deal.created_at,
        payload={"amount": deal.amount, "stage": stage, "source": deal.source},
    )
    return deal


def _lock(deal: Deal) -> Deal:
    # Without select_related, for the reasons given in leads._lock.
    return Deal.objects.select_for_update().get(pk=deal.pk)


@transaction.atomic
def deal_update(
    *, deal: Deal, acting_user=None, custom_fields: dict[str, Any] | None = None, **changes: Any
) -> Deal:
    fields_check(changes, DEAL_EDITABLE_FIELDS, "deal")
    deal = _lock(deal)
    if "amount" in changes:
        changes["amount"] = deal_amount_resolve(changes["amount"])
    if custom_fields is not None:
        changes["custom_fields"] = custom_fields_clean(
            entity=Entity.DEAL, values=custom_fields, existing=deal.custom_fields)
    changes_save(deal, changes, acting_user=acting_user, timeline_owner="deal")
    return deal


@transaction.atomic
def deal_move(
    *,
    deal: Deal,
    stage: Stage,
    acting_user=None,
    closed_on: dt.date | None = None,
    reason: CloseReason | None = None,
    comment: str = "",
) -> Deal:
    """Move a deal to a stage, possibly of another pipeline; a final stage closes it.

    A closed deal goes back into work only by the head of sales or an admin: otherwise a
    manager could quietly reopen a won deal and make the revenue report lie.
    """
    deal = _lock(deal)
    old_stage = deal.stage
    if old_stage.pk == stage.pk:
        return deal
    if reason is not None and (reason.entity != Entity.DEAL or not reason.is_active):
        raise ValidationError({"reason": _("Выберите причину из списка причин для сделок.")})
    reopening = old_stage.semantics != Semantics.PROCESS and stage.semantics == Semantics.PROCESS
    if reopening and not (acting_user is None or acting_user.can_see_all):
        raise ValidationError({"stage": _(
            "Сделка уже закрыта. Вернуть её в работу может только руководитель.")})
    if old_stage.semantics != Semantics.PROCESS and stage.semantics != Semantics.PROCESS:
        raise ValidationError({"stage": _("Сделка уже закрыта; сначала верните её в работу.")})
    # Checked here, not only in deal_close: the kanban and the API move deals directly.
    if (stage.semantics != Semantics.PROCESS and closed_on is not None
            and closed_on > timezone.localdate() + dt.timedelta(days=1)):
        raise ValidationError({"closed_on": _("Дата закрытия не может быть в будущем.")})
    now = timezone.now()
    deal.stage, deal.pipeline = stage, stage.pipeline
    if stage.semantics == Semantics.PROCESS:
        deal.closed_on, deal.closed_at, deal.close_reason = None, None, None
    else:
        deal.closed_at = now
        deal.closed_on = closed_on or timezone.localdate(now)
        deal.close_reason = reason if stage.semantics == Semantics.FAILURE else None
    deal.save(update_fields=["stage", "pipeline", "closed_on", "closed_at", "close_reason",
                             "updated_at"])
    payload = {"from": old_stage, "to": stage}
    if old_stage.pipeline_id != stage.pipeline_id:
        payload["pipeline_from"], payload["pipeline_to"] = old_stage.pipeline, stage.pipeline
    kind = EventKind.STAGE_CHANGED
    if stage.semantics != Semantics.PROCESS:
        kind = EventKind.CLOSED
        payload.update(won=stage.semantics == Semantics.SUCCESS, closed_on=deal.closed_on,
                       reason=deal.close_reason)
    event_record(kind, actor=acting_user, deal=deal, text=comment.strip(), payload=payload)
    return deal


def deal_close(
    *,
    deal: Deal,
    won: bool,
    acting_user=None,
    closed_on: dt.date | None = None,
    reason: CloseReason | None = None,
    comment: str = "",
) -> Deal:
    """Close a deal as won or lost on a date, at its pipeline's success or failure stage."""
    semantics = Semantics.SUCCESS if won else Semantics.FAILURE
    stage = deal.pipeline.stages.filter(semantics=semantics).order_by("sort", "id").first()
    if stage is None:
        raise ValidationError({"stage": _("В направлении нет стадии «%(s)s».")
                               % {"s": semantics.label}})
    return deal_move(deal=deal, stage=stage, acting_user=acting_user, closed_on=closed_on,
                     reason=reason, comment=comment)
