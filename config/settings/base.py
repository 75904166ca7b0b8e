"""Settings shared by every environment. Everything that differs between installations comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("BOROUGH_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "borough-insecure-development-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)

# Tenants bring their own domains, so the host is validated by the tenancy middleware against the tenant
# domain table (an unknown host answers 404), not by a fixed list here.
ALLOWED_HOSTS = ["*"]
# The host names that serve the provider console (the tenants are `<slug>.<BASE_DOMAIN>` or a custom domain).
BOROUGH_BASE_DOMAIN = os.environ.get("BOROUGH_BASE_DOMAIN", "localhost")
# How links in messages to residents reach a tenant's site (a task has no request to copy them from).
BOROUGH_SITE_SCHEME = os.environ.get("BOROUGH_SITE_SCHEME", "https")
BOROUGH_SITE_PORT = os.environ.get("BOROUGH_SITE_PORT", "")  # empty: the scheme's own port
BOROUGH_PROVIDER_HOSTS = [
    h.strip()
    for h in os.environ.get("BOROUGH_PROVIDER_HOSTS", f"{BOROUGH_BASE_DOMAIN},127.0.0.1,testserver").split(",")
    if h.strip()
]
BOROUGH_PROVIDER_NAME = os.environ.get("BOROUGH_PROVIDER_NAME", "Borough Shared Services")

INSTALLED_APPS = [
    "borough.tenancy",
    "borough.identity",
    "borough.core",
    "borough.people",
    "borough.crm",
    "borough.portal",
    "borough.channels",
    "borough.channels.notify",
    "borough.channels.telephony",
    "borough.channels.notifications",
    "borough.revenues",
    "borough.staff",
    "borough.tenant_admin",
    "borough.provider",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_scopes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "borough.core.request_id.RequestIdMiddleware",
    "borough.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "borough.identity.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The tenancy middleware picks the URLconf by host: the provider console or a tenant's site.
ROOT_URLCONF = "config.urls_provider"
BOROUGH_TENANT_URLCONF = "config.urls_tenant"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "borough.tenancy.context_processors.tenant",
            ],
        },
    }
]


def database_settings() -> dict:
    """SQLite under var/ by default; DATABASE_URL switches to PostgreSQL.

    On PostgreSQL the app connects as a non-owner role (DATABASE_URL) so row-level security applies; the schema owner
    (DATABASE_OWNER_URL) is used only by `borough migrate`.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "borough.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "borough.tenancy.db"
        # Django turns psycopg's prepared statements off (prepare_threshold None), and then psycopg ignores even an
        # explicit `prepare=True`. Its own queries are bound client-side and never prepared whatever this says; a
        # threshold no query reaches lets only the statements ADR 0020 names as prepared be prepared.
        config.setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
        owner_url = os.environ.get("DATABASE_OWNER_URL")
        if owner_url:
            owner = dj_database_url.parse(owner_url)
            config["OWNER"] = {"USER": owner["USER"], "PASSWORD": owner["PASSWORD"]}
    return config


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "/"

# Staff two-factor authentication: required in production, optional in the demo.
BOROUGH_REQUIRE_2FA = env_bool("BOROUGH_REQUIRE_2FA", False)
# How long a process may serve a host's tenant, an API key or a tenant's catalogue and settings without reading
# them again (borough/tenancy/kept.py, ADR 0020); changes made in another process show within this time.
BOROUGH_CONFIG_CACHE_SECONDS = float(os.environ.get("BOROUGH_CONFIG_CACHE_SECONDS", "10"))
OTP_TOTP_ISSUER = BOROUGH_PROVIDER_NAME

# django-axes: lock an account (by username and address) after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "identity/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    # MOJ Frontend's compiled styles look for GOV.UK Frontend's images beside its own.
    ("moj/assets/images", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets" / "images"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Where the mail gateway stores each message before anything else happens to it (borough/channels/email/spool.py).
BOROUGH_MAIL_SPOOL = Path(os.environ.get("BOROUGH_MAIL_SPOOL", VAR_DIR / "mail-spool"))
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "borough.identity.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["borough.identity.permissions.IsTenantMember"],
    "DEFAULT_SCHEMA_CLASS": "borough.identity.api_schema.ApiSchema",
    "DEFAULT_PAGINATION_CLASS": "borough.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "borough.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["borough.identity.api_auth.PerKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"per_key": os.environ.get("API_THROTTLE_RATE", "1200/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Borough API",
    "DESCRIPTION": "The integration API of a Borough tenant. Authenticate with `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from the installed sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: BROKER_URL (RabbitMQ or Redis) in production; the in-memory broker for the embedded default.
CELERY_BROKER_URL = os.environ.get("BROKER_URL", "memory://")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection before and after every task unless told to reuse it: a new
# PostgreSQL connection (and its prepared statements, ADR 0020) a task cost more than a small task itself. Closed
# after 500 tasks; Django's CONN_MAX_AGE and health checks still apply in between (TenantTask closes stale ones).
CELERY_DB_REUSE_MAX = 500
# A message committed by a request waits this long in its process for others to go to the workers in the same task
# (borough/core/outbox_handoff.py, ADR 0023); 0 hands each over at once. Tasks run eagerly ignore it.
BOROUGH_OUTBOX_HANDOFF_SECONDS = float(os.environ.get("BOROUGH_OUTBOX_HANDOFF_SECONDS", "0.05"))
CELERY_BEAT_SCHEDULE = {
    "portal-purge": {"task": "borough.portal.tasks.portal_purge_task", "schedule": 86400.0},
    "outbox-deliver": {"task": "borough.core.tasks.outbox_deliver_due", "schedule": 30.0},
    "crm-sla-sweep": {"task": "borough.crm.tasks.crm_sla_sweep_due", "schedule": 300.0},
    "mail-spool-sweep": {"task": "borough.channels.tasks.mail_spool_sweep", "schedule": 60.0},
    "imap-poll": {"task": "borough.channels.tasks.imap_poll_due", "schedule": 60.0},
}

# Outbound mail (Django 6.1 MAILERS). Tests replace every mailer with the locmem backend.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            # A relay that stops answering must not hold a worker for ever: the message is retried later.
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localhost")
# A tenant's own sender and Reply-To for the emails it sends (its contact mailbox): borough/channels/email/identity.py
BOROUGH_EMAIL_IDENTITY = "borough.channels.email.identity.tenant_email_identity"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
