"""Project wiring. Every value an operator may change comes from the environment (docs/operations.md)."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ASHYQ_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# "development" (the default: make run, tests) or "production" (secure cookies, HSTS, no demo).
ENVIRONMENT = os.environ.get("ASHYQ_ENVIRONMENT", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("ASHYQ_DEBUG", False)
if PRODUCTION and DEBUG:
    # Debug pages show settings and data of the request to anyone who causes an error.
    raise ImproperlyConfigured("ASHYQ_DEBUG must be off in production.")

SECRET_KEY = os.environ.get("ASHYQ_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ASHYQ_SECRET_KEY must be set in production.")
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = [h for h in os.environ.get("ASHYQ_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ASHYQ_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Serves Swagger UI from our own static files, not a CDN: no third party sees who reads the docs.
    "ninja",
    # The one background queue (Django's tasks framework, backported): tasks are rows in this database, run by
    # `manage.py db_worker` (docs/operations.md). No other service to run.
    "django_tasks",
    "django_tasks_db",
    "ashyq.core",
    "ashyq.accounts",
    "ashyq.bodies",
    "ashyq.dialogue",
    "ashyq.moderation",
    "ashyq.assessment",
    "ashyq.opendata",
    "ashyq.analysis",
    "ashyq.budget",
    "ashyq.legalacts",
    "ashyq.polls",
    "ashyq.blogs",
    "ashyq.publicdata",
    "ashyq.demo",
    # The synthetic data behind `manage.py generate_appeals` (benchmarks); no models, refused in production.
    "ashyq.benchdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Where the request reads: the replica for a GET, the primary for a write and after one (core/replica.py).
    "ashyq.core.replica.ReplicaMiddleware",
    # Outside everything that may answer early, so every answer to a signed-in person or token is marked private.
    "ashyq.core.middleware.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its messages are translated), before anything reads the request.
    "ashyq.core.input_guard.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Gives the page what was typed before its language was switched without a script (core/language_draft.py).
    "ashyq.core.language_draft.LanguageDraftMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ashyq.core.middleware.SecurityHeadersMiddleware",
    # Turns django-ratelimit's refusals (a PermissionDenied) into RATELIMIT_VIEW's 429 page instead of a bare 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "ashyq.urls"
WSGI_APPLICATION = "ashyq.wsgi.application"

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
                "django.template.context_processors.i18n",
                # `can`: what the signed-in person may do, from each app's permissions (core/permissions.py).
                "ashyq.core.permissions.context_processor",
            ],
        },
    },
]

# The Ed25519 key that signs the daily checkpoints of the record (dialogue/transparency.py): base64 of the
# 32-byte private seed. Generated on first use in development (VAR_DIR/checkpoint-key); required in production.
ASHYQ_CHECKPOINT_KEY = os.environ.get("ASHYQ_CHECKPOINT_KEY", "")
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ashyq.sqlite3'}"),
        conn_max_age=int(os.environ.get("ASHYQ_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN,
    # so two concurrent writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A PostgreSQL streaming replica for reads (core/replica.py, docs/operations.md "Reads from a replica"): GET and HEAD
# requests read from it; writes, reads inside a transaction and a client's requests for a while after its own write
# stay on the primary. In tests the alias mirrors the primary unless a test points it at a real replica.
if os.environ.get("ASHYQ_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["ASHYQ_REPLICA_URL"], conn_max_age=int(os.environ.get("ASHYQ_DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that is unreachable fails a request or a /health/ probe within seconds instead of hanging it.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    DATABASE_ROUTERS = ["ashyq.core.replica.ReplicaRouter"]
# How long a client's reads stay on the primary after its own write (seconds): longer than the replica's worst lag.
ASHYQ_REPLICA_PIN_SECONDS = int(os.environ.get("ASHYQ_REPLICA_PIN_SECONDS", "10"))
# /health/ answers 503 when the replica lags more than this (seconds): by default the pin, beyond which a person
# may no longer see their own change.
ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS = float(
    os.environ.get("ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS", str(ASHYQ_REPLICA_PIN_SECONDS))
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Kazakhstan has one time zone (UTC+5) since March 2024; Asia/Almaty carries it.
TIME_ZONE = "Asia/Almaty"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Attachments are private: they live outside the static tree and are served by a view that checks permission.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(VAR_DIR / "media")}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: 5 files of at most 10 MB each per appeal; requests above this are refused before parsing.
ASHYQ_MAX_ATTACHMENTS = int(os.environ.get("ASHYQ_MAX_ATTACHMENTS", "5"))
ASHYQ_MAX_ATTACHMENT_BYTES = int(os.environ.get("ASHYQ_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))
# Open data: one uploaded resource file (CSV, XLSX, JSON) is at most this many bytes (docs/opendata.md).
ASHYQ_OPENDATA_MAX_BYTES = int(os.environ.get("ASHYQ_OPENDATA_MAX_BYTES", str(50 * 1024 * 1024)))
# What an upload may hold, checked before it is read whole (ingest.limits): columns, cells (rows x columns),
# an XLSX's unpacked size and its packing ratio, and the seconds its reading and validation may take.
ASHYQ_OPENDATA_MAX_COLUMNS = int(os.environ.get("ASHYQ_OPENDATA_MAX_COLUMNS", "500"))
ASHYQ_OPENDATA_MAX_CELLS = int(os.environ.get("ASHYQ_OPENDATA_MAX_CELLS", "20000000"))
ASHYQ_OPENDATA_MAX_UNPACKED_BYTES = int(os.environ.get("ASHYQ_OPENDATA_MAX_UNPACKED_BYTES", str(300 * 1024 * 1024)))
ASHYQ_OPENDATA_MAX_PACKING_RATIO = int(os.environ.get("ASHYQ_OPENDATA_MAX_PACKING_RATIO", "200"))
ASHYQ_OPENDATA_MAX_SECONDS = float(os.environ.get("ASHYQ_OPENDATA_MAX_SECONDS", "600"))
# Uploads larger than this are validated by the background worker, with a progress page, not in the request.
ASHYQ_OPENDATA_BACKGROUND_BYTES = int(os.environ.get("ASHYQ_OPENDATA_BACKGROUND_BYTES", str(1024 * 1024)))

# The background queue (see INSTALLED_APPS). The database backend by default; ASHYQ_TASKS_BACKEND names another
# backend of Django's tasks framework (a broker's, e.g. the backport's RQ backend, when one machine's worker is
# not enough: docs/operations.md 6a). ASHYQ_TASKS_IMMEDIATE=1 runs tasks at once in the caller after commit (a
# development machine without the worker; never in production, where a request must not wait).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("ASHYQ_TASKS_IMMEDIATE")
        else os.environ.get("ASHYQ_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A failing task is tried again after this many seconds, doubled at each attempt (core/tasks.py).
ASHYQ_TASK_RETRY_SECONDS = float(os.environ.get("ASHYQ_TASK_RETRY_SECONDS", "10"))
# The worker's heartbeat, and how old a heartbeat may get before the worker counts as dead and its running task
# goes back to the queue (core/worker.py). Keep STALE well above HEARTBEAT.
ASHYQ_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("ASHYQ_WORKER_HEARTBEAT_SECONDS", "10"))
ASHYQ_WORKER_STALE_SECONDS = float(os.environ.get("ASHYQ_WORKER_STALE_SECONDS", "60"))
# How many due tasks a worker claims at once; the figures and analysis tasks among them run together, in one
# transaction (core/worker.py). A larger batch drains a backlog faster and holds its tasks a little longer.
ASHYQ_WORKER_BATCH = int(os.environ.get("ASHYQ_WORKER_BATCH", "200"))
# The pages of derived figures (assessment, content analysis: the FIGURES scope of core/pagecache.py) are renewed
# at most once per this many seconds, so a stream of events does not empty their cache; they may be this old.
# Pages showing the record itself (publication, answers, moderation) are renewed at once whatever this says. 0: at once.
ASHYQ_FIGURES_PAGE_LAG_SECONDS = float(os.environ.get("ASHYQ_FIGURES_PAGE_LAG_SECONDS", "60"))
# /health/ says "degraded" when the oldest due task has waited longer than this (the worker is down or behind).
ASHYQ_HEALTH_MAX_QUEUE_SECONDS = int(os.environ.get("ASHYQ_HEALTH_MAX_QUEUE_SECONDS", "300"))
# Link checks of open-data resources (check_links): per-request timeout, redirects followed, and networks that
# may be probed although private (comma-separated CIDRs, e.g. an intranet mirror); by default none may.
ASHYQ_OPENDATA_LINK_TIMEOUT = float(os.environ.get("ASHYQ_OPENDATA_LINK_TIMEOUT", "5"))
ASHYQ_OPENDATA_LINK_MAX_REDIRECTS = int(os.environ.get("ASHYQ_OPENDATA_LINK_MAX_REDIRECTS", "5"))
# datastore_search: above this many matches the total is PostgreSQL's estimate (CKAN's total_was_estimated);
# a query running longer than the timeout is cancelled (docs/opendata.md).
ASHYQ_DATASTORE_TOTAL_ESTIMATION_THRESHOLD = int(os.environ.get("ASHYQ_DATASTORE_TOTAL_ESTIMATION_THRESHOLD", "100000"))
ASHYQ_DATASTORE_TIMEOUT_MS = int(os.environ.get("ASHYQ_DATASTORE_TIMEOUT_MS", "10000"))
# The same threshold for a search with q, lower: counting matches of q reads each of them from the table.
ASHYQ_DATASTORE_TEXT_TOTAL_ESTIMATION_THRESHOLD = int(os.environ.get("ASHYQ_DATASTORE_TEXT_TOTAL_ESTIMATION_THRESHOLD", "10000"))
# PostgreSQL's maintenance_work_mem while the trigram index of datastore_search's q is built after a load: a GIN
# index built within it is written once, past it merged from disk (docs/opendata.md).
ASHYQ_DATASTORE_TEXT_INDEX_MEMORY = os.environ.get("ASHYQ_DATASTORE_TEXT_INDEX_MEMORY", "256MB")
ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS = [
    n.strip() for n in os.environ.get("ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS", "").split(",") if n.strip()
]
# Content analysis (docs/analysis.md): suggest the cause and sector of each new appeal right after it is
# registered. The benchmark turns it off to measure what it costs the submission.
ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT = env_bool("ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT", True)
# Below this probability of its best body (a calibrated routing model), the appeal form says it is not sure and
# asks the applicant to choose, instead of ranking three bodies (docs/analysis.md).
ASHYQ_ROUTING_MIN_CONFIDENCE = float(os.environ.get("ASHYQ_ROUTING_MIN_CONFIDENCE", "0.3"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The machine interfaces and the function that shapes their errors (core/input_guard.py): every error on these
# paths, a 404, 405, 413, 429 or 500 included, is answered in the interface's own format, never as an HTML page.
ASHYQ_ERROR_RESPONDERS = {
    "/api/v1/": "ashyq.api.error_response",
    "/api/3/": "ashyq.opendata.ckan.error_response",
    "/api/action": "ashyq.opendata.ckan.error_response",
    "/open311/": "ashyq.open311.views.error_response",
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("ASHYQ_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("ASHYQ_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ASHYQ_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ASHYQ_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ASHYQ_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ASHYQ_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("ASHYQ_DEFAULT_FROM_EMAIL", "Ashyq <no-reply@ashyq.example>")
ASHYQ_SITE_URL = os.environ.get("ASHYQ_SITE_URL", "http://127.0.0.1:8000")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Public pages for visitors who are not signed in, and the generations that invalidate them (core/pagecache.py).
    # Every process must see the same generations (a bump in the worker reaches the web servers): files under
    # VAR_DIR on one machine, the shared cache when there is one.
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "pages"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
if os.environ.get("ASHYQ_CACHE_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["ASHYQ_CACHE_URL"]}
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["ASHYQ_CACHE_URL"],
        "KEY_PREFIX": "pages",
    }
# How long a public page stays in that cache at most (seconds); the events that change a page end it sooner.
# 0 serves every page from its view.
ASHYQ_PAGE_CACHE_SECONDS = int(os.environ.get("ASHYQ_PAGE_CACHE_SECONDS", "600"))
RATELIMIT_ENABLE = env_bool("ASHYQ_RATELIMIT_ENABLE", True)
# New appeals, through every channel together (the form, the JSON API, Open311): per applicant and per client
# address, as django-ratelimit rates ("20/h", "100/d"). dialogue/submission_cap.py.
ASHYQ_SUBMISSIONS_PER_USER = os.environ.get("ASHYQ_SUBMISSIONS_PER_USER", "20/h")
ASHYQ_SUBMISSIONS_PER_ADDRESS = os.environ.get("ASHYQ_SUBMISSIONS_PER_ADDRESS", "60/h")
# Anonymous reports of crimes and threats to public safety (no account): per client address (dialogue/anonymous_views.py).
ASHYQ_ANONYMOUS_REPORTS_PER_ADDRESS = os.environ.get("ASHYQ_ANONYMOUS_REPORTS_PER_ADDRESS", "5/d")
# Sign-in lockout: after this many failed sign-ins for one username from one client address within the window,
# that username is refused from that address for the window; each further lockout of the pair within a day
# doubles the pause, up to the maximum (accounts/services.py). Other addresses are never affected.
ASHYQ_LOGIN_MAX_FAILURES = int(os.environ.get("ASHYQ_LOGIN_MAX_FAILURES", "5"))
ASHYQ_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("ASHYQ_LOGIN_LOCKOUT_MINUTES", "15"))
ASHYQ_LOGIN_LOCKOUT_MAX_MINUTES = int(os.environ.get("ASHYQ_LOGIN_LOCKOUT_MAX_MINUTES", str(24 * 60)))

# The TrueType font of PDF receipts: it must have Kazakh and Russian letters (fonts-dejavu-core has DejaVu Sans).
ASHYQ_PDF_FONT = os.environ.get("ASHYQ_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Identity verification (core/identity.py, accounts/verification.py; docs/operations.md "Identity levels"). The level
# each step needs: none, email, sms or eds. An official's answer needs none by default, as before levels existed.
ASHYQ_REQUIRED_LEVELS = {
    step: os.environ.get(f"ASHYQ_LEVEL_{step.upper()}", default).strip().lower()
    for step, default in (("write_appeal", "email"), ("sign_appeal", "sms"), ("vote", "sms"), ("official_answer", "none"))
}
# Whether an appeal written on the site's forms or sent through the JSON API must be signed (by EDS, or by a one-time
# code to the applicant's confirmed phone) to be registered: "optional" (the default: signing is offered) or
# "required" (as on e-Otinish). Either way signing needs ASHYQ_LEVEL_SIGN_APPEAL, and with "required" so does writing.
ASHYQ_APPEAL_SIGNATURE = os.environ.get("ASHYQ_APPEAL_SIGNATURE", "optional").strip().lower()
if ASHYQ_APPEAL_SIGNATURE not in ("optional", "required"):
    raise ImproperlyConfigured(f"ASHYQ_APPEAL_SIGNATURE must be optional or required (not {ASHYQ_APPEAL_SIGNATURE!r}).")
for _step, _level in ASHYQ_REQUIRED_LEVELS.items():
    if _level not in ("none", "email", "sms", "eds"):
        raise ImproperlyConfigured(f"ASHYQ_LEVEL_{_step.upper()} must be none, email, sms or eds (not {_level!r}).")
# The key of the keyed hash (HMAC-SHA256) of phone numbers and IINs: the same person gives the same hash, so one
# person has one account, and no number is stored readable. Changing it orphans every stored hash.
ASHYQ_IDENTITY_HASH_KEY = os.environ.get("ASHYQ_IDENTITY_HASH_KEY", "") or f"identity:{SECRET_KEY}"
# How long a verification holds before it must be renewed (days; empty: never expires).
ASHYQ_SMS_VERIFICATION_DAYS = int(os.environ.get("ASHYQ_SMS_VERIFICATION_DAYS", "365"))
ASHYQ_IN_PERSON_VERIFICATION_DAYS = int(os.environ.get("ASHYQ_IN_PERSON_VERIFICATION_DAYS", str(3 * 365)))
# SMS codes (accounts/sms.py): the gateway, a code's life, the wait before another code, the failed tries a code
# survives, and the sending rates per phone number, per client address and per account.
ASHYQ_SMS_BACKEND = os.environ.get(
    "ASHYQ_SMS_BACKEND", "ashyq.accounts.sms.MobizonGateway" if PRODUCTION else "ashyq.accounts.sms.ConsoleGateway"
)
ASHYQ_SMS_API_URL = os.environ.get("ASHYQ_SMS_API_URL", "https://api.mobizon.kz")
ASHYQ_SMS_API_KEY = os.environ.get("ASHYQ_SMS_API_KEY", "")
ASHYQ_SMS_SENDER = os.environ.get("ASHYQ_SMS_SENDER", "")
ASHYQ_SMS_TIMEOUT_SECONDS = float(os.environ.get("ASHYQ_SMS_TIMEOUT_SECONDS", "10"))
ASHYQ_SMS_CODE_SECONDS = int(os.environ.get("ASHYQ_SMS_CODE_SECONDS", "300"))
ASHYQ_SMS_RESEND_SECONDS = int(os.environ.get("ASHYQ_SMS_RESEND_SECONDS", "60"))
# Web conferences: the services their video may be linked from (comma-separated hosts, e.g. "meet.jit.si,bbb.gov.kz";
# a subdomain of one counts). Empty: any https host (blogs/video.py).
ASHYQ_CONFERENCE_VIDEO_HOSTS = [h for h in os.environ.get("ASHYQ_CONFERENCE_VIDEO_HOSTS", "").split(",") if h.strip()]
ASHYQ_SMS_MAX_TRIES = int(os.environ.get("ASHYQ_SMS_MAX_TRIES", "5"))
# Digital signatures (EDS, core/eds.py; docs/operations.md "Digital signatures"): the trusted root certificates (PEM or
# DER files, or folders of them, separated by os.pathsep; none: signing is not offered), how revocation lists and OCSP
# answers are fetched (a dotted path; tests inject their own) and within what time, how far a signature's signing time
# may stand from the server's clock, how long an EDS verification holds at most (it also ends with the certificate),
# and where the page finds NCALayer on the person's computer.
ASHYQ_EDS_TRUSTED_ROOTS = [p for p in os.environ.get("ASHYQ_EDS_TRUSTED_ROOTS", "").split(os.pathsep) if p.strip()]
ASHYQ_EDS_FETCHER = os.environ.get("ASHYQ_EDS_FETCHER", "ashyq.core.eds.fetch_over_http")
ASHYQ_EDS_FETCH_TIMEOUT_SECONDS = float(os.environ.get("ASHYQ_EDS_FETCH_TIMEOUT_SECONDS", "10"))
# A revocation list is downloaded once and kept in the default cache until its nextUpdate, at most this long (seconds;
# 0: every signature downloads it anew). core/eds.py _crl.
ASHYQ_EDS_CRL_CACHE_SECONDS = int(os.environ.get("ASHYQ_EDS_CRL_CACHE_SECONDS", str(24 * 3600)))
ASHYQ_EDS_MAX_SKEW_HOURS = float(os.environ.get("ASHYQ_EDS_MAX_SKEW_HOURS", "24"))
ASHYQ_EDS_VERIFICATION_DAYS = int(os.environ.get("ASHYQ_EDS_VERIFICATION_DAYS", "365"))
ASHYQ_NCALAYER_URL = os.environ.get("ASHYQ_NCALAYER_URL", "wss://127.0.0.1:13579/")
ASHYQ_SMS_PER_PHONE = os.environ.get("ASHYQ_SMS_PER_PHONE", "5/d")
ASHYQ_SMS_PER_ADDRESS = os.environ.get("ASHYQ_SMS_PER_ADDRESS", "20/d")
ASHYQ_SMS_PER_USER = os.environ.get("ASHYQ_SMS_PER_USER", "5/d")


def env_period(name: str, default: int | None) -> int | None:
    """A retention period in whole days or years; empty or "never" keeps the data (None)."""
    raw = os.environ.get(name, "" if default is None else str(default)).strip().lower()
    if raw in ("", "never"):
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, or empty for never.")
    return int(raw)


# Retention of personal data outside the appeal record (accounts/retention.py, `manage.py purge_personal_data`,
# docs/operations.md "Personal data and retention"). Set them to your records-retention schedule.
ASHYQ_RETAIN_UNCONFIRMED_ACCOUNTS_DAYS = env_period("ASHYQ_RETAIN_UNCONFIRMED_ACCOUNTS_DAYS", 30)
ASHYQ_RETAIN_ABUSE_REPORT_ADDRESSES_DAYS = env_period("ASHYQ_RETAIN_ABUSE_REPORT_ADDRESSES_DAYS", 90)
ASHYQ_RETAIN_REDACTION_FRAGMENTS_DAYS = env_period("ASHYQ_RETAIN_REDACTION_FRAGMENTS_DAYS", 365)
ASHYQ_RETAIN_UNUSED_API_TOKENS_DAYS = env_period("ASHYQ_RETAIN_UNUSED_API_TOKENS_DAYS", 365)
ASHYQ_RETAIN_APPLICANT_DATA_YEARS = env_period("ASHYQ_RETAIN_APPLICANT_DATA_YEARS", None)
# The reverse proxies (nginx, a load balancer) in front of Ashyq: comma-separated addresses or networks
# (e.g. "127.0.0.1,10.0.0.0/8"). The client is the nearest X-Forwarded-For address that is not one of them
# (core/net.py); empty: the connection's address, and the header is ignored.
ASHYQ_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("ASHYQ_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in ASHYQ_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"ASHYQ_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None
RATELIMIT_IP_META_KEY = "ashyq.core.net.client_ip"
RATELIMIT_VIEW = "ashyq.core.views.rate_limited"
# The local-memory cache is per process; production runs one shared cache (docs/operations.md).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ASHYQ_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe the application over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "ashyq": {"handlers": ["console"], "level": os.environ.get("ASHYQ_LOG_LEVEL", "INFO")},
        # Server errors with their tracebacks reach the log in production too, not only in debug mode.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
