"""Django settings, built from the one parsed :class:`pluto.server.config.Config`."""

from __future__ import annotations

from pluto.server.config import load_config

CONFIG = load_config()

DATA_DIR = CONFIG.data_dir
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
PUBLIC_URL = CONFIG.public_url
ALLOW_SIGNUP = CONFIG.allow_signup
SIGNED_URL_TTL = CONFIG.signed_url_ttl
MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
MAX_UNPACKED_BYTES = CONFIG.max_unpacked_bytes
UPLOAD_SESSION_TTL = CONFIG.upload_session_ttl
JOB_HEARTBEAT_SECONDS = CONFIG.job_heartbeat_seconds
JOB_TIMEOUT_SECONDS = CONFIG.job_timeout_seconds
JOB_MAX_ATTEMPTS = CONFIG.job_max_attempts
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "pluto.server.accounts",
    "pluto.server.lab",
    "pluto.server.tables",
    "pluto.server.files",
    "pluto.server.analyses",
    "pluto.server.web",
]

MIDDLEWARE = [
    "pluto.server.middleware.ApiPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "pluto.server.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
