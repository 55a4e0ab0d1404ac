"""Django settings, built from the one parsed :class:`pluto.server.config.Config`."""

from __future__ import annotations

from pluto.server.config import load_config
from pluto.server.log_redaction import FILTERS

CONFIG = load_config()

DATA_DIR = CONFIG.data_dir
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
PUBLIC_URL = CONFIG.public_url
ALLOW_SIGNUP = CONFIG.allow_signup
SIGNED_URL_TTL = CONFIG.signed_url_ttl
MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
# JSON and form bodies are read into memory whole; files go through the streamed uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_json_bytes
MAX_UNPACKED_BYTES = CONFIG.max_unpacked_bytes
UPLOAD_SESSION_TTL = CONFIG.upload_session_ttl
JOB_HEARTBEAT_SECONDS = CONFIG.job_heartbeat_seconds
JOB_TIMEOUT_SECONDS = CONFIG.job_timeout_seconds
JOB_MAX_ATTEMPTS = CONFIG.job_max_attempts
TEMP_FILE_MAX_AGE = CONFIG.temp_file_max_age
PIPELINE_THREADS = CONFIG.pipeline_threads
# Request bodies Django spools to disk go to the data directory's temporary folder, where
# `pluto cleanup` finds what a crashed process leaves behind.
FILE_UPLOAD_TEMP_DIR = str(CONFIG.data_dir / "tmp")
(CONFIG.data_dir / "tmp").mkdir(exist_ok=True)
TRUSTED_PROXIES = CONFIG.trusted_proxies
API_RATE_PER_KEY = CONFIG.api_rate_per_key
API_RATE_PER_ADDRESS = CONFIG.api_rate_per_address
SDK_UPSTREAM_INDEX = CONFIG.sdk_upstream_index
STORAGE = CONFIG.storage
# Without a public URL (or PLUTO_ALLOWED_HOSTS) the server answers at whatever address it is
# reached, as a first run on a laptop needs.
ALLOWED_HOSTS = list(CONFIG.allowed_hosts) or ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "pluto.server.accounts",
    "pluto.server.orgs",
    "pluto.server.lab",
    "pluto.server.tables",
    "pluto.server.files",
    "pluto.server.analyses",
    "pluto.server.history",
    "pluto.server.pipelines",
    "pluto.server.annotations",
    "pluto.server.sets",
    "pluto.server.search",
    "pluto.server.programs",
    "pluto.server.ratelimits",
    "pluto.server.web",
]

MIDDLEWARE = [
    "pluto.server.middleware.UrlLengthMiddleware",
    "pluto.server.middleware.ApiPathMiddleware",
    "pluto.server.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "pluto.server.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pluto.server.web.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pluto.server.orgs.session.WorkingOrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pluto.server.middleware.JsonErrorMiddleware",
]

ROOT_URLCONF = "pluto.server.urls"
ASGI_APPLICATION = "pluto.server.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pluto.server.web.context.site",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database.as_django()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Every sign-in form (the site's and the admin's) authenticates through the lockout.
AUTHENTICATION_BACKENDS = ["pluto.server.accounts.backends.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PUBLIC_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = [PUBLIC_URL] if PUBLIC_URL else []
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Over HTTPS, browsers are told to use nothing else for a year (sent on HTTPS answers only).
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SILENCED_SYSTEM_CHECKS = [
    # Redirecting http:// to https:// is the TLS-terminating proxy's job (docs/configuration.md);
    # the server itself is reached over plain HTTP by that proxy.
    "security.W008",
    # Asking browsers to preload the host as HTTPS-only is its domain owner's commitment to make.
    "security.W021",
    # CSRF protection is on: pluto.server.web.csrf.CsrfViewMiddleware is Django's own, which
    # turns an unreadable form body into an error page; the check looks for Django's name only.
    "security.W003",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The data directory holds every per-instance file; tokens are hashed with a key of their own
# derived from SECRET_KEY so that rotating Django's signing does not depend on token storage.
TOKEN_HASH_SALT = "pluto.api-token.v1"

# One cache shared by every process and machine: a table in the database. (The rate limits
# count in a table of their own, pluto.server.ratelimits.)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pluto_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": FILTERS,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
