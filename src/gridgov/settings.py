"""Settings for gridgov, read once from the environment.

Everything an operator sets is a ``GRIDGOV_*`` variable, so one install serves the demo on SQLite
and a street office's intranet on PostgreSQL without editing code.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from gridgov import startup

PACKAGE_DIR = Path(__file__).resolve().parent
# Created if missing; a file, or a directory this user may not write, stops start-up with a clear message.
DATA_DIR = startup.data_dir(os.environ.get("GRIDGOV_DATA_DIR", "var"))


def _secret_key() -> str:
    """Use the operator's key, else one generated on first start and kept beside the data."""
    if key := os.environ.get("GRIDGOV_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("GRIDGOV_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GRIDGOV_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "treebeard",
    "js_lib_htmx",
    "ninja",  # Swagger UI assets and templates served locally (without it ninja renders a CDN page)
    "django_tasks",
    "gridgov",
    "gridgov.audit",
    "gridgov.orgs",
    "gridgov.oversight",
    "gridgov.ledger",
    "gridgov.tasks",
    "gridgov.rewards",
    "gridgov.reports",
    "gridgov.indices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.context.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.pages.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

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
                "gridgov.context.current_person",
                "gridgov.orgs.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("GRIDGOV_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
# PostgreSQL or SQLite; anything else, or a URL that does not parse, stops start-up with a clear message.
DATABASES = {"default": startup.database(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist (CONN_MAX_AGE 60, as on PostgreSQL): opening one runs the PRAGMAs below and
    # closing one checkpoints the WAL, ~6 ms of CPU a request when done per request (bench/tasks.py).
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes writers queue for the lock instead of failing on upgrade; WAL lets readers go on.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_gridgov.sqlite3")}
else:
    DATABASES["default"]["OPTIONS"] = {
        # Parameters bound by the server, and a statement run a few times on a connection is prepared: PostgreSQL
        # then skips planning it again, most of a small query's time (ledger grants: bench/ledger.py).
        "server_side_binding": True,
        "prepare_threshold": 5,
        # No JIT: compiling a plan costs more than the work for every query this application runs.
        "options": "-c jit=off",
        # An unreachable server is reported after 10 s instead of the operating system's minutes.
        "connect_timeout": 10,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one username from one address lock it for a quarter of an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDGOV_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve assets straight from the installed packages, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 100_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# How long a member's points code (QR and typed code) stays valid, in seconds.
REWARDS_TOKEN_SECONDS = int(os.environ.get("GRIDGOV_REWARDS_TOKEN_SECONDS", "180"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "WARNING")},
}
