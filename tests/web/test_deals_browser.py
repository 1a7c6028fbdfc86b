"""Browser journeys: kanban drag and drop, search as you type, the client card."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.web.kanban import drag
from voronka.crm.models import Deal
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close, deal_create

pytestmark = pytest.mark.browser


def test_kanban_drag_and_drop_then_search_and_client_card(browser_page, manager,
                                                          main_pipeline, head, make_lead):
    stages = {s.code: s for s in main_pipeline.stages.all()}
    deal = deal_create(title="Кухня Петровых", amount="1234567", acting_user=manager,
                       responsible=manager)
    won = deal_create(title="Закрытая сделка", amount="5000", acting_user=manager,
                      responsible=manager)
    deal_close(deal=won, won=True, acting_user=manager)
    page = browser_page(manager, width=2100)  # every column on screen, so the mouse reaches it
    page.goto("/deals/")
    # an empty column says so, and where to put a deal; a full one does not
    hint = ("el => getComputedStyle(el, '::before').content")
    empty = page.locator(f'.kanban__cards[data-stage="{stages["PREPARATION"].pk}"]')
    assert "перетащите сюда" in empty.evaluate(hint)
    assert page.locator(f'.kanban__cards[data-stage="{stages["NEW"].pk}"]').evaluate(hint) == "none"
    drag(page, deal.pk, stages["PREPARATION"].pk)
    column_head = page.locator(f'#kanban-head-{stages["PREPARATION"].pk}')
    column_head.locator("text=1 сделка").wait_for()
    assert Deal.objects.get(pk=deal.pk).stage_id == stages["PREPARATION"].pk
    # a manager may not reopen a won deal: refused, the card snaps back, the message shows
    drag(page, won.pk, stages["NEW"].pk)
    page.locator(".toast--error", has_text="только руководитель").wait_for()
    assert page.locator(f'.kanban__cards[data-stage="{stages["WON"].pk}"] '
                        f'.kanban__card[data-deal="{won.pk}"]').count() == 1
    assert Deal.objects.get(pk=won.pk).stage_id == stages["WON"].pk
    mobile = browser_page(manager, width=375)
    mobile.goto("/deals/")
    search_as_you_type_and_the_client_card(browser_page, head, make_lead, manager)


def search_as_you_type_and_the_client_card(browser_page, head, make_lead, manager):
    lead = make_lead(title="Офис на Тверской", name="Иван", last_name="Петров",
                     company_title="ООО Ромашка", amount=Decimal("300000"))
    result = lead_convert(lead=lead, acting_user=manager, legal_entity=True)
    page = browser_page(head)
    page.goto("/")
    page.fill("#global-q", "8 900 123-45-67")
    page.locator("#search-suggest .hit--contact a", has_text="Петров Иван").wait_for()
    page.locator("#search-suggest .hit--contact a").click()
    page.wait_for_url(f"**/contacts/{result.contact.pk}/")
    assert "Жизнь клиента" in page.content()
