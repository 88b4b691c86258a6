"""The test settings with drf_cors missing from INSTALLED_APPS (a common slip when switching)."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "drf_cors"]  # noqa: F405
