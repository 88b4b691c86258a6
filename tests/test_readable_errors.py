"""A method the policy allows but the route lacks: the preflight passes, the 405 is readable.

Whether a preflight is granted depends on the policy alone (API.md), as under
django-cors-headers: the browser then makes the call, and the view's 405 comes
back with the route's CORS headers, so the script reads "Method Not Allowed"
instead of an opaque CORS error. A method outside the policy is still refused.
"""

from __future__ import annotations

import pytest
from django.test import Client
from model_bakery import baker
from rest_framework.authtoken.models import Token

from tests.conftest import APP, cors_headers, preflight_headers, refused

ALL_METHODS = "DELETE, GET, OPTIONS, PATCH, POST, PUT"

#: (path, method the route lacks, origin, Access-Control-Allow-Methods of the policy)
NOT_IMPLEMENTED = [
    pytest.param("/api/spy/", "DELETE", APP, ALL_METHODS, id="mixin-apiview"),
    pytest.param("/api/articles/", "PUT", APP, ALL_METHODS, id="viewset-list-route-put"),
    pytest.param("/api/articles/", "DELETE", APP, ALL_METHODS, id="viewset-list-route-delete"),
    pytest.param("/api/articles/publish/", "GET", APP, ALL_METHODS, id="viewset-post-only-action"),
    pytest.param("/api/stats-below/", "DELETE", APP, ALL_METHODS, id="api-view-below"),
    pytest.param("/api/stats-above/", "PUT", APP, ALL_METHODS, id="api-view-above"),
    pytest.param("/api/decorated-read-only/", "POST", APP, ALL_METHODS, id="decorated-function"),
    pytest.param("/api/cbv/", "DELETE", APP, ALL_METHODS, id="decorated-django-cbv"),
    pytest.param("/api/plain-api/", "PUT", APP, ALL_METHODS, id="middleware-apiview"),
    pytest.param("/api/plain-read-only/", "POST", APP, ALL_METHODS, id="middleware-function"),
    pytest.param(
        "/api/decorated-class/", "POST", "https://partner-b.example", "GET, POST", id="named"
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "origin", "allow_methods"), NOT_IMPLEMENTED)
def test_preflight_for_a_method_the_route_lacks_is_granted(
    client: Client, path: str, method: str, origin: str, allow_methods: str
) -> None:
    response = client.options(path, **preflight_headers(origin, method))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert method in response.headers["Access-Control-Allow-Methods"].split(", ")
    assert response.headers["Access-Control-Allow-Methods"] == allow_methods


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "origin", "allow_methods"), NOT_IMPLEMENTED)
def test_the_actual_request_gets_a_readable_405(
    client: Client, token: str, path: str, method: str, origin: str, allow_methods: str
) -> None:
    # Signed in, so the viewset's IsAuthenticatedOrReadOnly lets the call reach its 405.
    response = client.generic(method, path, HTTP_ORIGIN=origin, HTTP_AUTHORIZATION=token)
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Vary"].count("Origin") == 1


@pytest.fixture
def token() -> str:
    return f"Token {baker.make(Token, user=baker.make('auth.User')).key}"


@pytest.mark.django_db
def test_viewset_405_keeps_the_class_policy_credentials(client: Client, token: str) -> None:
    response = client.put("/api/articles/", HTTP_ORIGIN=APP, HTTP_AUTHORIZATION=token)
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize(
    ("path", "method", "origin"),
    [
        pytest.param("/api/partner/", "DELETE", "https://partner-a.example", id="named-policy"),
        pytest.param(
            "/api/articles/partner_feed/", "PATCH", "https://partner-a.example", id="extra-action"
        ),
        pytest.param("/api/decorated-class/", "PUT", "https://partner-b.example", id="decorated"),
    ],
)
def test_a_method_outside_the_policy_is_still_refused(
    client: Client, path: str, method: str, origin: str
) -> None:
    response = client.options(path, **preflight_headers(origin, method))
    assert refused(response)
    assert cors_headers(response) == {}
