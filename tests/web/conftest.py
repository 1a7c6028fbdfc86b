"""Workspace test fixtures: signed-in test clients, and a real Chromium for browser tests.

Browser tests use Debian's `chromium` (installed by scripts/test) through Playwright; no
browser is downloaded. They run against pytest-django's live server.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


SEED_MIGRATIONS = ["voronka.crm.migrations.0002_seed_dictionaries",
                   "voronka.webforms.migrations.0002_default_utm_rules"]


@pytest.fixture(autouse=True)
def _dictionaries_after_flush(request):
    """A live-server test commits for real, and the flush after it drops the dictionaries
    the migrations seeded; seed them again (the seeds are idempotent)."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module in SEED_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def client_for():
    """A test client signed in as `user`."""
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client
    return make


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run ./scripts/test, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """`browser_page(user, width=1280)` → a Playwright page signed in as `user`."""
    contexts = []

    def open_page(user=None, *, width: int = 1280, height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height},
                                       base_url=live_server.url, locale="ru-RU",
                                       timezone_id="Europe/Moscow")
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                                  "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(tmp_path_factory):
    """Save a screenshot: under docs/screenshots/ (the README shows them) when the run sets
    VORONKA_SCREENSHOTS=docs, otherwise in a temporary folder, so that an ordinary test run
    leaves the working tree clean."""
    folder = (SCREENSHOTS if os.environ.get("VORONKA_SCREENSHOTS") == "docs"
              else tmp_path_factory.mktemp("screenshots"))

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        # A full-page shot of a scrolled page paints the sticky header mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path
    return take
