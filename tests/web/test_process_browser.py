"""«Создать копию ЛИД + Сделка» in a real browser: from a won deal's card, three copies."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from voronka.crm.models import Deal
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_close

pytestmark = pytest.mark.browser


def test_three_copies_from_a_won_deal(browser_page, manager, make_lead, screenshot):
    lead = make_lead(title="Пропуск на МКАД", name="Иван", company_title="ООО Грузовоз",
                     utm_source="yandex", utm_campaign="propusk-mkad")
    mother = deal_close(deal=lead_convert(lead=lead, acting_user=manager, legal_entity=True,
                                          amount="45000").deal, won=True, acting_user=manager)
    page = browser_page(manager)
    page.goto(f"/deals/{mother.pk}/")
    page.get_by_role("link", name="Создать копию ЛИД + Сделка").click()

    expect(page.get_by_role("heading", name="Создать копию ЛИД + Сделка")).to_be_visible()
    expect(page.get_by_label("Названия копий")).to_have_value(f"повторный лид из сделки №{mother.pk}")
    preview = page.locator(".process-preview")
    expect(preview).to_contain_text("ООО Грузовоз")
    expect(preview).to_contain_text("propusk-mkad")
    expect(preview).to_contain_text("Анна Менеджерова")
    page.get_by_label("Сколько копий").fill("101")
    page.get_by_role("button", name="Создать копии").click()
    expect(page.locator(".field--error")).to_contain_text("целое число от 1 до 100")
    assert not Deal.objects.filter(parent_deal=mother).exists()
    screenshot(page, "process-start-refused")
    page.get_by_label("Сколько копий").fill("3")
    screenshot(page, "process-start-form")
    page.get_by_role("button", name="Создать копии").click()

    expect(page).to_have_url(f"{page.url.split('/deals/')[0]}/deals/{mother.pk}/")
    copies = list(Deal.objects.filter(parent_deal=mother).order_by("pk"))
    assert len(copies) == 3 and {d.upsell_manager for d in copies} == {manager}
    message = page.locator(".message--success")
    expect(message).to_contain_text("Создано копий ЛИД + Сделка: 3")
    for deal in copies:
        expect(message.get_by_role("link", name=f"№{deal.pk}")).to_be_visible()
    comment = page.locator(".timeline__item--comment", has_text="Бизнес-процесс")
    for deal in copies:
        expect(comment.get_by_role("link", name=f"Сделка №{deal.pk}", exact=True)).to_have_attribute(
            "href", f"/deals/{deal.pk}/")
    screenshot(page, "process-start-done")

    message.get_by_role("link", name=f"№{copies[0].pk}").click()
    expect(page.get_by_role("heading", name=f"повторный лид из сделки №{mother.pk}")).to_be_visible()
    expect(page.locator("#deal-fields + .props")).to_contain_text(f"Материнская сделка{mother.title}")
