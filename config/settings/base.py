"""Settings shared by every environment; everything that differs comes from the environment.

local.py, test.py and production.py only flip the few switches that must differ.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "samarbejde.core",
    "samarbejde.accounts",
    "samarbejde.organisations",
    "samarbejde.legal",
    "samarbejde.people",
    "samarbejde.custody",
    "samarbejde.consent",
    "samarbejde.action_plans",
    "samarbejde.pre_sentence",
    "samarbejde.notifications",
    "samarbejde.delivery",
    "samarbejde.documents",
    "samarbejde.audit",
    "samarbejde.public",
    "samarbejde.api",
    "samarbejde.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "samarbejde.core.middleware.CorrelationIdMiddleware",
    # Before the session and login middleware, so that no redirect (?next=...) repeats a CPR from the URL.
    "samarbejde.core.middleware.RefuseCprInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API: Danish whatever Accept-Language says; bodies over API_MAX_BODY_BYTES get 413 before anything reads them.
    "samarbejde.api.middleware.ApiRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samarbejde.organisations.middleware.CurrentMembershipMiddleware",
    "samarbejde.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that lockouts see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "samarbejde" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samarbejde.organisations.context_processors.current_membership",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One SQLite file shared by the threaded web server and the task worker (`make run`), as the Django docs
    # recommend (databases.txt, "SQLite notes"): WAL lets readers go on while one writes; `timeout` is the busy
    # timeout (seconds a connection waits for the write lock); IMMEDIATE transactions take the write lock at
    # BEGIN. A DEFERRED transaction that reads and then writes cannot wait: SQLite fails it at once with
    # "database is locked" when another connection wrote meanwhile (8 identical custody events: 7 got 500).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_TIMEOUT_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # Persistent connections on PostgreSQL: opening one costs a few milliseconds, more than a whole indexed
    # list query (issue 10: at the big size /healthz itself was mostly connection set-up). Health checks drop
    # a connection the server closed (a failover, a restart) before a request uses it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "public:home"

# The client's address (samarbejde.accounts.client_address, ADR 0009): django-axes asks django-ipware, configured
# here. TRUSTED_PROXY_COUNT is the number of reverse proxies in front of the app that each append the address
# they received the request from to X-Forwarded-For (1 behind the documented nginx). 0 (the default): the app
# is reached directly and only REMOTE_ADDR counts; X-Forwarded-For is never read. With N proxies the client
# is the N-th address from the right of X-Forwarded-For, so entries a client adds on the left are ignored.
# ipware's proxy_count counts the proxies *listed* in the header after the client, i.e. N - 1 (the last
# proxy is REMOTE_ADDR, not listed); not strict, so a forged prefix does not void the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
IPWARE_STRICT = False

# django-axes (ADR 0009): lock a username + address pair after AXES_FAILURE_LIMIT failures, so that failures
# from one address never lock the user out at another; and (samarbejde.accounts.lockout) lock an address
# that has failed for LOGIN_ADDRESS_USERNAME_LIMIT different usernames, or LOGIN_ADDRESS_FAILURE_LIMIT times
# in all, within the cool-off time (password spraying). Failures of a user who then logs in are forgotten.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "samarbejde.accounts.lockout.LoginLockoutHandler"
AXES_LOCKOUT_CALLABLE = "samarbejde.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "enrolment_code", "token"]
LOGIN_ADDRESS_USERNAME_LIMIT = env.int("LOGIN_ADDRESS_USERNAME_LIMIT", default=10)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)

# 2FA with TOTP: required for every staff login where OTP_REQUIRED is on (production).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = "Samarbejde"
# Enrolling a TOTP app needs a one-time enrolment code from an administrator (admin action or
# `manage.py enrolment_code USERNAME`), valid this many hours (ADR 0009).
ENROLMENT_CODE_HOURS = env.int("ENROLMENT_CODE_HOURS", default=72)

LANGUAGE_CODE = "da"
# One Danish date format everywhere: samarbejde/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["samarbejde.formats"]
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "samarbejde" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "samarbejde" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Content Security Policy: no inline script or style; scripts only from our origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "samarbejde.core.views.csrf_failure"
# Adopt an incoming X-Correlation-ID only when a trusted proxy in front sets it.
TRUST_CORRELATION_HEADER = env.bool("TRUST_CORRELATION_HEADER", default=False)

# Tasks: django.tasks with the database backend (django-tasks-db).
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "periodic"]},
}
# Seconds between heartbeats of the task worker; /healthz calls the worker stale after 3 missed beats.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)

# Mail: Django 6.1 MAILERS. The console mailer locally; SMTP when EMAIL_URL-like values are set.
MAILERS = {
    "default": {
        "BACKEND": env.str("MAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {},
    }
}
if env.str("SMTP_HOST", default=""):
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.str("SMTP_HOST"),
            "port": env.int("SMTP_PORT", default=25),
            "username": env.str("SMTP_USER", default=""),
            "password": env.str("SMTP_PASSWORD", default=""),
            "use_tls": env.bool("SMTP_USE_TLS", default=False),
        },
    }
# Outbox (samarbejde.delivery): links in e-mails point here; attempts before a delivery is "dead".
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=8)
# A float, so the crash-recovery test can make a restarted worker reclaim within seconds.
DELIVERY_STUCK_MINUTES = env.float("DELIVERY_STUCK_MINUTES", default=10)
# A worker writes the outcomes of a batch together, at the latest this many seconds after the attempt (ADR 0012).
DELIVERY_FLUSH_SECONDS = env.float("DELIVERY_FLUSH_SECONDS", default=1.0)
# Webhooks (samarbejde.delivery.channels.webhook): seconds before a receiver that does not answer counts as
# a failed attempt; hours the previous secret still signs after a rotation; plain http only to loopback,
# and only where WEBHOOK_ALLOW_HTTP is on (local and test settings; never in production).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_ROTATION_GRACE_HOURS = env.int("WEBHOOK_ROTATION_GRACE_HOURS", default=24)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="samarbejde@kriminalforsorgen.invalid")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, with a size and a nesting limit (samarbejde.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["samarbejde.api.parsers.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "samarbejde.api.exceptions.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": None,
}
# Requests per API key (DRF rate syntax, e.g. "600/min"); samarbejde.api.throttling.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
# API request bodies: at most this many bytes (413 problem+json above) and this many levels of nested JSON
# objects and lists (400 above). Python's json module recurses per level: 100,000 levels raised RecursionError.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
SPECTACULAR_SETTINGS = {
    "TITLE": "Samarbejde API",
    "DESCRIPTION": "Kriminalforsorgen og kommunerne: offentlig kontaktliste og sagssamarbejde.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation may answer 400 to a CPR-looking query value (samarbejde/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "samarbejde.api.schema.document_cpr_refusal",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # On every handler (a handler's filter also sees propagated records): request paths are logged without
    # their query strings and with CPR-looking digit runs replaced (samarbejde/core/logging.py).
    "filters": {"redact_paths": {"()": "samarbejde.core.logging.RedactRequestPathFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_paths"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives the "django" logger a console handler of its own (active with DEBUG
        # on) and lets it propagate to root too: every django.* line (e.g. the task worker's "Task id=...
        # state=..." lines from django.tasks) was printed twice under `make run`. Naming the logger here
        # drops that handler, so django.* lines reach the root handler only. Naming it also resets its
        # children, so runserver's request log (django.server) is configured again as Django has it.
        "django": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO ("Step 1 - Fetching and parsing HTML" ...).
        "weasyprint": {"level": "WARNING"},
    },
}


# Notification rules: values whose source is unverified (domain.md) are settings, not constants.
# CIR 87/1985: notify the CPR register when the stay is expected to exceed 3 months, within 5 days.
CPR_NOTICE_MIN_STAY_DAYS = env.int("CPR_NOTICE_MIN_STAY_DAYS", default=92)
CPR_NOTICE_DUE_DAYS = env.int("CPR_NOTICE_DUE_DAYS", default=5)
CPR_NOTICE_DUE_BUSINESS_DAYS = env.bool("CPR_NOTICE_DUE_BUSINESS_DAYS", default=False)
# No statutory answer deadline for the municipality's benefit decisions was found: a product choice.
BENEFITS_DECISION_DUE_BUSINESS_DAYS = env.int("BENEFITS_DECISION_DUE_BUSINESS_DAYS", default=10)
# Deadline sweep (notifications.tasks): remind the recipient this many business days before the due date;
# the sweep (mark overdue, remind, escalate) runs every NOTIFICATION_SWEEP_SECONDS.
NOTIFICATION_REMINDER_BUSINESS_DAYS = env.int("NOTIFICATION_REMINDER_BUSINESS_DAYS", default=2)
NOTIFICATION_SWEEP_SECONDS = env.int("NOTIFICATION_SWEEP_SECONDS", default=900)
# Coordination of the handleplan (BEK 642/2006): the municipality is asked for its case files within this
# many business days (a product choice; the handleplan itself is due 4 weeks after admission).
CASE_FILES_DUE_BUSINESS_DAYS = env.int("CASE_FILES_DUE_BUSINESS_DAYS", default=10)
# § 808 personundersøgelse (pre_sentence): no statutory answer deadline was found (domain brief, process 2), so
# all three are product choices. The answer date proposed: this many business days after the request, but at
# the latest PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING days before the hearing (KiF must write its report); KiF
# keeps seeing a closed investigation PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE days.
PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS = env.int("PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS", default=10)
PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING = env.int("PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING", default=3)
PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE = env.int("PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE", default=90)
# Consent (samarbejde.consent). Product choices, no statutory period found: a consent runs this many days
# from the day it is given unless the form says otherwise, and at most CONSENT_MAX_VALIDITY_DAYS (a bound on
# typing errors; renew it then).
CONSENT_DEFAULT_VALIDITY_DAYS = env.int("CONSENT_DEFAULT_VALIDITY_DAYS", default=365)
CONSENT_MAX_VALIDITY_DAYS = env.int("CONSENT_MAX_VALIDITY_DAYS", default=3 * 365 + 1)
# Plausible dates (samarbejde.core.dates; the custody forms and the API alike). A product choice, not law: a
# date outside is a typing error. Events that happened: not before the person's date of birth (CPR number),
# at most EVENT_MAX_YEARS_BACK years back and EVENT_MAX_DAYS_AHEAD days ahead; planned dates (the expected
# release): at most PLANNED_MAX_YEARS_AHEAD years ahead.
EVENT_MAX_YEARS_BACK = env.int("EVENT_MAX_YEARS_BACK", default=2)
EVENT_MAX_DAYS_AHEAD = env.int("EVENT_MAX_DAYS_AHEAD", default=1)
PLANNED_MAX_YEARS_AHEAD = env.int("PLANNED_MAX_YEARS_AHEAD", default=30)
# Files attached to answers (notifications.attachments): per-file limit and files per answer. Form fields
# (not files) may be at most 2.5 MB in all; files above 2.5 MB stream to a temporary file, not to memory.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
# Public documents (/dokumenter/, uploaded by administrators in the admin): PDF only, at most this size.
PUBLIC_DOCUMENT_MAX_BYTES = env.int("PUBLIC_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * ATTACHMENT_MAX_FILES  # up to 20: our own Danish message; beyond: 400

# Access that ends (ADR 0008, people.link_rules). All product choices, none a statutory period: the
# principle is GDPR art. 5(1)(c, e) and retshåndhævelsesloven § 4 (no longer than needed).
# A prison keeps seeing an episode this many days after it transferred or released the person.
ACCESS_DAYS_AFTER_CUSTODY = env.float("ACCESS_DAYS_AFTER_CUSTODY", default=30)
# A recipient keeps seeing a notice's person this many days after the notice is settled and the stay ended...
LINK_DAYS_AFTER_SETTLED_AND_ENDED = env.float("LINK_DAYS_AFTER_SETTLED_AND_ENDED", default=90)
# ...and never longer than this many days after the stay ended (also for a notice never settled).
LINK_MAX_DAYS_AFTER_END = env.float("LINK_MAX_DAYS_AFTER_END", default=365)
# A KRFO user's "need access" grant lasts at most this many hours (the user chooses within it).
NEED_ACCESS_MAX_HOURS = env.int("NEED_ACCESS_MAX_HOURS", default=72)
# The sweep that closes expired links runs this often.
LINK_SWEEP_SECONDS = env.int("LINK_SWEEP_SECONDS", default=3600)

# --- action_plans (the handleplan) ---------------------------------------------------------------------
# Remand clients get a plan "as soon as possible" (handleplanscirkulæret § 1): how many days that is, is a
# product choice (no number in the source).
ACTION_PLAN_REMAND_DUE_DAYS = env.int("ACTION_PLAN_REMAND_DUE_DAYS", default=14)
# The reminder to the handleplansansvarlig's unit this many days before the plan's deadline (product choice).
ACTION_PLAN_REMINDER_DAYS_BEFORE = env.int("ACTION_PLAN_REMINDER_DAYS_BEFORE", default=7)
# The deadline sweep of the handleplan runs this often (product choice).
ACTION_PLAN_SWEEP_SECONDS = env.int("ACTION_PLAN_SWEEP_SECONDS", default=3600)
