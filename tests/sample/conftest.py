"""Run the sample project's API inside the suite's single pytest run.

The suite's settings stay ``tests.settings``; for the tests in this package
the sample project's own apps, middleware, URLs and ``REST_FRAMEWORK`` are put
in force with ``override_settings``, and its ``notes`` tables are created once
in the test database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings
from model_bakery import baker
from rest_framework.authtoken.models import Token

import drf_cors
from sample_project import settings as sample_settings

#: The settings that make the sample project what it is (not its database,
#: secret key or DEBUG, which belong to the test run).
SAMPLE_KEYS = (
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ROOT_URLCONF",
    "TEMPLATES",
    "STATIC_URL",
    "REST_FRAMEWORK",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "PAGE_ORIGINS",
)
#: The sample's apps whose tables the suite's own apps do not create.
SAMPLE_APPS = ("notes", "admin", "drf_cors_origins")
PAGE = sample_settings.PAGE_ORIGINS[0]
OTHER = "http://127.0.0.1:8002"
PARTNER = "https://partner.example.com"


@pytest.fixture(scope="package", autouse=True)
def _sample_project(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    overrides = {key: getattr(sample_settings, key) for key in SAMPLE_KEYS}
    # The sample's caches, with its shared origins cache in a directory of this run.
    origins = {**sample_settings.CACHES["origins"], "LOCATION": str(tmp_path_factory.mktemp("oc"))}
    overrides["CACHES"] = {**sample_settings.CACHES, "origins": origins}
    # Tests only: seed_demo and the logins hash passwords, slowly by design.
    overrides["PASSWORD_HASHERS"] = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(**overrides):
        with django_db_blocker.unblock():
            for app in SAMPLE_APPS:
                call_command("migrate", app, verbosity=0)
        yield


@pytest.fixture(autouse=True)
def _fresh_origins() -> Iterator[None]:
    """Each test starts and ends with the rows of its own database in the origin sources.

    A test's rows are rolled back without a commit, so nothing else would
    tell the sources (the process's snapshot) that they are gone.
    """
    yield
    drf_cors.refresh_origins()


@pytest.fixture
def Note() -> Any:
    """The sample's ``Note`` model: importable only once its app is installed."""
    from sample_project.notes.models import Note

    return Note


@pytest.fixture
def AllowedOrigin() -> Any:
    """``drf_cors.contrib.origins``' model, imported once the sample's apps are installed."""
    from drf_cors.contrib.origins.models import AllowedOrigin

    return AllowedOrigin


@pytest.fixture
def demo_user(db: None) -> User:
    user: User = baker.make(User, username="demo")
    user.set_password("demo-password")
    user.save()
    return user


@pytest.fixture
def token_client(demo_user: User) -> Client:
    """A client authenticated by token, calling from the page's origin."""
    token = Token.objects.create(user=demo_user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ORIGIN=PAGE)


@pytest.fixture
def page_client() -> Client:
    """An anonymous client calling from the page's origin, CSRF checks on."""
    return Client(enforce_csrf_checks=True, HTTP_ORIGIN=PAGE)
