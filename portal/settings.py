"""Settings for Nämndportalen, read from environment variables.

Development defaults are safe to run on a laptop; production (DJANGO_DEBUG=0) refuses to
start without DJANGO_SECRET_KEY.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.client_ip import meta_key, parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY måste sättas när DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "axes",
    "procrastinate.contrib.django",
    "csp",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: a session saved by this request counts as a write.
    "portal.db_router.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: throttles repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for the same username from the same address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy: the client address comes from DJANGO_CLIENT_IP_HEADER (e.g.
# X-Forwarded-For) only on requests from DJANGO_TRUSTED_PROXIES (addresses or CIDR networks);
# otherwise from the connection (portal/client_ip.py). Used by axes and the rate limits.
CLIENT_IP_HEADER = meta_key(os.environ.get("DJANGO_CLIENT_IP_HEADER", ""))
TRUSTED_PROXIES = parse_networks(os.environ.get("DJANGO_TRUSTED_PROXIES", ""))
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

ROOT_URLCONF = "portal.urls"

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

WSGI_APPLICATION = "portal.wsgi.application"

# Database: DATABASE_URL when set (a municipality's server, or a local PostgreSQL 15+);
# otherwise an embedded PostgreSQL whose data lives in var/pgdata. The embedded server is
# started by the database backend on the first connection, never at import of settings.
EMBEDDED_POSTGRES_DIR = Path(os.environ.get("EMBEDDED_POSTGRES_DIR", VAR_DIR / "pgdata"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "portal.embedded_postgres",
            "NAME": os.environ.get("EMBEDDED_POSTGRES_DB", "namndportalen"),
            "USER": "postgres",
        }
    }

# Least privilege (deploy/roles.sql): the portal and the worker connect as an application role
# that owns nothing; migrations run as the owner role (its DATABASE_URL) and then give the
# role named here its rights (deploy/app-grants.sql). Empty = no grants (one role, as in
# development with the embedded PostgreSQL).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")

# Read replicas (PostgreSQL streaming replication): DATABASE_REPLICA_URLS, comma-separated.
# Public pages read from a healthy replica; writes, the admin and a visitor's next pages after a
# write use the primary (portal/db_router.py). None = everything on the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(
    (u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()), 1
):
    _alias = f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=60)
    # A replica that does not answer is skipped after 2 s (libpq's smallest timeout).
    DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests read the replica as the test database itself.
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
# A replica further behind than this is skipped; its health is checked at most this often.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_HEALTH_SECONDS = float(os.environ.get("REPLICA_HEALTH_SECONDS", "5"))
# After a write the same browser reads the primary this long; never shorter than the lag a
# replica is allowed, or a registrar could miss what they just saved.
READ_YOUR_WRITES_SECONDS = max(
    int(os.environ.get("READ_YOUR_WRITES_SECONDS", "15")),
    int(REPLICA_MAX_LAG_SECONDS + REPLICA_HEALTH_SECONDS) + 1,
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
# Swedish for the apps that ship none (django-axes).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
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
# Attachments are stored outside the web root and served only through a view that checks
# confidentiality; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", VAR_DIR / "media"))

# A text file is imported in batches of about this many bytes, each committed on its own (a
# stopped import resumes after the last one); the memory an import needs follows this size,
# not the file's. A batch ends where a handling starts, so one longer handling makes it longer.
_batch = os.environ.get("PORTAL_IMPORT_BATCH_BYTES", "1000000")
if not _batch.isdigit() or int(_batch) < 1:
    raise ImproperlyConfigured("PORTAL_IMPORT_BATCH_BYTES ska vara ett positivt antal byte.")
PORTAL_IMPORT_BATCH_BYTES = int(_batch)

# Staff sessions end after 60 minutes without activity.
SESSION_COOKIE_AGE = 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts
# only from our own origin, never inline; no plugins, no framing, forms post only to us.
# Django's admin (5.2) needs nothing more: its scripts are files and its data sit in JSON
# blocks. Two admins of installed apps print fixed style attributes (procrastinate's job
# list: "padding: 0; margin: 0;", "list-style-type: none", "margin: 0"; simple-history's
# paginator: "border-top: 0"): exactly those four values are allowed by hash in style
# attributes ('unsafe-hashes' covers attributes only with a listed hash, no <style>, no script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-PgdpkSB/wzYeO4BWQSd2ZSgYWC91IrO0TS2KFfa3vDU='",
            "'sha256-WCeWTXnA0h6xhb67xMpFQOjmEZQ0NEotrS48chtYSa0='",
            "'sha256-3lLjvpn0hfmuulQYNSUWKiNpmIiMg70GweVDtUWv7zA='",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}


# Mail (Begär ut handling: receipts and each step to the requester; e-mail alerts) through
# an SMTP server: EMAIL_URL (smtp://user:password@host:587, smtp+tls://… for STARTTLS,
# smtps://… for TLS from the start) or EMAIL_HOST and its companions. With neither, mail is
# written to the console (the demo), never sent.
def _email_settings() -> dict:
    url = os.environ.get("EMAIL_URL", "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtp+tls", "smtps", "console"}:
            raise ImproperlyConfigured(
                "EMAIL_URL ska börja med smtp://, smtp+tls://, smtps:// eller console://."
            )
        if parts.scheme == "console":
            return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
            "EMAIL_USE_SSL": parts.scheme == "smtps",
        }
    if os.environ.get("EMAIL_HOST"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": os.environ["EMAIL_HOST"],
            "EMAIL_PORT": int(os.environ.get("EMAIL_PORT", "25")),
            "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", False),
        }
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


_MAIL = _email_settings()
EMAIL_BACKEND = _MAIL["EMAIL_BACKEND"]
EMAIL_HOST = _MAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _MAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _MAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _MAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _MAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _MAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Nämndportalen <noreply@localhost>")

# Absolute links in mail (the alerts' confirmation, stop and digest links).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The hour (Europe/Stockholm) the daily alert digest is sent.
PORTAL_DIGEST_HOUR = int(os.environ.get("PORTAL_DIGEST_HOUR", "7"))
if not 0 <= PORTAL_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("PORTAL_DIGEST_HOUR ska vara en timme, 0–23.")
