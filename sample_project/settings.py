"""Settings of the drf_cors sample project: a small notes API for a local demo.

This is a local demo, not a deployment: the secret key is public, DEBUG is on
unless ``DEMO_DEBUG=0``, and everything is plain HTTP on loopback. What the
comments call "in production" is what you would change before deploying.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Public on purpose, so the demo runs with nothing to configure. In production
# read it from the environment and keep it secret.
SECRET_KEY = "django-insecure-drf-cors-sample-project-demo-only"

DEBUG = os.environ.get("DEMO_DEBUG", "1") == "1"

# The API is served on loopback only (scripts/demo binds localhost).
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

#: The origins of the demo page. The page is served from another port than the
#: API, so every call it makes is cross-origin and CORS applies. ``localhost``
#: on both sides makes the calls same-site, so the browser sends the session
#: cookie on credentialed calls (Chromium withholds cookies across sites, such
#: as 127.0.0.1 -> localhost). The test suite sets its own free ports here.
PAGE_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DEMO_PAGE_ORIGINS", "http://localhost:8001").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    # The admin at /admin/, where the embed widget's origins are managed.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_cors",
    # The AllowedOrigin table, its admin, and the source that serves it.
    "drf_cors.contrib.origins",
    "sample_project.notes",
]

MIDDLEWARE = [
    # First, so that Django's own 404 and 500 responses and CSRF failures,
    # produced by the middleware below or by the handler, still get the CORS
    # headers of their route and a browser script can read them.
    "drf_cors.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sample_project.urls"
WSGI_APPLICATION = "sample_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# Embedded SQLite; ``DEMO_DB`` lets the browser tests use a throwaway file.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"

# Session login from the page on another origin. Cross-origin POSTs carry an
# Origin header, which Django's CSRF check compares with these trusted origins
# (the API's own origin is always trusted). The CSRF token itself comes from
# GET /api/auth/csrf/ in the response body: a script on another origin cannot
# rely on reading the API's cookie.
CSRF_TRUSTED_ORIGINS = PAGE_ORIGINS
# "Lax" (Django's default) is enough: the page and the API are same-site.
# A page on another site would need "None", and "None" requires Secure (HTTPS).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Plain HTTP on localhost. In production serve HTTPS and set both to True.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Throttle counts live in the cache: per process, which is right for a demo.
# In production use a shared cache (Redis, Memcached) so every worker agrees.
# The origins the admins manage are shared through "origins" (ORIGINS_CACHE):
# files next to the database, which every process on this machine reads, so
# one read of the table serves them all and refresh_origins() reaches each
# (drf_cors.W014 warns about a per-process cache there). Use Redis in production.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "origins": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(DATABASES["default"]["NAME"]).with_suffix(".origins-cache")),
    },
}

REST_FRAMEWORK = {
    # The views spell out their own classes; these are DRF's fallbacks (the
    # browsable API uses them). Token first: anonymous requests get 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sample_project.notes.pagination.CountedPagination",
    "PAGE_SIZE": 5,
    # GET /api/stats/: three calls a minute, so the page can show a 429.
    "DEFAULT_THROTTLE_RATES": {"stats": "3/minute"},
    "CORS": {
        # The global defaults: what a route without its own policy gets (from
        # the fallback middleware), and what policies inherit unless they say
        # otherwise. Exact origins only; never "*" next to credentials.
        "ALLOWED_ORIGINS": PAGE_ORIGINS,
        # The fallback middleware covers the API only; the rest of the site
        # (were there one) sends no CORS headers at all.
        "URLS_REGEX": r"^/api/",
        "POLICIES": {
            # Anyone may read: no credentials, so "*" is allowed and safe.
            "public": {
                "ALLOW_ALL_ORIGINS": True,
                "ALLOW_METHODS": ["GET"],
                "EXPOSE_HEADERS": ["X-Total-Count"],
            },
            # Cookie-authenticated calls from the page. A named policy stands
            # on its own, so it lists its origins itself.
            "session": {
                "ALLOWED_ORIGINS": PAGE_ORIGINS,
                "ALLOW_CREDENTIALS": True,
                "ALLOW_METHODS": ["GET", "POST"],
                "ALLOW_HEADERS": ["accept", "content-type", "x-csrftoken"],
            },
            # A partner's site, not this page: the page must be refused.
            "partners": {
                "ALLOWED_ORIGINS": ["https://partner.example.com"],
                "ALLOW_METHODS": ["GET"],
            },
            # The embed widget (/api/embed/), which customers' sites call. Its
            # origins are data: the AllowedOrigin rows whose policy is
            # "embeds", added and deleted in the admin, no deploy needed. No
            # ALLOWED_ORIGINS: the origin keys inherit as one field, so naming
            # a source here leaves out the global defaults' origins, and only
            # the rows are allowed (seed_demo adds one for the demo page).
            "embeds": {
                "ALLOWED_ORIGINS_SOURCE": "drf_cors.contrib.origins.source",
                "ALLOW_METHODS": ["GET"],
            },
        },
        # The cache alias above, shared by every process of the demo.
        "ORIGINS_CACHE": "origins",
        # How old the rows a process serves may be, in seconds. Saving or
        # deleting a row in the admin calls drf_cors.refresh_origins() once the
        # transaction commits, which serves the change at once in the process
        # that saved it: runserver is one process, so in the demo a change
        # shows on the next request. The interval bounds everything else:
        # several processes (gunicorn workers: each takes the shared result
        # within the interval, never a query per request) and changes that send
        # no signal (QuerySet.update(), a script in another
        # process). 10 is the default, spelled out because it is that bound.
        "ORIGINS_REFRESH": 10,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # A refused preflight is logged at INFO with its reason: shown in the
        # demo's terminal, next to the page that caused it.
        "drf_cors": {"handlers": ["console"], "level": "INFO"},
    },
}
