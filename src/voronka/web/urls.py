"""The workspace's pages (ARCHITECTURE.md: /login/, /leads/, /deals/, /contacts/ …)."""

from django.urls import include, path

from voronka.web import views
from voronka.web.access import login_exempt, login_required_everywhere

urlpatterns = login_required_everywhere([
    path("", views.home, name="home"),
    path("login/", login_exempt(views.SignInView.as_view()), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("language/", views.language_set, name="language"),
    path("leads/", include("voronka.web.leads.urls")),
    path("deals/", include("voronka.web.deals.urls")),
    path("", include("voronka.web.clients.urls")),  # /contacts/… and /companies/…
    path("search/", include("voronka.web.search.urls")),
    path("settings/robots/", include("voronka.web.robots.urls")),
    path("settings/statuses/cleanup/", include("voronka.web.cleanup.urls")),
    path("settings/", include("voronka.web.setup_ui.urls")),
    path("", include("voronka.web.automation.urls")),  # /tasks/…, /notifications/…
    path("imports/", include("voronka.web.imports.urls")),
    path("spend/", include("voronka.web.spend.urls")),
    path("reports/", include("voronka.web.reports.urls")),
])
