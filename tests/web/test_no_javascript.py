"""The workspace works with JavaScript off (only drag and drop and live updates need it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from voronka.crm.models import Deal, EventKind, Semantics, TimelineEvent

pytestmark = pytest.mark.browser


def test_filter_comment_and_convert_without_javascript(chromium, live_server, make_lead, manager):
    lead = make_lead(title="Без скриптов", name="Иван", company_title="ООО Ромашка",
                     phones=("+7 495 123-45-67",), amount=Decimal("5000"))
    make_lead(title="Другой лид", phones=("+7 900 000-00-01",))
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url,
                                   locale="ru-RU")
    session = Client()
    session.force_login(manager)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": session.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/leads/")
        page.locator("#id_q").fill("Без скриптов")
        page.get_by_role("button", name="Найти").click()
        assert page.locator("tr[data-lead]").count() == 1
        page.get_by_role("link", name="Без скриптов").click()
        page.get_by_label("Комментарий", exact=True).first.fill("Перезвонить после обеда")
        page.get_by_role("button", name="Добавить комментарий").click()
        page.get_by_text("Перезвонить после обеда").wait_for()
        assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT).exists()
        page.get_by_role("link", name="Конвертировать в сделку").click()
        expect(page.get_by_label("Название новой компании")).to_be_visible()  # nothing hidden
        page.get_by_role("button", name="Создать сделку").click()
        page.get_by_text("Лид сконвертирован").wait_for()
        deal = Deal.objects.select_related("company").get(lead=lead)
        assert deal.company.title == "ООО Ромашка" and deal.stage.semantics == Semantics.PROCESS
        assert list(deal.company.communications.values_list("normalized", flat=True)) == [
            "+74951234567"]
    finally:
        context.close()
