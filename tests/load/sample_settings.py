"""``sample_project`` as the load tests serve it: DEBUG off, levels in the log.

Only logging changes: drf_cors' records carry their level so the tests can
prove it logged nothing at ERROR, and Django's tracebacks for the deliberate
500 route stay out of the log. The database and the page origins come from
``DEMO_DB`` and ``DEMO_PAGE_ORIGINS``, as the sample project reads them.
"""

from sample_project.settings import *  # noqa: F403

DEBUG = False

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
