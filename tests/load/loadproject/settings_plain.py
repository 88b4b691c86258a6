"""The load project without drf_cors: the floor for the requests-per-second comparison."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "drf_cors"]
MIDDLEWARE = [mw for mw in MIDDLEWARE if not mw.startswith("drf_cors.")]
ROOT_URLCONF = "tests.load.loadproject.urls_plain"
