"""drf_cors used without ``"drf_cors"`` in ``INSTALLED_APPS``: an error at startup, never silence.

Without the app its system checks never run, so every mistake they catch would
go unreported. The middleware (built when the server starts), the mixin (when
a view class is defined) and the decorator (when it is applied) refuse to work.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from rest_framework.views import APIView

from drf_cors import CorsAPIViewMixin, cors_policy
from tests import settings_without_app

ROOT = Path(__file__).resolve().parents[1]
MISSING = "'drf_cors' is not in INSTALLED_APPS"

without_app = override_settings(INSTALLED_APPS=settings_without_app.INSTALLED_APPS)


@without_app
def test_the_middleware_stops_the_server_from_starting() -> None:
    with pytest.raises(ImproperlyConfigured, match=MISSING) as raised:
        WSGIHandler()  # builds MIDDLEWARE, as runserver, gunicorn and uvicorn do at startup
    assert "drf_cors.middleware.CorsMiddleware" in str(raised.value)


@without_app
def test_a_view_class_with_the_mixin_is_refused_when_defined() -> None:
    with pytest.raises(ImproperlyConfigured, match=MISSING) as raised:

        class ArticleView(CorsAPIViewMixin, APIView):
            pass

    assert "ArticleView" in str(raised.value)


@without_app
def test_the_decorator_is_refused_when_applied() -> None:
    def health(request: object) -> None: ...

    with pytest.raises(ImproperlyConfigured, match=MISSING) as raised:
        cors_policy(allow_all_origins=True)(health)
    assert "health" in str(raised.value)


def test_manage_py_check_fails_with_the_fix() -> None:
    """``check`` imports the URLconf, whose views use the mixin: it fails and says why."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_without_app"}
    done = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert f"{MISSING}: its system checks would never run" in done.stderr
    assert "Add 'drf_cors' to INSTALLED_APPS." in done.stderr


def test_installed_app_sets_up_quietly() -> None:
    class Fine(CorsAPIViewMixin, APIView):
        pass

    assert Fine.cors is None
    assert WSGIHandler() is not None
