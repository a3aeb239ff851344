"""Settings for etelecom-admin, read from the environment (and an optional .env).

Every variable is listed, with a one-line comment, in `.env.example`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from .mailers import mailer_from_email_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `make run` writes a development .env here when there is none (scripts/ensure_env.py);
# ENV_FILE reads another file instead. Variables already in the environment win.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY",
    # Only usable with DEBUG on: production refuses to start without a real key.
    default="insecure-dev-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "hotlines",
]

MIDDLEWARE = [
    "hotlines.middleware.CpuTimingMiddleware",  # only when SERVER_TIMING_CPU is on
    "hotlines.middleware.RequestLogMiddleware",
    # The header middlewares wrap everything that can answer early (the HTTPS redirect, a 400 for a
    # bad Host, a static file from whitenoise), so every answer carries CSP and X-Frame-Options.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hotlines.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hotlines.middleware.SessionTimeoutMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "etelecom_admin.urls"
WSGI_APPLICATION = "etelecom_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotlines.context_processors.freshness",
            ],
        },
    },
]

# Django's renderer with inputs and selects written in Python (the same HTML, a fifth of the list's CPU less).
FORM_RENDERER = "hotlines.forms_renderer.FastWidgetRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the list be read while a sync writes; a busy timeout makes
    # concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend's sign-in, with each request's user read together with their list preference.
    "hotlines.authentication.PreferenceModelBackend",
    # Sessions signed in before PreferenceModelBackend name ModelBackend: they stay signed in.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats per language (Django's English ones are American: "Nov. 1, 2026, 3 p.m.").
FORMAT_MODULE_PATH = ["etelecom_admin.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Counts and facets are cached per data version. Each process has its own cache by default;
# several web processes share one with e.g. CACHE_URL=filecache:///var/cache/etelecom-admin
# (one server) or a Redis/Memcached URL (several), so a cold count is computed once, not per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Sessions are read from that cache when the processes share it, and written through to the
# database (Django's cached_db: a session survives a flushed cache). A read from the file cache
# cost a page a fifth of the database's (0.1 ms against 0.6, its query and signature). A cache of
# each process's own would let one process serve a session another has signed out, so then the
# database alone.
PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES
    else "django.contrib.sessions.backends.cached_db"
)

# Background jobs: Django's tasks framework stored in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The dashboard's public address, for links in what leaves it (email digests, webhook payloads).
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")

# Email: the notification digests.
# EMAIL_URL says where mail goes (django-environ's form: smtp://user:password@host:25,
# smtp+tls://... for STARTTLS on 587, smtp+ssl://... for TLS from the start on 465,
# consolemail:// to print every message). Django 6.1 reads it as MAILERS["default"] (see
# etelecom_admin/mailers.py). Without it the demo (DEBUG) prints mail on the console and
# production hands it to the local MTA on port 25.
# EMAIL_TIMEOUT is read into the SMTP mailer's OPTIONS: Django 6.1 refuses the old EMAIL_* settings
# beside MAILERS, so it is no setting of its own.
MAILERS = {
    "default": mailer_from_email_url(
        env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"),
        timeout=env.float("EMAIL_TIMEOUT", default=10.0),
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="eTelecom admin <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A digest the mail server refused (or could not be reached for) is tried again after
# EMAIL_DIGEST_BACKOFF seconds, doubled at each try, up to EMAIL_DIGEST_MAX_TRIES tries, then
# marked failed (logged, and shown in the admin). A digest claimed by a worker that died is
# taken again after EMAIL_DIGEST_CLAIM_TIMEOUT seconds.
EMAIL_DIGEST_MAX_TRIES = env.int("EMAIL_DIGEST_MAX_TRIES", default=5)
EMAIL_DIGEST_BACKOFF = env.float("EMAIL_DIGEST_BACKOFF", default=60.0)
EMAIL_DIGEST_CLAIM_TIMEOUT = env.int("EMAIL_DIGEST_CLAIM_TIMEOUT", default=600)

# Security headers. Django's built-in CSP: no inline script anywhere.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
# Behind a proxy (nginx, a load balancer) that terminates TLS: the scheme comes from X-Forwarded-Proto
# and the client's address from X-Forwarded-For, of which only the last TRUSTED_PROXY_COUNT entries
# (those our own proxies appended) are believed (hotlines.client_address.client_ip).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be at least 1 (the proxies in front of the app).")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The language cookie (LanguageView) is also Secure on any HTTPS request.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
# seconds after sign-in whatever happens (hotlines.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=8 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False
# HSTS preload is a commitment per domain (submitting it to the browsers' list), so it stays opt-in
# and its reminder is silenced: `check --deploy --fail-level WARNING` must pass on a correct setup.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The hotline sort indexes carry the facet columns with INCLUDE on PostgreSQL; on SQLite Django
# builds them without (its warning says so) and the list's plans there do not rely on them.
SILENCED_SYSTEM_CHECKS.append("models.W040")

# django-axes: lock a username + IP after 5 failures, for a cool-off period.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "hotlines.views.auth.locked_out"
AXES_SENSITIVE_PARAMETERS = ["password", "api_key"]
# The client's address, not a proxy's: behind one, everyone would otherwise share a lock.
AXES_CLIENT_IP_CALLABLE = "hotlines.client_address.client_ip"

# The audit log keeps entries this many days (`manage.py purge_audit_log` deletes older ones).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# eTelecom: when both are set they define the connection named "default".
ETELECOM_BASE_URL = env("ETELECOM_BASE_URL", default="")
ETELECOM_API_KEY = env("ETELECOM_API_KEY", default="")
# The most hotlines a sync asks for a page (1-1,000): the largest page eTelecom honours is best over the
# internet (paging is sequential, each answer waits out a round trip); a smaller cut is learned.
ETELECOM_PAGE_SIZE = env.int("ETELECOM_PAGE_SIZE", default=1000)
ETELECOM_TIMEOUT = env.float("ETELECOM_TIMEOUT", default=30.0)
ETELECOM_MAX_PAGES = env.int("ETELECOM_MAX_PAGES", default=100_000)
# How many hotlines the local sandbox serves (`make run`, `manage.py etelecom_sandbox`) unless told.
DEMO_HOTLINES = env.int("DEMO_HOTLINES", default=5000)

HOTLINES_STALE_AFTER = env.int("HOTLINES_STALE_AFTER", default=3600)
# The "last synced" bar on every page is shared between requests for this long (0: never).
FRESHNESS_CACHE_SECONDS = env.int("FRESHNESS_CACHE_SECONDS", default=2)
# A running sync whose heartbeat is older than this is taken as dead.
SYNC_HEARTBEAT_TIMEOUT = env.int("SYNC_HEARTBEAT_TIMEOUT", default=300)
# A sync queued by the Sync now button that no worker started within this many seconds is failed.
SYNC_QUEUE_TIMEOUT = env.int("SYNC_QUEUE_TIMEOUT", default=3600)
# A sync still running after this many seconds is stopped and failed, so that a stuck or
# crawling upstream never holds the single flight (nor a worker) for ever (0: no limit).
SYNC_MAX_DURATION = env.int("SYNC_MAX_DURATION", default=3 * 3600)
# How the eTelecom client retries 429, 5xx and network errors (exponential backoff with jitter).
ETELECOM_RETRIES = env.int("ETELECOM_RETRIES", default=3)
ETELECOM_BACKOFF = env.float("ETELECOM_BACKOFF", default=0.5)
ETELECOM_BACKOFF_MAX = env.float("ETELECOM_BACKOFF_MAX", default=30.0)
# Every call to eTelecom (its retries included) ends within this many seconds, however slowly the
# answer trickles in.
ETELECOM_CALL_DEADLINE = env.float("ETELECOM_CALL_DEADLINE", default=60.0)
# The most an answer may weigh, decoded, per hotline asked for (plus 1 MiB for the envelope):
# a larger one (a gzip bomb, a runaway upstream) is refused before it exhausts memory.
ETELECOM_ANSWER_BYTES_PER_HOTLINE = env.int("ETELECOM_ANSWER_BYTES_PER_HOTLINE", default=4096)

# Exports: one expected to take longer than this many seconds to write (rows / the format's
# measured rate, see hotlines/services/exports/runs.py: Excel ~60,000 rows, CSV ~360,000) is
# written by the background worker; so is any over EXPORT_MAX_SYNC_ROWS rows. Their files are kept
# EXPORT_RETENTION_HOURS.
EXPORT_MAX_DIRECT_SECONDS = env.float("EXPORT_MAX_DIRECT_SECONDS", default=3.0)
EXPORT_MAX_SYNC_ROWS = env.int("EXPORT_MAX_SYNC_ROWS", default=1_000_000)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# Exports streamed in the request hold a web process and a database connection each until their
# last byte: at most this many at once per person and in all (across every process, counted in
# the database); any more are written by the background worker instead.
EXPORT_MAX_CONCURRENT_PER_USER = env.int("EXPORT_MAX_CONCURRENT_PER_USER", default=2)
EXPORT_MAX_CONCURRENT = env.int("EXPORT_MAX_CONCURRENT", default=4)
# A streamed export still "running" after this many seconds no longer counts against the limits
# (its process died without recording the end).
EXPORT_SLOT_TIMEOUT = env.int("EXPORT_SLOT_TIMEOUT", default=900)

# Webhooks: where watches' changes are posted.
# Tries per delivery (the first and its retries), then it is marked failed; the wait before try n+1
# is WEBHOOK_BACKOFF * 2**(n-1) seconds, at most WEBHOOK_BACKOFF_MAX.
WEBHOOK_TRIES = env.int("WEBHOOK_TRIES", default=6)
WEBHOOK_BACKOFF = env.float("WEBHOOK_BACKOFF", default=30.0)
WEBHOOK_BACKOFF_MAX = env.float("WEBHOOK_BACKOFF_MAX", default=3600.0)
# Connect and read timeout of each post (seconds); the whole post is cut at twice that.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# A delivery a worker took more than this many seconds ago without finishing (the worker died) is
# taken again by `manage.py recover_webhooks` and by the next dispatch.
WEBHOOK_STALE_AFTER = env.int("WEBHOOK_STALE_AFTER", default=300)
# Hotline events per payload at most; beyond it the payload says `truncated` and the full count.
WEBHOOK_MAX_EVENTS = env.int("WEBHOOK_MAX_EVENTS", default=500)

# Every table but the hotline list's, which names its own template (columns, number cells, htmx).
DJANGO_TABLES2_TEMPLATE = "includes/table.html"

# A `Server-Timing: cpu;dur=…` header with each response's CPU milliseconds (the load benchmark
# turns it on). Off by default: it tells any client how long the server computed.
SERVER_TIMING_CPU = env.bool("SERVER_TIMING_CPU", default=False)

LOG_FORMAT = env("LOG_FORMAT", default="plain")  # "json" for one JSON object per line
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "etelecom_admin.logs.ContextFilter"}},
    "formatters": {
        "plain": {"()": "etelecom_admin.logs.PlainFormatter"},
        "json": {"()": "etelecom_admin.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The access line comes from RequestLogMiddleware; runserver's own would repeat it.
        "django.server": {"level": "WARNING"},
        "etelecom_admin.requests": {"level": env("ACCESS_LOG_LEVEL", default="INFO")},
    },
}

# Fernet keys for secrets at rest (API keys), newest first so they can rotate.
# When unset, one key is derived from SECRET_KEY (fine for a demo, not for rotation).
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])

if DEBUG:
    # Serve static files straight from the finders: no collectstatic needed for the demo.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
