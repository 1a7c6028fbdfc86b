"""Language choice (Russian first, whatever the browser says) and the webhooks' neutral context."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation


class LanguageMiddleware:
    """Activate the language the person chose (the language cookie), else LANGUAGE_CODE.

    Django's LocaleMiddleware follows the browser's Accept-Language, which gives a Russian
    office with English-language browsers a half-English CRM. Here the company's language is
    the default, and English is a deliberate choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NeutralContextMiddleware:
    """For webhooks: the company's language and no user's time zone.

    Server threads are reused, and a webhook skips the middleware that sets both per
    person; without this, it would inherit whatever the thread's last page request left.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(settings.LANGUAGE_CODE)
        timezone.deactivate()
        return self.get_response(request)
