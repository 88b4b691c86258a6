"""Settings of the source project: one SQLite file, a real Redis as ``ORIGINS_CACHE``.

The test process passes the paths through the environment: ``SOURCES_DB``
(the SQLite file every process opens), ``SOURCES_REDIS_URL`` and
``SOURCES_READS_FILE`` (where :mod:`.counting` records each read).
``settings_locmem`` is the same project with a per-process cache instead.
"""

import os

from . import origins

SECRET_KEY = "source-tests-only-not-secret"
DEBUG = False
#: The per-host mapping is keyed by these two tenant hosts (``Host`` header).
TENANT_HOSTS = ["tenant-a.test", "tenant-b.test"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *TENANT_HOSTS]
USE_TZ = True
ROOT_URLCONF = "tests.load.sourceproject.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SOURCES_DB", "/nonexistent/sources.sqlite3"),
        "OPTIONS": {
            # Several processes read while a third one writes: WAL lets readers
            # go on during a write, and a writer waits for a lock instead of
            # failing at once.
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
        },
    }
}

#: The source's results and refresh_origins() are shared through Redis, with
#: short socket timeouts: drf_cors looks at the cache on the request path
#: (once per ORIGINS_REFRESH per process), so a Redis that does not answer
#: must fail that look in a quarter of a second, not hang the request for
#: redis-py's default (no timeout at all). A refused connection fails at once;
#: the pool retries nothing (redis-py's pool default), so an outage costs one
#: failed round trip per look.
REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "origins": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("SOURCES_REDIS_URL", "redis://127.0.0.1:1/0"),
        "OPTIONS": REDIS_OPTIONS,
    },
}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "drf_cors",
    origins.APP,
]

# worker_pid above CorsMiddleware: preflights answered early carry the pid too.
MIDDLEWARE = [
    "tests.load.sourceproject.middleware.worker_pid",
    "drf_cors.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

#: The counted wrapper of the contrib source (``counting.py``).
SOURCE = "tests.load.sourceproject.counting.source"
#: Seconds: small, so that the bounds the tests measure are short.
ORIGINS_REFRESH = 1
STATIC_ORIGIN = "https://static.example"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    "CORS": {
        "ALLOWED_ORIGINS": [STATIC_ORIGIN],
        "ALLOWED_ORIGINS_SOURCE": SOURCE,
        "ORIGINS_REFRESH": ORIGINS_REFRESH,
        "ORIGINS_CACHE": "origins",
        "EXPOSE_HEADERS": ["X-Worker-Pid"],
        # The tenants' route: rows of policy "tenants", each for one host.
        "POLICIES": {"tenants": {"ALLOWED_ORIGINS_SOURCE": SOURCE}},
    },
}

# drf_cors' records (the outages at ERROR, the recoveries at INFO) and the
# counted source's go to the server log with their level and process id, so
# the tests can count them per process.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "LOG %(levelname)s %(name)s pid=%(process)d %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "drf_cors": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "sourceproject": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
