"""Settings for drf_cors' own tests: a small DRF project on in-memory SQLite."""

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
ROOT_URLCONF = "tests.testapp.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_cors",
    "drf_cors.contrib.origins",
    "tests.testapp",
]

MIDDLEWARE = [
    "drf_cors.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {"spy": "2/minute"},
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
            "public": {"ALLOW_ALL_ORIGINS": True},
        },
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "loggers": {"django.request": {"handlers": ["null"], "propagate": False}},
}
