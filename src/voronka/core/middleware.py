"""Language choice: Russian first, whatever the browser says."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


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
