"""«Создать копию ЛИД + Сделка» (issue #7 §3, seed 003): repeat leads and deals from a won deal.

A client whose deal was won orders more (other trucks, other services). From that
"mother" deal the manager makes N copies at once. Each copy is a lead already converted
into its deal, both with the mother's client, source, UTM and tracking, custom fields and
responsible manager, so nobody has to reassign them. Whoever started the process is the
upsell manager of every copy (bonuses, the managers report). One comment on the mother
deal and on the client's timeline links every copy.

A robot starts it without a person: then the upsell manager is the mother deal's
responsible, since the robot works on their deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.accounts.models import User
from voronka.automation.processes.base import Param, Process, ProcessResult
from voronka.crm.custom_fields import custom_fields_carry_over
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CrmSettings,
    Deal,
    Entity,
    EventKind,
    Lead,
    LeadStatus,
    Semantics,
    Stage,
)
from voronka.crm.selectors import deals_visible_to
from voronka.crm.services.deals import deal_amount_resolve, deal_create
from voronka.crm.services.leads import lead_create, lead_status_for
from voronka.crm.timeline import event_record

NAME = "repeat-lead-deal"
LABEL = gettext_lazy("Создать копию ЛИД + Сделка")
MAX_COPIES = 100
TITLE_MAX = 255
MAX_ID = 2**63 - 1  # where SQLite and PostgreSQL ids stop: a bigger one is a refusal, not a 500


def default_title(deal_id: int) -> str:
    return _("повторный лид из сделки №%(id)s") % {"id": deal_id}


@dataclass
class RepeatRun:
    mother: Deal
    titles: list[str]
    acting_user: User | None
    upsell_manager: User | None
    amount: Decimal
    stage: Stage
    converted: LeadStatus
    leads: list[Lead] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)

    def result(self) -> ProcessResult:
        return ProcessResult(
            summary=_("создано копий ЛИД + Сделка: %(n)s из сделки №%(id)s")
            % {"n": len(self.deals), "id": self.mother.pk},
            created={"leads": [lead.pk for lead in self.leads],
                     "deals": [deal.pk for deal in self.deals]})


# -- preparation: read and check, write nothing ------------------------------------------

def _whole_number(value: Any) -> int | None:
    """An int from JSON or a form; robots' JSON may hold "3". Booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # isdecimal, not isdigit: "²" is a digit that int() refuses
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _titles(value: Any, count: int, deal_id: int) -> list[str]:
    if value is None:
        return [default_title(deal_id)] * count
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValidationError({"titles": _("Названия копий — список строк.")})
    titles = [title.strip() for title in value]
    if len(titles) != count:
        raise ValidationError({"titles": _(
            "Названий %(got)s, а копий %(count)s: дайте по одному названию на каждую копию "
            "или не указывайте названия вовсе.") % {"got": len(titles), "count": count}})
    if not all(titles):
        raise ValidationError({"titles": _("Название копии не может быть пустым.")})
    long = next((title for title in titles if len(title) > TITLE_MAX), None)
    if long is not None:
        raise ValidationError({"titles": _("Название копии длиннее %(max)s знаков: «%(t)s…».")
                               % {"max": TITLE_MAX, "t": long[:40]}})
    return titles


def _deals_for(acting_user: User | None) -> QuerySet[Deal]:
    # A robot (no person) acts on the deal it runs for; a person only on deals they can see.
    deals = Deal.objects.all() if acting_user is None else deals_visible_to(acting_user)
    return deals.select_related("stage", "pipeline", "contact", "company", "responsible",
                                "source", "first_touch_source")


def prepare(acting_user: User | None, params: dict) -> RepeatRun:
    """Raises ValidationError for bad parameters or a deal that is not won, and
    Deal.DoesNotExist for a deal the user may not see (the API and the pages answer 404)."""
    deal_id, count = _whole_number(params.get("deal_id")), _whole_number(params.get("count"))
    errors = {}
    if deal_id is None or not 1 <= deal_id <= MAX_ID:
        errors["deal_id"] = _("Укажите сделку, из которой делать копии (deal_id).")
    if count is None or not 1 <= count <= MAX_COPIES:
        errors["count"] = _("Количество копий — целое число от 1 до %(max)s.") % {"max": MAX_COPIES}
    if errors:
        raise ValidationError(errors)
    titles = _titles(params.get("titles"), count, deal_id)
    mother = _deals_for(acting_user).get(pk=deal_id)
    if mother.stage.semantics != Semantics.SUCCESS:
        raise ValidationError({"deal_id": _(
            "Копии делаются только из успешной сделки, а сделка №%(id)s в стадии «%(stage)s».")
            % {"id": mother.pk, "stage": mother.stage.name}})
    rules = CrmSettings.load()
    return RepeatRun(
        mother=mother, titles=titles, acting_user=acting_user,
        upsell_manager=acting_user or mother.responsible,
        # The copy's price is not known yet: the company's rule for an unknown amount decides.
        amount=deal_amount_resolve(rules.deal_amount_or_minimum(None), rules),
        stage=mother.pipeline.first_stage(),
        converted=lead_status_for(Semantics.SUCCESS, "CONVERTED"))


# -- the steps -----------------------------------------------------------------------------

def mother_lock(run: RepeatRun) -> None:
    """Lock the mother deal, so that two starts on it queue up and it is not reopened while
    its copies are made. Without a join under FOR UPDATE: see crm.services.leads._lock."""
    stage_id = Deal.objects.select_for_update().values_list("stage_id", flat=True).get(
        pk=run.mother.pk)
    if stage_id != run.mother.stage_id:
        raise ValidationError({"deal_id": _("Сделка №%(id)s только что сменила стадию; "
                                            "откройте её заново.") % {"id": run.mother.pk}})


def _origin(mother: Deal) -> dict[str, Any]:
    """What every copy takes from the mother: the client, where it came from, its manager."""
    return {"contact": mother.contact, "company": mother.company, "source": mother.source,
            "source_description": mother.source_description, "responsible": mother.responsible,
            "currency": mother.currency,
            **{name: getattr(mother, name) for name in (*UTM_FIELDS, *TRACKING_FIELDS)}}


def _person(mother: Deal) -> dict[str, str]:
    """The client's name on the lead too, as lists and search show a lead by it."""
    contact, company = mother.contact, mother.company
    person = {name: getattr(contact, name) for name in ("name", "last_name", "second_name", "post")
              } if contact else {}
    return {**person, "company_title": company.title if company else ""}


def _lead_converted(run: RepeatRun, lead: Lead, deal: Deal) -> None:
    """The lead's side of a conversion, as crm.services.conversion.lead_convert does it.

    lead_convert itself does not fit: the client already exists here, and for a mother deal
    without a contact it would make one up from the lead's title.
    """
    old, now = lead.status, timezone.now()
    lead.status, lead.closed_at, lead.first_handled_at = run.converted, now, now
    lead.save(update_fields=["status", "closed_at", "first_handled_at", "updated_at"])
    # On the lead and the deal only: the client's timeline gets the one summary comment.
    event_record(EventKind.CONVERTED, actor=run.acting_user, lead=lead, deal=deal, payload={
        "from": old, "to": run.converted, "deal": deal, "contact": deal.contact,
        "company": deal.company, "contact_created": False, "company_created": False})


def copies_create(run: RepeatRun) -> None:
    mother = run.mother
    origin = _origin(mother)
    # The client's first source: deal_create takes it from the contact when there is one.
    first_touch = {} if mother.contact_id else {"first_touch_source": mother.first_touch_source}
    event_text = _("Бизнес-процесс «%(p)s» из сделки №%(id)s") % {"p": LABEL, "id": mother.pk}
    lead_custom = custom_fields_carry_over(mother.custom_fields, to_entity=Entity.LEAD)
    for title in run.titles:
        lead = lead_create(
            acting_user=run.acting_user, title=title, amount=run.amount, is_repeat=True,
            custom_fields=lead_custom, enforce_required=False, event_text=event_text,
            **origin, **_person(mother))
        deal = deal_create(
            title=title, amount=run.amount, acting_user=run.acting_user,
            pipeline=mother.pipeline, stage=run.stage, custom_fields=mother.custom_fields,
            event_text=event_text, lead=lead, parent_deal=mother, is_repeat=True,
            upsell_manager=run.upsell_manager, **origin, **first_touch)
        _lead_converted(run, lead, deal)
        run.leads.append(lead)
        run.deals.append(deal)


def mother_comment(run: RepeatRun) -> None:
    """One comment on the mother deal and on the client (the company, else the contact)."""
    mother = run.mother
    client = {"company": mother.company} if mother.company_id else {"contact": mother.contact}
    who = run.upsell_manager.display_name if run.upsell_manager else "—"
    lines = [_("Бизнес-процесс «%(p)s»: создано копий — %(n)s. Менеджер допродажи: %(who)s.")
             % {"p": LABEL, "n": len(run.deals), "who": who}]
    # Numbers only: the timeline turns the payload's ids into links.
    lines += [_("%(i)s. Сделка №%(deal)s · лид №%(lead)s")
              % {"i": index, "deal": deal.pk, "lead": lead.pk}
              for index, (lead, deal) in enumerate(zip(run.leads, run.deals, strict=True), 1)]
    event_record(EventKind.COMMENT, actor=run.acting_user, deal=mother, **client,
                 text="\n".join(lines), payload={
                     "process": NAME, "upsell_manager": run.upsell_manager,
                     "deals": [deal.pk for deal in run.deals],
                     "leads": [lead.pk for lead in run.leads]})


REPEAT_LEAD_DEAL = Process(
    name=NAME,
    label=LABEL,
    description=gettext_lazy(
        "Из успешной сделки создаёт N сконвертированных повторных лидов и N сделок с тем же "
        "клиентом, источником, UTM-метками и ответственным; запустивший записывается "
        "менеджером допродажи."),
    params=(
        Param("deal_id", gettext_lazy("Материнская сделка"), "integer",
              help=gettext_lazy("Успешная сделка, из которой делаются копии.")),
        Param("count", gettext_lazy("Количество копий"), "integer", minimum=1, maximum=MAX_COPIES),
        Param("titles", gettext_lazy("Названия копий"), "array[string]", required=False,
              help=gettext_lazy("По одному на копию, не длиннее 255 знаков. По умолчанию — "
                                "«повторный лид из сделки №…».")),
    ),
    prepare=prepare,
    steps=(mother_lock, copies_create, mother_comment),
)
