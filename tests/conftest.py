from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests import settings as test_settings
from tests.testapp import views

APP = "https://app.example.com"
EVIL = "https://evil.example.com"


@pytest.fixture
def spy_calls() -> Iterator[list[str]]:
    """What the spy views, permissions and throttles recorded during the test."""
    views.CALLS.clear()
    yield views.CALLS
    views.CALLS.clear()


@pytest.fixture
def lenient_client() -> Client:
    """A client that returns Django's 500 response instead of raising."""
    return Client(raise_request_exception=False)


#: The status of a refused preflight with ``DEBUG`` off, as the tests run: 200
#: without any ``Access-Control-Allow-*`` header (the browser blocks the call);
#: with ``DEBUG`` on it is 403 with the reason in the body.
REFUSED = 200


def refused(response: object) -> bool:
    """A refused preflight: the status above and no ``Access-Control-Allow-*`` header."""
    return response.status_code == REFUSED and not any(  # type: ignore[attr-defined]
        name.lower().startswith("access-control-allow-")
        for name in response.headers  # type: ignore[attr-defined]
    )


def with_cors(**keys: Any) -> dict[str, Any]:
    """The tests' ``REST_FRAMEWORK`` with ``keys`` set in its ``CORS``, for override_settings."""
    return {
        **test_settings.REST_FRAMEWORK,
        "CORS": {**test_settings.REST_FRAMEWORK["CORS"], **keys},
    }


def granted(client: Client, origin: str, path: str = "/api/plain-api/", **extra: Any) -> bool:
    """A GET from ``origin`` is answered 200 and its origin granted."""
    response = client.get(path, HTTP_ORIGIN=origin, **extra)
    assert response.status_code == 200
    return response.headers.get("Access-Control-Allow-Origin") == origin


def preflight_headers(
    origin: str = APP, method: str = "GET", headers: str | None = None
) -> dict[str, str]:
    extra = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers is not None:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return extra


def cors_headers(response: object) -> dict[str, str]:
    """The ``Access-Control-*`` headers of a response."""
    return {
        name: value
        for name, value in response.headers.items()  # type: ignore[attr-defined]
        if name.lower().startswith("access-control-")
    }


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttles count in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
