"""Settings in a real browser: drag stages into a new order; screenshots of the main screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from voronka.crm.models import Pipeline, Stage
from voronka.intake.models import TelephonyConnection

pytestmark = pytest.mark.browser


def test_reorder_stages_by_drag_and_drop(browser_page, admin_user, screenshot):
    # Its own pipeline: a live-server test before this one may have flushed the seed data.
    main_pipeline = Pipeline.objects.create(code="REPAIR", name="Ремонт")
    Stage.objects.bulk_create([Stage(pipeline=main_pipeline, code=code, name=name, semantics=meaning,
                                     sort=sort)
                               for sort, (code, name, meaning) in enumerate([
                                   ("NEW", "Новая", "process"), ("MEASURE", "Замер", "process"),
                                   ("OFFER", "Предложение", "process"), ("WON", "Успех", "success"),
                                   ("LOSE", "Провал", "failure")])])
    stages = list(main_pipeline.stages.order_by("sort", "id"))
    page = browser_page(admin_user)
    page.goto(f"/settings/pipelines/{main_pipeline.pk}/")
    page.wait_for_load_state("networkidle")  # SortableJS is set up before the drag starts
    first = page.locator(f'[data-stage="{stages[0].pk}"] .stage-item__handle')
    third = page.locator(f'[data-stage="{stages[2].pk}"]')
    with page.expect_response(lambda r: "/stages/order/" in r.url) as answer:
        first.drag_to(third)
    assert answer.value.status == 204
    page.get_by_text("Порядок стадий сохранён").wait_for()
    order = list(main_pipeline.stages.order_by("sort").values_list("pk", flat=True))
    assert order.index(stages[0].pk) > 0 and order != [s.pk for s in stages]
    page.reload()  # the order persists
    shown = page.locator("[data-stage]").evaluate_all("els => els.map(e => +e.dataset.stage)")
    assert shown == order
    screenshot(page, "settings-pipeline")


def test_settings_home_and_telephony_screenshots(browser_page, admin_user, make_user, screenshot):
    make_user("ivan", full_name="Иван Звонков", extension="101")
    connection = TelephonyConnection.objects.create(provider="mango", slug="office", name="Офис",
                                                    api_key="vpbx-0123456789abcdef", salt="salt-0123456789")
    page = browser_page(admin_user)
    page.goto("/settings/")
    expect(page.get_by_role("link", name="Телефония")).to_be_visible()
    screenshot(page, "settings-home")
    page.goto(f"/settings/telephony/{connection.pk}/")
    assert "/integrations/mango/office" in page.locator("#webhook-1").input_value()
    expect(page.get_by_text("••••cdef")).to_be_visible()
    screenshot(page, "settings-telephony")
    phone = browser_page(admin_user, width=375, height=740)
    phone.goto("/settings/")
    screenshot(phone, "settings-home-phone")
