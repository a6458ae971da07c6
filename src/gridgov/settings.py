"""Settings for gridgov, read once from the environment.

Everything an operator sets is a ``GRIDGOV_*`` variable, so one install serves the demo on SQLite
and a street office's intranet on PostgreSQL without editing code.
"""

import ipaddress
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
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
    "js_lib_leaflet",  # Leaflet (static/js_lib_leaflet/leaflet.js, .css, images) for the map pages
    "ninja",  # Swagger UI assets and templates served locally (without it ninja renders a CDN page)
    "django_tasks",
    "django_tasks_db",
    "gridgov",
    "gridgov.audit",
    "gridgov.orgs",
    "gridgov.geo",
    "gridgov.notifications",
    "gridgov.deadlines",
    "gridgov.ledger",
    "gridgov.tasks",
    "gridgov.rewards",
    "gridgov.reports",
    "gridgov.bookings",
    "gridgov.volunteers",
    "gridgov.households",
    "gridgov.indices",
    "gridgov.oversight",  # the readers of every other app: last
    "gridgov.workbench",
    "gridgov.cockpit",
]

MIDDLEWARE = [
    "gridgov.security.ForwardedHeadersMiddleware",  # first: forwarded headers count only from a trusted proxy
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.security.SecurityHeadersMiddleware",  # after WhiteNoise: static assets keep their caching
    "gridgov.context.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gridgov.pwa.ViewerHeaderMiddleware",  # names the session on its answers: the service worker keeps pages per login
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.pages.RefusalMiddleware",
    "gridgov.submissions.DoubleSubmitMiddleware",
    "gridgov.replicas.WroteRecentlyMiddleware",  # after a write, this browser reads the primary for a while
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
                "gridgov.orgs.context_processors.navigation",
                "gridgov.notifications.context_processors.unread_messages",
            ],
            "builtins": ["gridgov.templatetags.gridgov"],  # {% form_token %} in every POST form
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

# Behind pgbouncer in transaction mode a connection is lent per transaction: statements prepared on one server
# connection are unknown on the next, and a server-side cursor does not outlive its transaction.
PGBOUNCER = os.environ.get("GRIDGOV_PGBOUNCER", "") == "1"
if PGBOUNCER and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# A streaming replica for read-heavy pages (gridgov/replicas.py, docs/deployment.md): same options as the primary.
REPLICA_URL = os.environ.get("GRIDGOV_REPLICA_URL", "")
REPLICA_LAG_SECONDS = int(os.environ.get("GRIDGOV_REPLICA_LAG_SECONDS", "10"))
if REPLICA_URL:
    DATABASES["replica"] = startup.database(REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gridgov.replicas.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes' check of the address, then the slowing of a username that keeps failing (gridgov/logins.py).
    "gridgov.logins.LoginGuardBackend",
    # ModelBackend that also refuses a login whose person is deactivated, at login and on every request.
    "gridgov.orgs.backends.PersonBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins (gridgov/logins.py): an address is locked after this many failures for a quarter of an hour;
# a username failing from many addresses is only slowed (a doubling wait, up to a minute, for addresses that
# failed themselves), so nobody can lock someone else out.
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDGOV_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "gridgov.security.client_address"
AXES_RESET_ON_SUCCESS = False  # a success forgives only its own username's failures (logins.forgive_own_failures)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts are not counted as more failures
AXES_LOCKOUT_CALLABLE = "gridgov.logins.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_SLOW_AFTER = int(os.environ.get("GRIDGOV_LOGIN_SLOW_AFTER", "5"))
LOGIN_SLOW_MAX_SECONDS = 60

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
# Uploads on an S3-compatible store (MinIO, a government cloud's object storage) instead of MEDIA_ROOT, so that
# several app servers share them (docs/deployment.md; needs the extra: pip install 'gridgov[s3]'). Credentials
# come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables; photos are served through gridgov's
# own views (the viewer's permission is checked), so the bucket stays private.
if MEDIA_BUCKET := os.environ.get("GRIDGOV_MEDIA_S3_BUCKET", ""):
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": MEDIA_BUCKET,
        "endpoint_url": os.environ.get("GRIDGOV_MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("GRIDGOV_MEDIA_S3_REGION") or None,
        "file_overwrite": False,
        "default_acl": "private",
    }}
# Sessions live in the database, never in one server's memory: any app server behind the proxy serves any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Serve assets straight from the installed packages, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 100_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Background jobs (django-tasks): stored in the database and run by ``gridgov db_worker`` (a service of its own;
# ``gridgov demo`` starts one beside the server). GRIDGOV_JOBS=immediate runs each job inside the request that
# asks for it (the test suite does, so that a test sees the job's result at once).
JOBS = os.environ.get("GRIDGOV_JOBS", "database")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if JOBS == "immediate"
                     else "django_tasks_db.DatabaseBackend"}}

# The address people open gridgov at (scheme and host, no path): the links the webhook sends are made from it.
SITE_URL = os.environ.get("GRIDGOV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The map (一张图) draws boundaries on a plain background; an installation with an intranet tile server may set its
# URL template (e.g. http://tiles.example.gov.cn/{z}/{x}/{y}.png; WGS-84 web-mercator tiles) to get a basemap.
MAP_TILE_URL = os.environ.get("GRIDGOV_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("GRIDGOV_MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL and not re.fullmatch(r"https?://[^/\s'\";]+/\S*\{z\}\S*", MAP_TILE_URL):
    raise ImproperlyConfigured("GRIDGOV_MAP_TILE_URL must be an http(s) address with {z}, {x} and {y} in it")
MAP_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL else ""

# The outbound webhook (gridgov/notifications/webhook.py): every new or grouped message is POSTed, signed with
# the secret, to this URL (an SMS gateway, a government IM bridge). Unset: nothing is sent.
WEBHOOK_URL = os.environ.get("GRIDGOV_WEBHOOK_URL", "")
WEBHOOK_SECRET = os.environ.get("GRIDGOV_WEBHOOK_SECRET", "")
if WEBHOOK_URL and not WEBHOOK_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("GRIDGOV_WEBHOOK_URL must be an http:// or https:// address")
if WEBHOOK_URL and len(WEBHOOK_SECRET) < 16:
    raise ImproperlyConfigured("GRIDGOV_WEBHOOK_SECRET must hold at least 16 characters when GRIDGOV_WEBHOOK_URL "
                               "is set: the gateway checks every request's signature with it")

# How long a member's points code (QR and typed code) stays valid, in seconds.
REWARDS_TOKEN_SECONDS = int(os.environ.get("GRIDGOV_REWARDS_TOKEN_SECONDS", "180"))

# How the public volunteer ranking of a community names people: masked (张**), full, or none (rank only).
VOLUNTEER_PUBLIC_NAMES = os.environ.get("GRIDGOV_VOLUNTEER_PUBLIC_NAMES", "masked")
if VOLUNTEER_PUBLIC_NAMES not in ("masked", "full", "none"):
    raise ImproperlyConfigured("GRIDGOV_VOLUNTEER_PUBLIC_NAMES must be masked, full or none")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12


def _trusted_proxies() -> list:
    """``GRIDGOV_TRUSTED_PROXIES``: addresses or networks of the reverse proxies in front (e.g. ``127.0.0.1``)."""
    networks = []
    for item in os.environ.get("GRIDGOV_TRUSTED_PROXIES", "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"GRIDGOV_TRUSTED_PROXIES: {item.strip()!r} is not an IP address or network") from None
    return networks


# Only these peers are believed about the client's address and scheme (gridgov/security.py).
TRUSTED_PROXIES = _trusted_proxies()

# Served over HTTPS (GRIDGOV_HTTPS=1, usually by the reverse proxy): cookies only over HTTPS, and HSTS.
HTTPS = os.environ.get("GRIDGOV_HTTPS", "") == "1"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GRIDGOV_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    if TRUSTED_PROXIES:
        # The proxy says which requests came in over HTTPS; the header of anyone else is dropped first.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "WARNING")},
}

# How long audit records stay in the database before `gridgov audit archive` moves them to a file (at least six
# months: 网络安全法 第二十一条).
AUDIT_RETENTION_DAYS = int(os.environ.get("GRIDGOV_AUDIT_RETENTION_DAYS", str(3 * 365)))
if AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured("GRIDGOV_AUDIT_RETENTION_DAYS must be at least 183: network logs are kept six months")

# The name the ledger's checkpoints carry (C2SP tlog-checkpoint "origin"; also the signing key's name): one per
# installation, no spaces or "+". Its Ed25519 key is generated into DATA_DIR/ledger-signing.key on first use.
LEDGER_ORIGIN = os.environ.get("GRIDGOV_LEDGER_ORIGIN", "") or (SITE_URL.split("://", 1)[-1] + "/ledger")
if not LEDGER_ORIGIN or any(c.isspace() or c == "+" for c in LEDGER_ORIGIN):
    raise ImproperlyConfigured("GRIDGOV_LEDGER_ORIGIN must be one word without spaces or '+'")
# Several app servers sign with one key: point them all at the same file (a shared volume or a mounted secret).
LEDGER_SIGNING_KEY = Path(os.environ.get("GRIDGOV_LEDGER_SIGNING_KEY", "") or DATA_DIR / "ledger-signing.key")
