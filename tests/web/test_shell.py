"""The workspace shell: sign-in, every page behind a login, language, time zone, plurals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone, translation
from playwright.sync_api import expect

from voronka.web.templatetags.voronka_web import count, duration_words, sla_clock


def test_login_page_is_russian_and_signs_in(db, manager):
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert "Имя пользователя" in page.content.decode()
    response = client.post("/login/", {"username": "manager", "password": "pass-Voronka-2026"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(db, manager):
    response = Client().post("/login/", {"username": "manager", "password": "nope"})
    assert response.status_code == 200
    assert "правильные имя пользователя и пароль" in response.content.decode()


def test_every_workspace_page_needs_a_login(db):
    """Walk the URL patterns: each workspace view redirects an anonymous visitor to /login/."""
    from voronka.web import urls as web_urls

    checked = 0

    def walk(patterns, prefix=""):
        nonlocal checked
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns, prefix + str(entry.pattern))
                continue
            route = prefix + str(entry.pattern)
            if route == "login/":
                continue
            assert entry.callback.__name__ and hasattr(entry.callback, "__wrapped__"), route
            checked += 1

    walk(web_urls.urlpatterns)
    assert checked >= 3
    assert get_resolver().resolve("/").func.__wrapped__
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_needs_post_and_ends_the_session(client_for, manager):
    client = client_for(manager)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_language_switch_sets_the_cookie_and_refuses_foreign_redirects(client_for, manager):
    client = client_for(manager)
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.parametrize(("n", "text"), [(1, "1 лид"), (3, "3 лида"), (5, "5 лидов"),
                                         (11, "11 лидов"), (21, "21 лид"), (22, "22 лида"),
                                         (1234, "1\u202f234 лида")])
def test_russian_plurals(n, text):
    with translation.override("ru"):
        assert count(n, "lead") == text


def test_english_plurals():
    with translation.override("en"):
        assert count(1, "deal") == "1 deal"
        assert count(2, "deal") == "2 deals"


def test_duration_words():
    with translation.override("ru"):
        assert duration_words(65 * 60) == "1 час 5 минут"
        assert duration_words(3 * 60) == "3 минуты"
        assert duration_words(30) == "меньше минуты"
        assert duration_words(2 * 86400 + 3600 * 3 + 60) == "2 дня 3 часа"


def test_sla_clock_turns_red_when_overdue():
    now = timezone.now()
    with translation.override("ru"):
        late = sla_clock(now - dt.timedelta(minutes=5))
        early = sla_clock(now + dt.timedelta(minutes=14, seconds=30))
        done = sla_clock(now - dt.timedelta(minutes=5), now)
    assert "sla--overdue" in late and "просрочен на 5 минут" in late
    assert "sla--overdue" not in early and "осталось 14 минут" in early
    assert "отработан" in done and 'data-deadline=""' in done


def test_dates_are_shown_in_the_users_time_zone(client_for, make_user):
    vladivostok = make_user("vl", time_zone="Asia/Vladivostok")
    client = client_for(vladivostok)
    client.get("/")  # the middleware activates the zone per request; check it directly too
    from voronka.web.middleware import UserTimezoneMiddleware

    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = type("R", (), {"user": vladivostok})()
    UserTimezoneMiddleware(view)(request)
    assert seen["zone"] == "Asia/Vladivostok"
    moment = dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
    with timezone.override("Asia/Vladivostok"):
        rendered = Template('{{ t|date:"H:i" }}').render(Context({"t": moment}))
    assert rendered == "10:00"


def test_translations_are_compiled(tmp_path):
    """The committed .mo files match their .po files (msgfmt from Debian's gettext)."""
    import shutil
    import subprocess
    from pathlib import Path

    import voronka

    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is missing: ./scripts/test installs it"
    for po in Path(voronka.__file__).parent.glob("locale/*/LC_MESSAGES/django.po"):
        fresh = tmp_path / f"{po.parent.parent.name}.mo"
        subprocess.run([msgfmt, "-o", str(fresh), str(po)], check=True)
        assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), (
            f"{po} changed: run msgfmt -o {po.with_suffix('.mo')} {po}")


@pytest.mark.browser
def test_login_in_a_real_browser_on_a_phone(browser_page, manager, screenshot):
    page = browser_page(width=375, height=740)
    page.goto("/")
    assert "/login/" in page.url
    page.get_by_label("Имя пользователя").fill("manager")
    page.get_by_label("Пароль").fill("pass-Voronka-2026")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    screenshot(page, "login-phone")
    # the phone layout folds the sections into a menu button
    menu = page.get_by_role("button", name="Меню")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Сделки")).to_be_visible()
