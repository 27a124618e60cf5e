"""Settings, all from the environment (see .env.example).

With nothing set, the portal runs for a developer: SQLite under var/, tasks
in-process, mail to files under var/mail. Production sets SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL; the secure defaults below are on unless
DEVELOPMENT (a developer's machine: plain HTTP on localhost, a development
key) or DEBUG (the same, plus Django's debug pages with tracebacks) says
otherwise. `make run` writes DEVELOPMENT=True, not DEBUG: someone clicking
around the demo sees the portal's own error pages, never the debug page.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DEVELOPMENT = env.bool("DEVELOPMENT", default=False)
# A developer's machine, with or without the debug pages.
LOCAL = DEBUG or DEVELOPMENT

if LOCAL:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if LOCAL else [])
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
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "companies",
    "catalog",
    "orders",
    "approvals",
    "quotations",
    "requisitions",
    "notifications",
    "dashboards",
    "accounts",
    "api",
    "demo",
    "benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Notices the end of a database outage (the 500 handler answers 503 during one).
    "core.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sends the answer a view gave a use case's refusal (core.refusals).
    "core.refusals.RefusalMiddleware",
    # Sessions end after SESSION_IDLE_MINUTES unused; site admins set two-factor up first.
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the login page with a message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "b2bportal.urls"
WSGI_APPLICATION = "b2bportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Persistent connections: a page served 4x more requests per second with them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a connection's session is not ours to keep:
# no server-side cursors (see docs/scaling.md).
if env.str("DATABASE_POOLER", default="") == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# One cache shared by every process of every instance: Redis in production (CACHE_URL,
# e.g. redis://cache:6379/1), this process's memory for a developer. Anything cached
# is keyed on a version the services bump, so a change made through one instance is
# seen through all of them.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A covering index (INCLUDE) only speeds Postgres up; SQLite builds it without
    # the extra columns, which is fine for a first run and not worth a warning.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "companies.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a login while the account is locked out at this address; then the usual check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "dashboards.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# A developer sees edits to static files without collecting them again.
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Portal -----------------------------------------------------------------
PORTAL_NAME = env.str("PORTAL_NAME", default="B2B Portal")
CURRENCY_CODE = env.str("CURRENCY_CODE", default="USD")
# Absolute address of the portal, for links in emails. By default the address
# `make run` serves on: HOST and PORT are the ones it was given.
_HOST = env.str("HOST", default="127.0.0.1")
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{'127.0.0.1' if _HOST in ('', '0.0.0.0', '::') else _HOST}"  # noqa: S104
    f":{env.int('PORT', default=8000)}",
).rstrip("/")
PAGE_SIZE = env.int("PAGE_SIZE", default=25)

# --- Accounts ---------------------------------------------------------------
# An invitation's link works once, for this many days; a password reset link once,
# for this many hours from when the email is sent.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=2) * 3600
# A session ends after this long without a request (it is refreshed once a minute of
# use); changing or resetting a password ends the person's other sessions.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Site admins must log in with an authenticator code (on in production); contacts may.
TWO_FACTOR_REQUIRED_FOR_STAFF = env.bool("TWO_FACTOR_REQUIRED_FOR_STAFF", default=not LOCAL)
OTP_TOTP_ISSUER = PORTAL_NAME

# --- REST API ---------------------------------------------------------------
# /api/v1/: personal tokens (``Authorization: Bearer <key>``) for other systems, the
# session (with its CSRF token) for the portal's own pages. Requests per token are
# limited (API_TOKEN_RATE, e.g. "600/minute"); session calls per person.
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="600/minute")
API_SESSION_RATE = env.str("API_SESSION_RATE", default="600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_TOKEN_RATE, "session": API_SESSION_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.PortalAutoSchema",
    "DEFAULT_METADATA_CLASS": "api.metadata.EndpointMetadata",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PORTAL_NAME} API",
    "DESCRIPTION": (
        "Orders, approvals, quotes and the catalog of the portal, with the same rules as "
        "its pages. Authenticate with a personal token from *My account > API tokens*: "
        "`Authorization: Bearer <key>`. Another company's object is a 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the portal's own static files (no CDN)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "tryItOutEnabled": False},
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "QuoteStatusEnum": "quotations.models.QuoteStatus",
        "StepStatusEnum": "approvals.models.StepStatus",
    },
}

# --- Benchmark --------------------------------------------------------------
# Routes /_baseline/, the bare view `make bench` times every page against. The
# bench command switches it on for the process it measures in and for its
# gunicorn; nothing else, production included, routes it.
BENCHMARK = env.bool("BENCHMARK", default=False)

# --- Email ------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default=f"filemail:///{VAR_DIR / 'mail'}"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="B2B Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process so a first run needs nothing installed.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# A request that queues a task after commit must not hang on a dead broker: one
# quick retry, then the outbox sweep takes over.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "submissions-forget-old": {"task": "core.tasks.forget_old_submissions", "schedule": 24 * 3600},
    "tallies-fold": {"task": "core.tasks.fold_tallies", "schedule": 60},
    "quotes-expire-due": {"task": "quotations.tasks.expire_due_quotes", "schedule": 15 * 60},
    # every channel of the outbox (emails, webhooks): what is due is queued
    "outbox-sweep": {"task": "notifications.tasks.sweep_outbox", "schedule": 60},
    "approval-delegations": {"task": "approvals.tasks.apply_delegations", "schedule": 5 * 60},
    "approval-reminders": {
        "task": "approvals.tasks.send_approval_reminders",
        "schedule": 15 * 60,
    },
    "quote-expiry-warnings": {
        "task": "quotations.tasks.send_quote_expiry_warnings",
        "schedule": 60 * 60,
    },
}

# --- Product import and export (django-import-export, in Django admin) -------
# The uploaded file waits between the preview and the confirmation in the cache,
# which every instance shares in production (CACHE_URL), not on one disk.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# --- Notifications: the outbox ---------------------------------------------
# Every channel of the outbox (emails: NOTIFICATION_*, webhooks: WEBHOOK_*) has
# the same five settings (notifications.services.engine). A failed attempt is
# tried again after RETRY_BASE × 2^(n-1) seconds, at most RETRY_MAX, MAX_ATTEMPTS
# in all; then the row is failed and a site admin may send it again. The sweep
# (every minute) queues a row that failed an attempt once it is due, and a row
# never tried SWEEP_AFTER seconds after it was written (its dispatch at commit was
# lost: a broker outage); a claim older than CLAIM_TIMEOUT is a worker that died.
#
# Emails: 1, 2, 4, 8, 16, 32 minutes, then every hour: the 30th and last attempt
# comes 24 hours after the first, so an SMTP outage of hours delays mail and
# fails none; once the server is back, every email is out within the hour.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=30)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=3600)
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=120)
# Far above an SMTP conversation (EMAIL_TIMEOUT per step).
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=600)
# Webhooks: each POST waits WEBHOOK_TIMEOUT_SECONDS for the receiver (to connect,
# and for each read). 30 s, 1, 2, 4, 8, 16, 32 minutes, then every hour: the 30th
# and last attempt comes 23 hours after the first.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=30)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_SWEEP_AFTER_SECONDS = env.int("WEBHOOK_SWEEP_AFTER_SECONDS", default=60)
WEBHOOK_CLAIM_TIMEOUT_SECONDS = env.int("WEBHOOK_CLAIM_TIMEOUT_SECONDS", default=300)
# Approvers are reminded of an order waiting this long, once per such period;
# after APPROVAL_ESCALATE_HOURS the site admins are told too.
APPROVAL_REMINDER_HOURS = env.int("APPROVAL_REMINDER_HOURS", default=24)
APPROVAL_ESCALATE_HOURS = env.int("APPROVAL_ESCALATE_HOURS", default=72)
# Links in approval emails decide one step; they expire after this many hours. With
# APPROVAL_LINKS_NEED_LOGIN they ask for the login first (a company may ask for it too).
APPROVAL_LINK_HOURS = env.int("APPROVAL_LINK_HOURS", default=72)
APPROVAL_LINKS_NEED_LOGIN = env.bool("APPROVAL_LINKS_NEED_LOGIN", default=False)

# --- Security ---------------------------------------------------------------
# On unless DEVELOPMENT or DEBUG; the portal sits behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not LOCAL)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not LOCAL)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not LOCAL)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if LOCAL else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL
SECURE_HSTS_PRELOAD = not LOCAL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Everything is served from here (vendored Bootstrap, htmx, icons), so the policy is
# strict: no inline script, handler or style, nothing from elsewhere, never framed.
# Bootstrap draws its form controls with data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}

# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one account from
# one address, that account is locked out at that address for AXES_COOLOFF_MINUTES
# (another failure meanwhile starts the wait again). A site admin lifts it early in
# Django admin (Axes > Access attempts: delete the row). Keyed on the pair, so
# nobody can lock a colleague out from elsewhere by typing wrong passwords.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "companies.views.locked_out"
AXES_USERNAME_CALLABLE = "companies.views.login_name"
# The login form's field (Django's AuthenticationForm), which holds the email address.
AXES_USERNAME_FORM_FIELD = "username"
# Never written to the attempts' log: new passwords and second-factor codes.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "code",
    "off-password",
    "codes-password",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"outage": {"()": "core.outage.SkipUnreachableDatabase"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # While the database cannot be reached, one line says so (core.outage), not a
        # traceback per request.
        "django.request": {"filters": ["outage"]},
        # One line per task run is noise; failures still show as warnings.
        "celery.app.trace": {"level": "WARNING"},
        # django-axes announces itself and every login; failures and lockouts stay warnings.
        "axes": {"level": "WARNING"},
        # Without a broker tasks run in-process, yet Celery still opens a producer,
        # and kombu warns that it guessed a broker on localhost: not an error here.
        **({} if CELERY_BROKER_URL else {"kombu.connection": {"level": "ERROR"}}),
    },
}
