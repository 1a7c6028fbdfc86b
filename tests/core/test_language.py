import pytest


@pytest.mark.django_db
def test_russian_by_default_even_for_an_english_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Имя пользователя" in response.content.decode()
    assert response["Content-Language"] == "ru"


@pytest.mark.django_db
def test_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    response = client.get("/admin/login/")
    assert "Username" in response.content.decode()


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_russian(client):
    client.cookies["django_language"] = "xx"
    assert "Имя пользователя" in client.get("/admin/login/").content.decode()
