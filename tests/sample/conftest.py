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

from sample_project import settings as sample_settings

#: The settings that make the sample project what it is (not its database,
#: secret key or DEBUG, which belong to the test run).
SAMPLE_KEYS = (
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ROOT_URLCONF",
    "REST_FRAMEWORK",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
)
PAGE = sample_settings.PAGE_ORIGINS[0]
OTHER = "http://127.0.0.1:8002"
PARTNER = "https://partner.example.com"


@pytest.fixture(scope="package", autouse=True)
def _sample_project(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    overrides = {key: getattr(sample_settings, key) for key in SAMPLE_KEYS}
    with override_settings(**overrides):
        with django_db_blocker.unblock():
            call_command("migrate", "notes", verbosity=0)
        yield


@pytest.fixture
def Note() -> Any:
    """The sample's ``Note`` model: importable only once its app is installed."""
    from sample_project.notes.models import Note

    return Note


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
