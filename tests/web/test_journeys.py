"""The six journeys of the workspace, end to end in Debian's Chromium (issue 5, "Proof").

1. A manager logs in, sees a new call lead with its SLA clock, closes it as junk with a reason.
2. A manager converts a web-form lead of a legal entity into contact + company + deal, the
   work phone going to the company; the deal shows the lead's UTM.
3. A manager drags a deal from stage to stage, then to won.
4. A manager opens another manager's lead by URL and gets a 404.
5. An admin deprecates a lead status: it is greyed and cannot be chosen.
6. The head of sales finds a client by `8 900 123-45-67`.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.intake.conftest import call_event
from tests.web.kanban import drag
from voronka.crm.models import Deal, Lead, LeadStatus, Semantics
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_create
from voronka.intake.models import TelephonyConnection
from voronka.intake.services.events import inbound_event_store, process_event
from voronka.webforms.models import FormField, WebForm

pytestmark = pytest.mark.browser
PASSWORD = "pass-Voronka-2026"  # tests/conftest.py make_user


def _incoming_missed_call(client_number: str) -> Lead:
    """A call as the PBX reports it, through the intake (stored event → process_event)."""
    TelephonyConnection.objects.create(provider="mango", slug="office", api_key="k", salt="s")
    for seq, state in ((1, "Appeared"), (2, "Disconnected")):
        event, _ = inbound_event_store(
            channel="call", provider="mango", connection="office", kind="call",
            idempotency_key=f"call:J1:{seq}",
            payload=call_event("J1", seq, state, client=client_number, call_id="J1"))
        process_event(event)
    return Lead.objects.get()


def test_1_manager_logs_in_sees_the_call_lead_and_closes_it_as_junk(browser_page, manager,
                                                                    junk_reason):
    lead = _incoming_missed_call("79001234567")
    Lead.objects.filter(pk=lead.pk).update(responsible=manager)  # whoever was on duty: ours
    page = browser_page()
    page.goto("/login/")
    page.get_by_label("Имя пользователя").fill(manager.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Лиды", exact=True).click()
    row = page.locator("tr", has_text="+7 900 123-45-67")
    assert "осталось" in row.locator(".sla").inner_text()
    row.get_by_role("link").first.click()
    page.locator("#junk-reason").select_option(str(junk_reason.pk))
    page.get_by_role("button", name="Закрыть как некачественный").click()
    page.get_by_text("Лид закрыт как некачественный.").wait_for()
    lead.refresh_from_db()
    assert lead.status.semantics == Semantics.FAILURE and lead.junk_reason == junk_reason


def test_2_web_form_lead_of_a_company_becomes_contact_company_and_deal(browser_page, manager,
                                                                       source):
    cache.clear()  # the form's rate limits count in the cache
    form = WebForm.objects.create(slug="kuhni", name="Заявка на кухню", source=source,
                                  min_fill_seconds=0, require_consent=False)
    for sort, (name, label, kind, maps_to) in enumerate([
            ("name", "Имя", "text", "name"), ("company", "Компания", "text", "company_title"),
            ("phone", "Рабочий телефон", "phone", ""), ("mobile", "Мобильный", "phone", "")]):
        FormField.objects.create(form=form, name=name, label=label, field_type=kind,
                                 required=True, maps_to=maps_to, sort=sort)
    visitor = browser_page()
    visitor.goto("/forms/kuhni/?utm_source=yandex&utm_medium=cpc&utm_campaign=kuhni-moskva")
    visitor.get_by_label("Имя").fill("Иван")
    visitor.get_by_label("Компания").fill("ООО Ромашка")
    visitor.get_by_label("Рабочий телефон").fill("+7 495 123-45-67")
    visitor.get_by_label("Мобильный").fill("8 900 765-43-21")
    visitor.get_by_role("button", name="Отправить").click()
    visitor.get_by_text("Спасибо").wait_for()
    lead = Lead.objects.get()
    assert lead.utm_source == "yandex"
    Lead.objects.filter(pk=lead.pk).update(responsible=manager)

    page = browser_page(manager)
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_role("link", name="Конвертировать в сделку").click()
    assert page.get_by_label("Юридическое лицо").is_checked()  # the lead names a company
    page.get_by_label("Сумма сделки, ₽").fill("250 000")
    page.get_by_role("button", name="Создать сделку").click()
    page.get_by_text("Лид сконвертирован").wait_for()
    page.get_by_text("kuhni-moskva", exact=True).wait_for()  # the deal card shows the lead's UTM
    deal = Deal.objects.select_related("company", "contact").get()
    assert deal.company.title == "ООО Ромашка" and deal.contact.company == deal.company
    assert list(deal.company.communications.values_list("normalized", flat=True)) == [
        "+74951234567"]
    assert list(deal.contact.communications.values_list("normalized", flat=True)) == [
        "+79007654321"]


def test_3_manager_drags_a_deal_through_the_stages_to_won(browser_page, manager, main_pipeline):
    stages = {s.code: s for s in main_pipeline.stages.all()}
    deal = deal_create(title="Кухня Петровых", amount="1234567", acting_user=manager,
                       responsible=manager)
    page = browser_page(manager, width=2100)  # every column on screen, so the mouse reaches it
    page.goto("/deals/")
    page.wait_for_load_state("networkidle")
    for code in ("PREPARATION", "EXECUTING", "WON"):
        drag(page, deal.pk, stages[code].pk)
        # the column's head is redrawn from the server's answer once the move is saved
        page.locator(f'#kanban-head-{stages[code].pk}').get_by_text("1 сделка").wait_for()
        page.wait_for_load_state("networkidle")  # the other column heads are redrawn too
        deal.refresh_from_db()
        assert deal.stage_id == stages[code].pk, code
    assert deal.stage.semantics == Semantics.SUCCESS and deal.closed_on is not None


def test_4_another_managers_lead_by_url_is_404(browser_page, make_lead, manager, other_manager):
    lead = make_lead(title="Чужой лид")
    page = browser_page(other_manager)
    response = page.goto(f"/leads/{lead.pk}/")
    assert response.status == 404
    assert "Чужой лид" not in page.content()


def test_5_admin_deprecates_a_status_and_it_cannot_be_chosen(browser_page, admin_user, make_lead,
                                                             manager):
    status = LeadStatus.objects.get(code="IN_PROCESS")
    page = browser_page(admin_user)
    page.goto("/settings/statuses/")
    page.get_by_role("button", name=f"Сделать устаревшим {status.name}").click()
    page.locator("tr", has_text=status.name).get_by_text("Не использовать", exact=True).wait_for()
    status.refresh_from_db()
    assert status.deprecated
    lead = make_lead(title="Проверка статуса")
    card = browser_page(manager)
    card.goto(f"/leads/{lead.pk}/")
    option = card.locator(f'#status-select option[value="{status.pk}"]')
    assert option.is_disabled()
    assert "deprecated" in option.get_attribute("class")


def test_6_head_of_sales_finds_a_client_by_phone_as_typed(browser_page, head, make_lead, manager):
    lead = make_lead(title="Офис на Тверской", name="Иван", last_name="Петров",
                     phones=("+7 900 123-45-67",), company_title="ООО Ромашка", amount="300000")
    result = lead_convert(lead=lead, acting_user=manager, legal_entity=True)
    page = browser_page(head)
    page.goto("/")
    page.get_by_role("searchbox").fill("8 900 123-45-67")
    suggestions = page.locator(".search-suggest")
    suggestions.get_by_text("Петров").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.get_by_role("link", name="Петров Иван").click()
    page.wait_for_url(f"**/contacts/{result.contact.pk}/")
    page.get_by_role("link", name="ООО Ромашка").first.click()
    page.wait_for_url(f"**/companies/{result.company.pk}/")
