"""Settings of the CQPT portal.

Every value comes from the environment (django-environ). Three ways to run:

- the embedded default, with no environment at all (``scripts/run``): SQLite,
  Celery tasks in-process, mail printed to the console, on 127.0.0.1/localhost,
  with DEBUG off so that a visitor sees the portal's own French error pages;
  WhiteNoise serves the static files straight from the source folders;
- development: ``DEBUG=true`` (Django's debug pages), set explicitly;
- production: ``DEBUG=false`` set explicitly, with ``SECRET_KEY``,
  ``DATABASE_URL``, ``REDIS_URL``, ``ALLOWED_HOSTS``, the mail settings and
  ``MEDIA_ROOT``; HTTPS-only cookies, HSTS, hashed static files. See docs/deploy.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Production is asked for by setting DEBUG=false; without DEBUG the portal runs on its embedded default.
PRODUCTION = "DEBUG" in os.environ and not DEBUG
DEMO_MODE = env.bool("DEMO_MODE", default=not PRODUCTION)
SECRET_KEY = env(
    "SECRET_KEY",
    default="dev-only-insecure-key-change-me-in-production-0123456789abcdef" if not PRODUCTION else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if not PRODUCTION else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where the accessibility statement sends people who cannot use a page.
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", default="accessibilite@cqpt.example")

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
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "cqpt_portal.accounts",
    "cqpt_portal.audit",
    "cqpt_portal.notifications",
    "cqpt_portal.files",
    "catalogue",
    "candidates",
    "evaluation",
    "quiz",
    "cpne",
    "funding",
    "personal_data",
    "demo",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer the balancer whatever its Host header and scheme.
    "cqpt_portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cqpt_portal.accounts.middleware.PortalLocaleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cqpt_portal.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW (429, French page) instead of a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "cqpt_portal.accounts.middleware.NoStoreWhenSignedInMiddleware",
]

ROOT_URLCONF = "cqpt_portal.urls"
WSGI_APPLICATION = "cqpt_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% form_field %} in every template: a form field drawn in Python (cqpt_portal/form_fields.py).
            "builtins": ["cqpt_portal.form_fields"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cqpt_portal.notifications.context_processors.unread_notifications",
                "cqpt_portal.accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
# A kept connection is checked before reuse: after a PostgreSQL restart the next request reconnects instead of a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")


def caches_with_redis(url: str) -> dict:
    """Redis is only a fast path: the rate-limit counters fall back to a table of the database when it
    errors or hangs (short timeouts, no retries), so that login and password reset work, throttled, without it.
    """
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "default": {
            "BACKEND": "cqpt_portal.cache.FallbackCache",
            "OPTIONS": {"primary": "redis", "fallback": "database", "pause_seconds": 30},
        },
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},  # redis-py retries 3 times by default
            },
        },
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cqpt_cache"},
    }


if REDIS_URL:
    CACHES = caches_with_redis(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cqpt_portal.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "cqpt_portal.accounts.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # reset links live one hour

# Throttling: django-axes locks one (account, client address) pair, so that a stranger's wrong passwords
# never lock the owner out; the cool-off doubles with each further failure. A client address failing on
# many accounts (password spraying) is refused by accounts.throttling.client_is_spraying.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_COOLOFF_BASE = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
LOGIN_COOLOFF_MAX = timedelta(hours=24)
AXES_COOLOFF_TIME = "cqpt_portal.accounts.throttling.axes_cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True  # each pair expires on its own (no global clean-up by one request's cool-off)
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the day's failures: lockouts counted for the growth, spraying per address
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "cqpt_portal.accounts.throttling.axes_username"  # case-insensitive, like the login
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client address is REMOTE_ADDR unless a trusted proxy sets a header the
# client cannot forge (nginx: X-Real-IP -> CLIENT_IP_META_KEY=HTTP_X_REAL_IP).
CLIENT_IP_META_KEY = env("CLIENT_IP_META_KEY", default="REMOTE_ADDR")
AXES_IPWARE_META_PRECEDENCE_ORDER = [CLIENT_IP_META_KEY]
RATELIMIT_IP_META_KEY = CLIENT_IP_META_KEY
RATELIMIT_VIEW = "cqpt_portal.accounts.views.ratelimited"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
SILENCED_SYSTEM_CHECKS = [
    # Lockout is per account on purpose; per-address throttling is django-ratelimit's job.
    "axes.W006",
    # Without Redis: the local-memory cache. With it: cqpt_portal.cache.FallbackCache (Redis, then a table).
    *([] if REDIS_URL else ["django_ratelimit.E003"]),
    "django_ratelimit.W001",
]

OTP_TOTP_ISSUER = "Portail CQPT"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves the static folders themselves (no collectstatic), DEBUG or not.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploaded documents live under MEDIA_ROOT/private, which no URL serves: only
# permission-checked views read them (X-Accel-Redirect in production).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=Path(MEDIA_ROOT) / "private")
PRIVATE_FILES_ACCEL_PREFIX = env("PRIVATE_FILES_ACCEL_PREFIX", default="")
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
EMPLOYER_INVITATIONS_PER_DAY = env.int("EMPLOYER_INVITATIONS_PER_DAY", default=10)  # per company, 24 hours
UPLOAD_MAX_PIXELS = 50_000_000  # images are decoded fully: a 20000x20000 "bomb" is refused before decoding
# Per dossier: how many documents and how many bytes in all.
DOSSIER_MAX_DOCUMENTS = env.int("DOSSIER_MAX_DOCUMENTS", default=20)
DOSSIER_MAX_TOTAL_BYTES = env.int("DOSSIER_MAX_TOTAL_MB", default=60) * 1024 * 1024
# Experience periods per dossier. The 1607-hour rule looks back 3 years: a year of full-time work, or a
# few dozen short contracts (temping, a month each) at the most; 60 leaves room for that and for older
# experience described for context, while keeping the step and the review pages a few dozen cards long.
DOSSIER_MAX_PERIODS = env.int("DOSSIER_MAX_PERIODS", default=60)
# The step page counts down the periods left once this few remain.
DOSSIER_PERIODS_WARNING = 10
# Per evaluation, the dossier de preuves: a référentiel has a dozen or two competencies, each shown by a
# piece or two; 40 pieces and 100 MB leave room for that without a page that lists hundreds.
EVIDENCE_MAX_PIECES = env.int("EVIDENCE_MAX_PIECES", default=40)
EVIDENCE_MAX_TOTAL_BYTES = env.int("EVIDENCE_MAX_TOTAL_MB", default=100) * 1024 * 1024
# Antivirus: with CLAMD_SOCKET (a Unix socket path, or host:port) every upload is scanned by clamd.
# When clamd does not answer, CLAMD_UNAVAILABLE says what happens: "refuse" the upload (default), or "accept" it
# unscanned (logged at ERROR).
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_UNAVAILABLE = env("CLAMD_UNAVAILABLE", default="refuse")
CLAMD_TIMEOUT = env.int("CLAMD_TIMEOUT", default=30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Django's form renderer, with the plain widget templates (input, select, textarea) written in Python.
FORM_RENDERER = "cqpt_portal.form_renderer.FastWidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if not PRODUCTION
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Portail CQPT <noreply@cqpt.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives the tracebacks of server errors (ADMINS=ops@example.org,dev@example.org).
ADMINS = [("", address) for address in env.list("ADMINS", default=[])]

# Celery: with no REDIS_URL, tasks run in-process (eager) so that the portal
# needs nothing but Python; with it, a worker and beat do the work.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task gives the message back instead of acknowledging it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A broker outage must not hold a web request: publishing fails fast and the
# outbox sweep (beat) sends what is still pending.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
# A Redis restart must not make the worker exit: it reconnects, however long it takes.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The worker keeps its database connection from task to task (cqpt_portal/celery.py): Celery's Django fixup
# closes it around every task unless DB_REUSE_MAX is set (then it closes it every that many tasks), and a new
# PostgreSQL connection cost most of a short task's time. Age and health are checked as around a request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# CONN_MAX_AGE of the worker's processes; by default CONN_MAX_AGE when it is set, else 10 minutes.
WORKER_CONN_MAX_AGE = env.int("WORKER_CONN_MAX_AGE", default=env.int("CONN_MAX_AGE", default=600))
# cqpt_portal.broker.publish_bounded (the outbox) waits this long (seconds) for the broker, then leaves it to the
# sweep; after a failed publish a process does not try that broker again for the pause.
OUTBOX_PUBLISH_TIMEOUT = env.float("OUTBOX_PUBLISH_TIMEOUT", default=1.0)
OUTBOX_PUBLISH_PAUSE_SECONDS = env.float("OUTBOX_PUBLISH_PAUSE_SECONDS", default=10)
# visibility_timeout: how long an unacknowledged task (its worker killed) waits before Redis hands it again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_BEAT_SCHEDULE = {
    "flush-notification-outbox": {
        "task": "cqpt_portal.notifications.tasks.flush_outbox",
        "schedule": env.int("OUTBOX_SWEEP_SECONDS", default=60),
    },
    "remind-unanswered-assignments": {
        "task": "evaluation.tasks.remind_unanswered_assignments",
        "schedule": env.int("ASSIGNMENT_REMINDER_SWEEP_SECONDS", default=3600),
    },
    "apply-personal-data-retention": {
        "task": "personal_data.tasks.apply_retention",
        "schedule": crontab(hour=env.int("RETENTION_HOUR", default=3), minute=15),
    },
    "close-expired-quiz-attempts": {
        "task": "quiz.tasks.close_expired_attempts",
        "schedule": env.int("QUIZ_EXPIRY_SWEEP_SECONDS", default=30),
    },
    # AUVICOM's CSV exports (issue 13): expired ones deleted, those a broker outage left pending queued again.
    "sweep-admissibility-exports": {
        "task": "candidates.tasks.sweep_admissibility_exports",
        "schedule": env.int("ADMISSIBILITY_EXPORT_SWEEP_SECONDS", default=600),
    },
    # CPNE (issue 9): certificates and minutes a broker outage or a killed worker left undone.
    "sweep-cpne-certificates": {
        "task": "cpne.tasks.sweep_certificates_and_minutes",
        "schedule": env.int("CPNE_SWEEP_SECONDS", default=300),
    },
}
# CPNE (issue 9): members present in each college for the commission to decide.
CPNE_QUORUM_PER_COLLEGE = env.int("CPNE_QUORUM_PER_COLLEGE", default=2)
# How long the portal keeps each kind of personal data (RGPD art. 5-1-e); the nightly task
# personal_data.tasks.apply_retention applies it and the privacy page shows it. Each period is
# overridable by the environment variable RETENTION_<KEY upper-cased>, e.g. RETENTION_DRAFT_INACTIVE_MONTHS=6.
_RETENTION_DEFAULTS = {
    "draft_inactive_months": 12,  # a never-submitted draft untouched this long is deleted
    "draft_warning_days": 30,  # the candidate is warned this long before
    "documents_after_decision_months": 12,  # supporting documents and evidence, after the final decision
    "dossier_after_decision_months": 60,  # the dossier, its history and evaluation results (then pseudonymised)
    "award_record_months": 600,  # name, birth date and decision of an awarded CQPT: the certificate stays verifiable
    "notifications_months": 12,
    "audit_months": 72,
    "logs_months": 6,  # login attempts (address, time) kept by django-axes
    "archives_days": 7,  # a personal-data archive (ZIP) and its download link
}
PERSONAL_DATA_RETENTION = {
    key: env.int(f"RETENTION_{key.upper()}", default=value) for key, value in _RETENTION_DEFAULTS.items()
}
# How long the signed download link of a personal-data archive stays valid.
DATA_ARCHIVE_LINK_HOURS = env.int("DATA_ARCHIVE_LINK_HOURS", default=72)
# Who answers privacy requests (privacy page, e-mails).
DATA_PROTECTION_CONTACT_EMAIL = env("DATA_PROTECTION_CONTACT_EMAIL", default="dpo@cqpt.example")
# AUVICOM's CSV export (issue 13): up to this many lines it is streamed at once; above, a task writes the file,
# kept this many days for its requester to download.
ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS = env.int("ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS", default=20_000)
ADMISSIBILITY_EXPORT_KEEP_DAYS = env.int("ADMISSIBILITY_EXPORT_KEEP_DAYS", default=7)
# Working days an evaluator organisation has to answer an assignment before it is reminded and shown as late.
ASSIGNMENT_ANSWER_DAYS = env.int("ASSIGNMENT_ANSWER_DAYS", default=5)
# The header's count of unread notifications is kept this long in the cache (forgotten at each change).
NOTIFICATION_UNREAD_COUNT_SECONDS = env.int("NOTIFICATION_UNREAD_COUNT_SECONDS", default=300)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
# How long a worker owns a notification it is sending; past it (the worker died), the sweep sends it again.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=max(300, 4 * EMAIL_TIMEOUT))
# E-mails a worker sends over one mail-server connection (a task takes its own and others due, under one lease).
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=50)

SESSION_COOKIE_AGE = 60 * 60 * 8
# With Redis, a session is read from the cache (written to both): one PostgreSQL query less on every page.
# The table stays the reference, so a Redis restart logs nobody out (cqpt_portal.cache.FallbackCache).
SESSION_ENGINE = env(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db",
)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "cqpt_portal.errors.csrf_failure"
# Pages are never framed; private_file_response lets the portal frame a document (review page).
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): the portal's own origin only, no inline script or style
# (a private document's response sets its own, stricter policy).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The balancer probes over plain HTTP (cqpt_portal.health answers them before any host check too).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Error reports and logs carry no personal data and no live token (cqpt_portal/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "cqpt_portal.reporting.PortalExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "cqpt_portal.reporting.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # weasyprint.progress logs every rendering step at INFO: noise, and time, in the certificate batch (CPNE).
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
