"""Settings of citemploi, read from environment variables.

Embedded defaults: SQLite (WAL, busy timeout, immediate transactions), e-mails printed on the console,
uploaded files on the local disk, a database-backed task queue. Set DATABASE_URL for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from citemploi.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("CITEMPLOI_VAR_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CITEMPLOI_TESTING", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "citemploi.core",
    "citemploi.accounts",
    "citemploi.territory",
    "citemploi.partners",
    "citemploi.people",
    "citemploi.offer",
    "citemploi.partnership",
    "citemploi.calls",
    "citemploi.pathways",
    "citemploi.tracking",
    "citemploi.orientations",
    "citemploi.cohorts",
    "citemploi.reporting",
    "citemploi.diagnostic",
    "citemploi.budget",
    "citemploi.secrecy",
    "citemploi.demo",
    "citemploi.api",
    "citemploi.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "citemploi.core.request_id.RequestIdMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "citemploi.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "citemploi.core.middleware.CurrentContextMiddleware",
]

ROOT_URLCONF = "citemploi.urls"
WSGI_APPLICATION = "citemploi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "citemploi.core.context_processors.current_context",
                "citemploi.www.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
            # Unknown variables fail loudly in tests (see tests/settings guard-rails).
            "string_if_invalid": "INVALID_TEMPLATE_VARIABLE(%s)" if TESTING else "",
        },
    }
]

# --- Database -----------------------------------------------------------------------------------------
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(VAR_DIR / "citemploi.sqlite3")))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # One connection per server thread, kept between requests: no reconnection and PRAGMAs each time.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # Writers wait for each other instead of failing with "database is locked".
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_S", 20),
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-32000;"
                    "PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }
#: a PostgreSQL read replica for the indicators (dashboards, exports, Copil report): docs/production.md
REPORTING_DATABASE_URL = env_str("REPORTING_DATABASE_URL", "")
if REPORTING_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPORTING_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["citemploi.core.dbrouter.ReportingReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Passwords, sessions ---------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "citemploi.accounts.validators.ForbiddenWordsValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Sign-in security (citemploi.accounts.security, citemploi.core.ratelimit) ---------------------------
#: an e-mail address is refused after this many failures within SIGNIN_LOCKOUT_SECONDS
SIGNIN_MAX_FAILURES = env_int("SIGNIN_MAX_FAILURES", 5)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", 15 * 60)
#: an IP address is refused after this many failures (all accounts) within the same window
SIGNIN_IP_MAX_FAILURES = env_int("SIGNIN_IP_MAX_FAILURES", 30)
#: a session unused for this long ends (SESSION_COOKIE_AGE is the absolute lifetime)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
#: sensitive acts (bulk export, erasure, break-glass) need the password re-entered within this delay
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 10 * 60)
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
PASSWORD_RESET_PER_HOUR = env_int("PASSWORD_RESET_PER_HOUR", 10)
DIRECTORY_SEARCH_PER_MINUTE = env_int("DIRECTORY_SEARCH_PER_MINUTE", 60)
#: single-use answer links of orientations: opening or answering, per client address (guessing is refused)
ANSWER_LINK_PER_HOUR = env_int("ANSWER_LINK_PER_HOUR", 60)
#: indicator results are kept while the data they come from is unchanged (citemploi/reporting/freshness.py),
#: at most this long; 0 computes every time (the test suite's default: tests that need it switch it on)
INDICATOR_CACHE_SECONDS = env_int("INDICATOR_CACHE_SECONDS", 0 if TESTING else 3600)
#: threads computing a dashboard's indicators at once, each on its own database connection
#: (citemploi/reporting/parallel.py): the machine's cores, at most 4; 1 computes them one after the other
INDICATOR_WORKERS = env_int("INDICATOR_WORKERS", min(4, os.cpu_count() or 1))
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "citemploi")
#: key of the secrets encrypted at rest (TOTP secrets): a Fernet key or any long passphrase; without it, a key
#: derived from SECRET_KEY (HKDF). Former keys, comma-separated, still decrypt (`citemploi rotate_field_keys`).
FIELD_ENCRYPTION_KEY = env_str("CITEMPLOI_FIELD_KEY", "")
FIELD_ENCRYPTION_OLD_KEYS = env_list("CITEMPLOI_FIELD_OLD_KEYS", [])
#: ProConnect (OpenID Connect): the button shows only when the issuer and the client are configured
PROCONNECT_ISSUER = env_str("PROCONNECT_ISSUER", "")
PROCONNECT_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SCOPES = env_str("PROCONNECT_SCOPES", "openid email given_name usual_name")
#: `acr` values asserting a multi-factor sign-in at the provider (the second factor is then not asked here)
PROCONNECT_MFA_ACR = env_list("PROCONNECT_MFA_ACR", ["eidas2", "eidas3"])

# --- Security headers ------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_HTTPS = SITE_URL.startswith("https://") and not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
# Probes of the load balancer speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^sante/"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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

# --- Internationalisation --------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG and not TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG or TESTING)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
CALLS_DOCUMENT_MAX_BYTES = env_int("CALLS_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "citemploi <ne-pas-repondre@citemploi.localhost>")

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "citemploi.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env_str("LOG_FORMAT", "plain")}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Structured logs, health probes, benchmark (citemploi.core.request_id, citemploi.core.health) -------
#: LOG_FORMAT=json writes one JSON object per line with request_id and user_id (never beneficiaries' data)
if env_str("LOG_FORMAT", "plain") not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING["filters"] = {"request_context": {"()": "citemploi.core.request_id.RequestContextFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_context"]  # type: ignore[index]
#: the access line of every request (citemploi.request); set ACCESS_LOG_LEVEL=WARNING to silence it
LOGGING["loggers"]["citemploi.request"] = {"level": env_str("ACCESS_LOG_LEVEL", "INFO")}  # type: ignore[index]
# Probes of the orchestrator speak plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^sante/"]
#: enables the benchmark's floor page (/sante/plancher/); never set it in production
CITEMPLOI_BENCH = env_bool("CITEMPLOI_BENCH", False)

# --- Scale-out: shared cache, documents on object storage (docs/production.md) ------------------------------
#: a cache shared by every process (e.g. django.core.cache.backends.redis.RedisCache + CACHE_LOCATION=redis://…);
#: none is needed by default: sessions, rate limits and the task queue live in the database
if env_str("CACHE_BACKEND", ""):
    CACHES = {"default": {"BACKEND": env_str("CACHE_BACKEND", ""), "LOCATION": env_str("CACHE_LOCATION", "")}}
#: uploaded documents on an S3-compatible object storage through django-storages
#: (FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage; install django-storages[s3])
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    _s3_options: dict[str, object] = {
        "bucket_name": env_str("STORAGE_BUCKET", ""),
        "endpoint_url": env_str("STORAGE_ENDPOINT_URL", "") or None,
        "region_name": env_str("STORAGE_REGION", "") or None,
        "access_key": env_str("STORAGE_ACCESS_KEY", "") or None,
        "secret_key": env_str("STORAGE_SECRET_KEY", "") or None,
        # Documents are personal data: private objects, links that expire.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": env_int("STORAGE_URL_EXPIRE_SECONDS", 300),
        "file_overwrite": False,
    }
    if not _s3_options["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BUCKET is required with the S3 storage backend.")
    STORAGES["default"] = {"BACKEND": STORAGES["default"]["BACKEND"], "OPTIONS": _s3_options}  # type: ignore[dict-item]

# --- Product settings -------------------------------------------------------------------------------------
CITEMPLOI_DEMO_SEED = env_int("CITEMPLOI_DEMO_SEED", 2023)
CITEMPLOI_LIST_PAGE_SIZE = env_int("CITEMPLOI_LIST_PAGE_SIZE", 25)
