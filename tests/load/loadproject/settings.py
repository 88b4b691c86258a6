"""The load project with drf_cors: every way to attach a policy, no database.

``settings_plain`` is the same project without drf_cors, for the
requests-per-second comparison. Both are served by real servers in
``tests/load/``; nothing here runs in the test process.
"""

SECRET_KEY = "load-tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.load.loadproject.urls"
# No database: the load must measure the request path, not SQLite's locks.
DATABASES: dict[str, dict[str, str]] = {}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "drf_cors",
]

MIDDLEWARE = [
    "drf_cors.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tests.load.loadproject.auth.LoadTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    "CORS": {
        "ALLOWED_ORIGINS": [
            "https://app.example.com",
            "https://*.example.org",
            "http://localhost:*",
        ],
        "ALLOWED_ORIGIN_REGEXES": [r"https://pr-\d+\.preview\.example\.net"],
        "POLICIES": {
            "partners": {
                "ALLOWED_ORIGINS": ["https://partner-a.example", "https://partner-b.example"],
                "ALLOW_METHODS": ["GET", "POST"],
                "EXPOSE_HEADERS": ["X-Partner-Quota"],
            },
            "public": {"ALLOW_ALL_ORIGINS": True, "ALLOW_METHODS": ["GET"]},
        },
    },
}

# drf_cors' own records go to the server log with their level, so the tests
# can prove it logged nothing at ERROR; Django's tracebacks for the deliberate
# 500 route are expected and kept out of the log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "LOG %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "null": {"class": "logging.NullHandler"},
    },
    "loggers": {
        "drf_cors": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["null"], "propagate": False},
    },
}
