"""Settings shared by every environment. Values that differ between machines come from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_cache, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Overridden by production.py, which refuses to start without a real key.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cooperation.apps.CooperationAdminConfig",  # Django's admin, with the index in sections
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "cooperation",
    "cooperation.jobs",
    "cooperation.explorer",  # the dossiers' counts, kept by triggers (cooperation/explorer/counts.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A query string over MAX_QUERY_STRING_BYTES: 414, before anything parses it.
    "cooperation.request_limits.QueryStringLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With DATABASE_REPLICA_URLS: where this request reads (a replica, or the primary after a write).
    "cooperation.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Cache-Control: private, no-cache and Vary: Authorization, Accept, Cookie on everything under /api/.
    "cooperation.api.caching.APICacheHeadersMiddleware",
    # Records which user made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a login form the login guard refused into the lockout page (cooperation/login_guard.py).
    "cooperation.login_guard.LoginGuardMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# DATABASE_URL selects the backend: sqlite:///path/to/file.sqlite3 (the default, in the project) or
# postgres://user:password@host:5432/name.
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN, so two
    # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the export's query costs enough to trigger it, and compiling it took 4.5 s before
    # the first row at any size, more than the whole export of 100k rows gained from it (bench/RESULTS.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

# DATABASE_REPLICA_URLS: PostgreSQL streaming replicas of the default database, comma-separated. Safe requests
# of clients that have not written lately read from one that is up and at most DATABASE_REPLICA_MAX_LAG_SECONDS
# behind; everything else uses the primary (cooperation/replicas.py). Without it, nothing changes.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), 1):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL: replicas stream from it.")
    replica = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True)
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {url!r} is not a postgres:// URL.")
    replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "connect_timeout": 2}
    # The tests' own database has no replica: there the alias reads the default database.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{number}"] = replica
    DATABASE_REPLICAS.append(f"replica_{number}")
DATABASE_ROUTERS = ["cooperation.replicas.PrimaryReplicaRouter"] if DATABASE_REPLICAS else []
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 5)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 2)
# A client that wrote reads from the primary for this long: past the lag bound, any replica in use has its write.
DATABASE_REPLICA_PIN_SECONDS = env_int(
    "DATABASE_REPLICA_PIN_SECONDS", DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS + 1
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Logins ---------------------------------------------------------------------------------------
# django-axes counts failed logins (admin form and the API's basic-auth token login alike) and locks out the
# username from that address after LOGIN_FAILURE_LIMIT failures for LOGIN_LOCKOUT_MINUTES. Locking the pair,
# not the username alone, keeps an attacker from locking an analyst out everywhere.
# Before them, cooperation.login_guard refuses, before any password is hashed, an address with more than
# LOGIN_FAILURES_PER_ADDRESS failed logins or unknown tokens, and a username with LOGIN_FAILURES_PER_ACCOUNT
# failures from all addresses together within LOGIN_LOCKOUT_MINUTES. Refused clients get 429 with Retry-After.
AUTHENTICATION_BACKENDS = [
    "cooperation.login_guard.LoginGuardBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_LOCKOUT_CALLABLE = "cooperation.login_guard.axes_lockout_response"
LOGIN_FAILURES_PER_ADDRESS = env_rate("LOGIN_FAILURES_PER_ADDRESS", "10/minute")
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 20)
# A session (the admin, the browsable API) ends this long after login; tokens have their own API_TOKEN_TTL_DAYS.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 60 * 60)
# Client addresses come from X-Forwarded-For only behind that many trusted proxies; otherwise a client could
# name any address and dodge the lockout and the rate limits.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
# WhiteNoise serves them from the app itself, so the admin has its CSS under gunicorn with no web server.
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp) --------------------------------------------------------------
# Pages may load scripts, styles, fonts and images from this site only, and run no inline script or style: an
# injected <script> does not run. The admin, the API docs (Swagger UI from drf-spectacular-sidecar's local copy)
# and the job progress page need nothing more; images may also be data: URIs (the admin's and Swagger's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The gazetteer's places loaded as reference data: those of at least this many people (15,000: all 34,000 the
# package ships); a larger number makes a smaller database (a demo, a test server).
GAZETTEER_MIN_POPULATION = env_int("GAZETTEER_MIN_POPULATION", 15_000)

# --- Cache ----------------------------------------------------------------------------------------
# The API's rate limits and the running CSV exports per client are counted here, on every request: in memory
# (locmem://, the default: right for one process, e.g. `make run`) or in Redis (CACHE_URL=redis://host:6379/0),
# which every web process of a deployment shares. Never in the database: that would cost a read, a COUNT and a
# write on every API read.
CACHES = {"default": env_cache("CACHE_URL", "locmem://")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- REST API -------------------------------------------------------------------------------------
# Reads are public unless API_READ_REQUIRES_LOGIN is on; writes always need a user with the model's
# permission (the "editor" group). Clients authenticate with a session or a token ("Authorization: Token
# <key>"); tokens are stored only as a hash and expire.
API_READ_REQUIRES_LOGIN = env_bool("API_READ_REQUIRES_LOGIN", False)
# With API_REQUIRE_IF_MATCH on, a PUT, PATCH or DELETE without If-Match is refused (428): a client that reads,
# edits and writes back without it can otherwise overwrite what others changed since its read.
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", False)
API_MAX_PAGE_SIZE = 1000
# List pages are built from .values() rows by a plan derived from the serializers (cooperation/api/
# representation.py): the same JSON at a third of the time. Off: through the serializers, for comparison.
API_FAST_LISTS = env_bool("API_FAST_LISTS", True)
# Requests per client and period ("120/minute"; "off" for none): anonymous clients by address, users by id.
# A client over its rate gets 429 with Retry-After.
API_THROTTLE_ANON = env_rate("API_THROTTLE_ANON", "300/minute")
API_THROTTLE_USER = env_rate("API_THROTTLE_USER", "3000/minute")
CSV_IMPORT_MAX_BYTES = env_int("CSV_IMPORT_MAX_BYTES", 50 * 2**20)
# JSON from clients (API bodies, a CSV import's parts and citations cells) is read by cooperation.json_input:
# at most JSON_MAX_DEPTH nested arrays and objects (a record with parts needs 3), no key given twice, no NUL.
# A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django's, 2.5 MB by default) is answered 413.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)
# The longest query string read (bytes, as sent: %-encoded); a longer one is answered 414. gunicorn refuses a
# request line over 4,094 bytes before this; the limit holds behind any other server.
MAX_QUERY_STRING_BYTES = env_int("MAX_QUERY_STRING_BYTES", 16 * 1024)
# CSV exports streaming at once per client (user, or address when anonymous); one more is refused with 429 and
# Retry-After. 0: no limit.
CSV_EXPORTS_PER_CLIENT = env_int("CSV_EXPORTS_PER_CLIENT", 2)
# The licence the data package (/api/v1/package/, export_package) states for the data, by its SPDX id.
DATA_LICENSE = env_str("DATA_LICENSE", "CC-BY-4.0")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cooperation.login_guard.GuardedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cooperation.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "cooperation.api.filters.StrictFilterBackend",
        "cooperation.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "cooperation.api.throttling.AnonymousRateThrottle",
        "cooperation.api.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PAGINATION_CLASS": "cooperation.api.pagination.CursorPagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cooperation.api.negotiation.ContentNegotiation",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "cooperation.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cooperation.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["cooperation.api.parsers.JSONParser"],
    "DEFAULT_VERSIONING_CLASS": None,
    "ORDERING_PARAM": "ordering",
    "SEARCH_PARAM": "q",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
# --- Background jobs -------------------------------------------------------------------------------
# Imports of files larger than CSV_IMPORT_BACKGROUND_BYTES (or asked for with ?background=true) run as jobs:
# Django's tasks framework (the django-tasks backport of Django 6's django.tasks) with its database backend,
# run by `manage.py jobs_worker` (see cooperation/jobs/).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CSV_IMPORT_BACKGROUND_BYTES = env_int("CSV_IMPORT_BACKGROUND_BYTES", 256 * 1024)
# A running job reports its progress and that its worker is alive this often; one silent for JOB_STALE_SECONDS
# is taken for dead and run again, at most JOB_MAX_ATTEMPTS times in all.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 2)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cooperation Tracker API",
    "DESCRIPTION": (
        "International counternarcotics cooperation: countries and regions, agencies, officials, agreements, "
        "training, operations, trafficking routes and assessments, every fact with its sources.\n\n"
        "Reads are public; writes need a user with the model's permission, authenticated by session or by "
        "`Authorization: Token <key>` (POST /api/v1/auth/login/ with basic auth issues one). Unknown query "
        "parameters and invalid filter values are refused with 400, naming the parameter."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Choice sets that share a field name with another ("kind", "role") get a name of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CitationKindEnum": "cooperation.models.sources.CitationKind",
        "ParticipantRoleEnum": "cooperation.models.base.ParticipantRole",
        "QualifierEnum": "cooperation.quantities.Qualifier",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cooperation.api.schema.closed_request_bodies",
    ],
}
