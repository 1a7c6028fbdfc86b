"""Browser journeys of the lead screens (the screenshots come from test_screens.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from voronka.crm.models import Deal, Lead

pytestmark = pytest.mark.browser


def test_inbox_on_desktop_and_phone_and_bulk_junk(browser_page, make_lead, manager,
                                                  junk_reason):
    make_lead(title="Звонок с Авито", sla_deadline=timezone.now() - dt.timedelta(minutes=20))
    make_lead(title="Заявка с сайта", sla_deadline=timezone.now() + dt.timedelta(minutes=40))
    page = browser_page(manager)
    page.goto("/leads/")
    page.get_by_text("Звонок с Авито").wait_for()
    assert page.locator(".sla--overdue").count() == 1
    phone = browser_page(manager, width=375, height=800)
    phone.goto("/leads/")
    phone.get_by_text("Заявка с сайта").wait_for()
    page.check(f"#pick-{Lead.objects.get(title='Звонок с Авито').pk}")
    page.select_option("#bulk-reason", str(junk_reason.pk))
    page.get_by_role("button", name="Закрыть как некачественные").click()
    page.get_by_text("Закрыто: 1 лид.").wait_for()
    assert Lead.objects.get(title="Звонок с Авито").status.code == "JUNK"


def test_inline_edit_on_the_card(browser_page, make_lead, manager):
    lead = make_lead(title="Ремонт квартиры", emails=("ivan@example.ru",))
    page = browser_page(manager)
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_label("Изменить: название", exact=True).click()
    page.locator("#edit-title-value").fill("Ремонт кухни")
    page.get_by_role("button", name="Сохранить").click()
    page.locator("#f-title").get_by_text("Ремонт кухни").wait_for()
    lead.refresh_from_db()
    assert lead.title == "Ремонт кухни"


def test_convert_wizard_for_a_legal_entity(browser_page, make_lead, manager):
    lead = make_lead(title="Офис на Тверской", name="Иван", phones=("8 900 123-45-67",),
                     emails=("office@romashka.ru",), amount=Decimal("300000"))
    page = browser_page(manager)
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_role("link", name="Конвертировать в сделку").click()
    company_part = page.locator(".convert__company")
    assert company_part.is_hidden()  # a person: no company questions
    work_email = page.locator("fieldset.choice-row", has_text="office@romashka.ru")
    assert work_email.get_by_label("контакту").is_checked()
    page.get_by_label("Юридическое лицо").check()
    expect(company_part).to_be_visible()
    assert work_email.get_by_label("компании").is_checked()  # a work address: the company's
    page.get_by_label("Название новой компании").fill("ООО Ромашка")
    page.get_by_role("button", name="Создать сделку").click()
    page.get_by_text("Лид сконвертирован").wait_for()
    deal = Deal.objects.select_related("company").get(lead=lead)
    assert deal.company.title == "ООО Ромашка" and deal.amount == Decimal("300000.00")
