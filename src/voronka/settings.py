"""Django settings, read from the environment (see docs/operations.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("VORONKA_DATA_DIR") or "./var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in DATA_DIR."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not end up with two different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "voronka.core",
    "voronka.accounts",
    "voronka.crm",
    "voronka.intake",
    "voronka.webforms",
    "voronka.mail",
    "voronka.setup",
    "voronka.demo",
    "voronka.web",
    "voronka.api",
    "voronka.imports",
    "voronka.spend",
    "voronka.analytics",
    "voronka.automation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "voronka.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "voronka.web.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Machine-to-machine webhooks (signed PBX events) skip what only people's pages need:
# sessions, CSRF, language, messages. A PBX posts hundreds of events a second, and the full
# stack was a third of the cost of storing one (docs/decisions/0007).
WEBHOOK_PATH_PREFIXES = ("/integrations/",)
WEBHOOK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "voronka.core.middleware.NeutralContextMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "voronka.urls"
WSGI_APPLICATION = "voronka.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "voronka.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The stock backend plus a fair queue for writers (see voronka/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "voronka.core.sqlite"
    # A persistent connection saves the connect and five PRAGMAs (about 1 ms) per request;
    # each thread keeps its own connection, so WAL readers and the IMMEDIATE writer still queue.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
        # timeout instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-64000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Telephony webhooks are answered once stored; the worker processes them (see intake docs).
INTAKE_DEFERRED = os.environ.get("VORONKA_INTAKE_DEFERRED", "1") not in {"0", "false", "no"}
# On SQLite, deferred webhooks are committed to a spool file of their own, so they never wait
# for the main database's write lock (intake/spool.py); "0" turns it off.
INTAKE_SPOOL = (DATA_DIR / "intake-spool.sqlite3"
                if DATABASES["default"]["ENGINE"] == "voronka.core.sqlite"
                and os.environ.get("VORONKA_INTAKE_SPOOL", "1") not in {"0", "false", "no"}
                else None)
# Signed webhook deliveries a minute per connection and sender address, per server process.
# A PBX sends four or five events per call from a few addresses, in bursts of hundreds a second.
# Attribution credits a won deal to its client's touches within this many days before the win.
ATTRIBUTION_WINDOW_DAYS = int(os.environ.get("VORONKA_ATTRIBUTION_WINDOW_DAYS", "28"))
WEBHOOK_RATE_PER_MINUTE = int(os.environ.get("VORONKA_WEBHOOK_RATE_PER_MINUTE", "60000"))

# Background tasks: the database queue by default; VORONKA_TASKS_BACKEND=rq puts them on
# Redis (VORONKA_REDIS_URL), where `voronka worker` runs an RQ worker instead.
TASKS_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_tasks_backend = os.environ.get("VORONKA_TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS.get(_tasks_backend, _tasks_backend),
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": os.environ.get("VORONKA_REDIS_URL", "redis://127.0.0.1:6379/0"),
                         "DEFAULT_TIMEOUT": 600}}

# Outgoing mail (notifications, robots' letters to clients).
EMAIL_HOST = os.environ.get("VORONKA_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VORONKA_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VORONKA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VORONKA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("VORONKA_SMTP_STARTTLS", "0") in {"1", "true", "yes"}
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("VORONKA_MAIL_FROM", "voronka@localhost")
# Links in e-mails point here.
VORONKA_BASE_URL = os.environ.get("VORONKA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Robots: how long a chain of robots triggering robots may grow, and how long a queued run
# may wait for its task before the scheduler enqueues it again (a worker killed mid-task).
AUTOMATION_MAX_DEPTH = int(os.environ.get("VORONKA_ROBOT_MAX_DEPTH", "5"))
AUTOMATION_LEASE_SECONDS = int(os.environ.get("VORONKA_ROBOT_LEASE_SECONDS", "300"))
# Finished robot runs are deleted after this many days (their lines on timelines stay).
AUTOMATION_RUNS_KEEP_DAYS = int(os.environ.get("VORONKA_ROBOT_RUNS_KEEP_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
