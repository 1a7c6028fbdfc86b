"""The demo rows are what the CRM would hold after a year of real work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from tests.demo.conftest import NOW
from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    Company,
    Contact,
    Deal,
    EventKind,
    Lead,
    Semantics,
    TimelineEvent,
)
from voronka.crm.requisites import inn_is_valid, ogrn_is_valid

WEB_SOURCES = {"SITE", "YANDEX_DIRECT", "SEO", "SOCIAL"}


def test_junk_is_80_to_95_percent_of_closed_leads(demo):
    junk = Lead.objects.filter(status__code="JUNK").count()
    converted = Lead.objects.filter(status__code="CONVERTED").count()
    assert 0.80 <= junk / (junk + converted) <= 0.95
    junk_leads = Lead.objects.filter(status__code="JUNK")
    assert not junk_leads.filter(Q(junk_reason__isnull=True) | Q(closed_at__isnull=True)).exists()
    assert set(junk_leads.values_list("junk_reason__entity", flat=True)) == {"lead"}
    assert junk_leads.values("junk_reason").distinct().count() >= 4


def test_every_lead_has_a_source_a_responsible_and_sane_times(demo):
    assert not Lead.objects.filter(Q(source__isnull=True) | Q(responsible__isnull=True)).exists()
    for lead in Lead.objects.select_related("status"):
        assert lead.created_at <= NOW
        if lead.first_handled_at is not None:
            assert lead.created_at < lead.first_handled_at <= NOW
        if lead.status.semantics == Semantics.PROCESS:
            assert lead.closed_at is None
            assert lead.contact_id is None or lead.is_repeat
        else:
            assert lead.first_handled_at <= lead.closed_at <= NOW
    sources = set(Lead.objects.values_list("source__code", flat=True))
    assert {"AVITO", "2GIS", "YANDEX_MAPS", "YANDEX_DIRECT", "SITE", "SEO"} <= sources
    assert Lead.objects.values("responsible").distinct().count() == 4


def test_some_leads_are_open_mostly_recent_ones(demo):
    open_leads = Lead.objects.filter(status__semantics=Semantics.PROCESS)
    assert open_leads.filter(status__code="NEW", first_handled_at__isnull=True).exists()
    assert open_leads.filter(status__code="IN_PROCESS", first_handled_at__isnull=False).exists()
    recent = Lead.objects.filter(created_at__gte=NOW - dt.timedelta(days=7))
    old = Lead.objects.filter(created_at__lt=NOW - dt.timedelta(days=60))
    share = lambda qs: qs.filter(status__semantics=Semantics.PROCESS).count() / qs.count()  # noqa: E731
    assert share(recent) > 3 * share(old)


def test_leads_span_twelve_months_up_to_now(demo):
    first = Lead.objects.order_by("created_at").first().created_at
    assert NOW - dt.timedelta(days=366) < first < NOW - dt.timedelta(days=330)
    assert Lead.objects.filter(created_at__gte=NOW - dt.timedelta(days=1)).exists()


def test_web_leads_carry_utm_tags(demo):
    direct = Lead.objects.filter(source__code="YANDEX_DIRECT")
    assert direct.exists()
    assert not direct.exclude(utm_source="yandex", utm_medium="cpc").exclude(utm_campaign="").exists()
    for code in WEB_SOURCES:
        assert not Lead.objects.filter(source__code=code, utm_source="").exists(), code
    assert not Lead.objects.filter(source__code="AVITO").exclude(utm_source="").exists()


def test_converted_leads_link_contact_and_deal_that_keep_source_and_utm(demo):
    converted = Lead.objects.filter(status__code="CONVERTED").prefetch_related("deals")
    assert converted.count() > 20
    for lead in converted:
        assert lead.contact_id is not None
        (deal,) = lead.deals.all()
        assert deal.contact_id == lead.contact_id and deal.company_id == lead.company_id
        assert deal.source_id == lead.source_id and deal.responsible_id == lead.responsible_id
        for name in (*UTM_FIELDS, *TRACKING_FIELDS):
            assert getattr(deal, name) == getattr(lead, name), name
        assert deal.is_repeat == lead.is_repeat
        assert deal.created_at == lead.closed_at
    assert Lead.objects.filter(status__code="CONVERTED", company__isnull=False).exists()
    assert Lead.objects.filter(status__code="CONVERTED", company__isnull=True).exists()
    assert Deal.objects.filter(utm_campaign__gt="").exists()


def test_companies_have_valid_requisites_and_all_rows_pass_model_validation(demo):
    assert Company.objects.exists()
    for company in Company.objects.all():
        assert inn_is_valid(company.inn) and ogrn_is_valid(company.ogrn)
        assert bool(company.kpp) == (len(company.inn) == 10)  # sole traders have no КПП
        company.full_clean()
    for model in (Contact, Lead, Deal):
        for row in model.objects.all()[:150]:
            row.full_clean()


def test_deals_are_in_the_main_pipeline_across_its_stages(demo):
    deals = Deal.objects.select_related("stage")
    assert set(deals.values_list("pipeline__code", flat=True)) == {"MAIN"}
    stages = set(deals.values_list("stage__code", flat=True))
    assert {"WON", "LOSE"} <= stages and len(stages - {"WON", "LOSE"}) >= 2
    for deal in deals:
        assert isinstance(deal.amount, Decimal) and Decimal(1) <= deal.amount <= Decimal(300_000)
        semantics = deal.stage.semantics
        if semantics == Semantics.PROCESS:
            assert deal.closed_on is None and deal.closed_at is None
        else:
            assert deal.created_at < deal.closed_at <= NOW
            assert deal.closed_on == timezone.localdate(deal.closed_at)
        if semantics == Semantics.FAILURE:
            assert deal.close_reason.entity == "deal"
        else:
            assert deal.close_reason_id is None
    amounts = deals.values_list("amount", flat=True)
    assert min(amounts) >= 3000 and max(amounts) > 50_000


def test_contacts_first_touch_is_their_earliest_lead(demo):
    contacts = Contact.objects.annotate(n=Count("leads"))
    assert contacts.filter(n__gt=1).exists()  # returning clients
    for contact in contacts:
        first = contact.leads.order_by("created_at").first()
        assert contact.first_touch_source_id == first.source_id
        assert contact.first_touch_at == first.created_at
        for deal in contact.deals.all():
            assert deal.first_touch_source_id == contact.first_touch_source_id


def test_returning_clients_make_repeat_deals(demo):
    repeat = Deal.objects.filter(is_repeat=True, parent_deal__isnull=True).select_related("lead")
    assert repeat.exists()
    for deal in repeat:
        assert deal.lead.is_repeat and deal.contact_id == deal.lead.contact_id
        earlier_win = Deal.objects.filter(contact=deal.contact_id, stage__code="WON",
                                          closed_at__lt=deal.lead.created_at)
        assert earlier_win.exists()
        created = deal.lead.events.get(kind=EventKind.CREATED)
        assert created.contact_id == deal.contact_id  # known at once: a repeat request


def test_business_process_copies_point_at_a_won_mother_deal(demo):
    copies = Deal.objects.filter(parent_deal__isnull=False).select_related("parent_deal__stage",
                                                                           "lead")
    assert copies.exists()
    for copy in copies:
        mother = copy.parent_deal
        assert copy.is_repeat and copy.upsell_manager_id is not None
        assert mother.stage.code == "WON" and mother.closed_at < copy.created_at
        assert (copy.contact_id, copy.company_id, copy.source_id, copy.responsible_id) == (
            mother.contact_id, mother.company_id, mother.source_id, mother.responsible_id)
        assert copy.utm_campaign == mother.utm_campaign
        assert copy.lead.is_repeat and copy.lead.status.code == "CONVERTED"
        notes = mother.events.filter(kind=EventKind.SYSTEM)
        assert any(copy.pk in [c["id"] for c in e.payload["copies"]] for e in notes)


def test_every_lead_and_deal_has_its_timeline(demo):
    leads = Lead.objects.annotate(
        created=Count("events", filter=Q(events__kind=EventKind.CREATED)),
        closed=Count("events", filter=Q(events__kind=EventKind.CLOSED)),
        converted=Count("events", filter=Q(events__kind=EventKind.CONVERTED)),
    ).select_related("status")
    for lead in leads:
        assert lead.created == 1
        assert lead.closed == (lead.status.code == "JUNK")
        assert lead.converted == (lead.status.code == "CONVERTED")
    deals = Deal.objects.annotate(
        created=Count("events", filter=Q(events__kind=EventKind.CREATED)),
        closed=Count("events", filter=Q(events__kind=EventKind.CLOSED)),
    ).select_related("stage")
    for deal in deals:
        assert deal.created == 1
        assert deal.closed == (deal.stage.semantics != Semantics.PROCESS)
    kinds = set(TimelineEvent.objects.values_list("kind", flat=True))
    assert {EventKind.STATUS_CHANGED, EventKind.STAGE_CHANGED, EventKind.COMMENT} <= kinds
    assert not TimelineEvent.objects.filter(created_at__gt=NOW).exists()
    status_changes = TimelineEvent.objects.filter(kind=EventKind.STATUS_CHANGED)
    assert {(e.payload["from"]["name"], e.payload["to"]["name"]) for e in status_changes} == {
        ("Новый", "В работе")}
