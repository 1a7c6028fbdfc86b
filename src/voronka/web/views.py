"""Sign-in, sign-out, the language switch and the home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.core.ratelimit import client_ip, rate_limited
from voronka.web.navigation import next_url

LOGIN_ATTEMPTS_PER_MINUTE = 20


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Password guessing is slowed per address; the form says why.
        if rate_limited("login", client_ip(request), limit=LOGIN_ATTEMPTS_PER_MINUTE):
            form = self.get_form()
            form.add_error(None, _("Слишком много попыток входа. Подождите минуту."))
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language in the cookie LanguageMiddleware reads."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(next_url(request, "/"))
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                            samesite="Lax")
    return response


def home(request: HttpRequest) -> HttpResponse:
    from voronka.web.home import home_context  # what each role sees lives in its own module

    return render(request, "web/home.html", home_context(request.user))
