"""Every main screen on the demo data, in Chromium, saved to docs/screenshots/ (the README
shows them). Each page must answer 200 and show its demo content, not an empty state."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from voronka.accounts.models import User
from voronka.crm.models import Call, Company, Contact, Deal, Lead, LeadStatus, Semantics
from voronka.crm.services.dictionaries import lead_status_deprecate
from voronka.demo.loader import demo_load
from voronka.webforms.models import WebForm

pytestmark = pytest.mark.browser
DEMO_LEADS = 400
# A small demo is thin: whether a deal is still open "now" depends on the day the suite runs.
# Anchoring the demo year on a fixed moment makes every screen show the same data every day.
DEMO_NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def test_main_screens_on_the_demo_data(browser_page, screenshot, monkeypatch):
    monkeypatch.setattr("voronka.demo.generator.current_time", lambda: DEMO_NOW)
    demo_load(leads=DEMO_LEADS, password="demo12345", seed=2024)
    head = User.objects.get(username="head")
    # The manager shown is the one with the newest open lead that has a recorded call.
    open_leads = Lead.objects.filter(status__semantics=Semantics.PROCESS).order_by("-created_at")
    lead = (open_leads.filter(pk__in=Call.objects.exclude(recording_url="").values("lead")).first()
            or open_leads.first())
    manager = lead.responsible
    deal = Deal.objects.filter(company__isnull=False).order_by("-pk").first()
    company = Company.objects.filter(deals__isnull=False).order_by("-pk").first()

    shots = [
        (head, 1280, "/", "home-head", ".figure"),
        (manager, 1280, "/", "home-manager", "h2"),
        (manager, 1280, "/leads/", "leads-inbox-desktop", "tr[data-lead]"),
        (manager, 375, "/leads/", "leads-inbox-phone", "tr[data-lead]"),
        (manager, 1280, f"/leads/{lead.pk}/", "lead-card", ".timeline"),
        (manager, 1280, f"/leads/{lead.pk}/convert/", "lead-convert", "form.convert"),
        (head, 1600, "/deals/", "deals-kanban", ".kanban__card"),
        (head, 375, "/deals/", "deals-kanban-375", ".kanban__card"),
        (head, 1280, "/deals/list/", "deals-list", "tbody tr"),
        (head, 1280, f"/deals/{deal.pk}/", "deal-card", ".timeline"),
        (head, 1280, "/contacts/", "contacts", "tbody tr"),
        (head, 1280, f"/companies/{company.pk}/", "client-card", ".card"),
    ]
    for user, width, url, name, content in shots:
        page = browser_page(user, width=width)
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator(content).count() > 0, f"{url}: no {content}"
        assert page.locator(".empty:visible").count() == 0 or name.startswith("home"), url
        screenshot(page, name)

    # The screens an admin sets the CRM up in, and the rest of the client and search screens.
    admin = User.objects.get(username="admin")
    contact = Contact.objects.filter(deals__isnull=False).order_by("-pk").first()
    old = LeadStatus.objects.create(code="OLD_CALLBACK", name="Перезвонить позже",
                                    semantics=Semantics.PROCESS, sort=900)
    lead_status_deprecate(status=old)
    form = WebForm.objects.get(slug="propusk")
    more = [
        (head, 1280, "/companies/", "companies", "tbody tr"),
        (head, 1280, f"/contacts/{contact.pk}/", "contact-card", ".card"),
        (head, 1280, f"/search/?q={company.title[:6]}", "search-results", ".search-results a"),
        (admin, 1280, "/settings/statuses/", "settings-statuses", ".badge--grey"),
        (admin, 1280, f"/settings/webforms/{form.pk}/", "settings-webform", "#embed-code"),
        (admin, 1280, "/settings/users/", "settings-users", "tbody tr"),
        (admin, 1280, "/imports/", "import-upload", "input[type=file]"),
    ]
    for user, width, url, name, content in more:
        page = browser_page(user, width=width)
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator(content).count() > 0, f"{url}: no {content}"
        screenshot(page, name)

    page = browser_page(head)
    page.goto("/")
    page.get_by_role("searchbox").fill(company.title[:6])
    page.locator(".search-suggest a").first.wait_for()
    screenshot(page, "search-suggest")
