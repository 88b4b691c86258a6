"""Protocol details from the Fetch standard, for every adapter alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client, override_settings

from tests import settings as test_settings
from tests.conftest import APP, EVIL, cors_headers, preflight_headers, refused

#: One route per adapter: the mixin, the middleware, the function decorator.
ROUTES = ["/api/spy/", "/api/plain/", "/api/stats-below/"]


def cors(**keys: Any) -> Any:
    return override_settings(REST_FRAMEWORK={"CORS": keys})


@pytest.mark.parametrize("path", ["/api/spy/", "/api/plain/"])
class TestGlobalDefaults:
    @cors(ALLOWED_ORIGINS=[APP], ALLOW_CREDENTIALS=True)
    def test_credentials_echo_the_origin(self, client: Client, path: str) -> None:
        response = client.get(path, HTTP_ORIGIN=APP)
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    @cors(ALLOWED_ORIGINS=[APP], ALLOW_CREDENTIALS=True)
    def test_no_credentials_header_for_refused_origin(self, client: Client, path: str) -> None:
        assert cors_headers(client.get(path, HTTP_ORIGIN="https://x.example")) == {}

    @cors(ALLOW_ALL_ORIGINS=True)
    def test_allow_all_answers_star(self, client: Client, path: str) -> None:
        response = client.get(path, HTTP_ORIGIN="https://x.example")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Origin" in response.headers["Vary"]

    @cors(ALLOW_ALL_ORIGINS=True)
    def test_allow_all_includes_null(self, client: Client, path: str) -> None:
        assert client.get(path, HTTP_ORIGIN="null").headers["Access-Control-Allow-Origin"] == "*"

    @cors(ALLOWED_ORIGINS=["null"])
    def test_literal_null_entry(self, client: Client, path: str) -> None:
        assert client.get(path, HTTP_ORIGIN="null").headers["Access-Control-Allow-Origin"] == "null"

    @cors(ALLOWED_ORIGINS=[APP], EXPOSE_HEADERS=["X-Total-Count", "ETag"])
    def test_expose_headers_on_actual_responses_only(self, client: Client, path: str) -> None:
        actual = client.get(path, HTTP_ORIGIN=APP)
        preflight = client.options(path, **preflight_headers(APP, "GET"))
        assert actual.headers["Access-Control-Expose-Headers"] == "X-Total-Count, ETag"
        assert "Access-Control-Expose-Headers" not in preflight.headers

    @cors(ALLOWED_ORIGINS=[APP])
    def test_preflight_only_headers_never_on_actual_responses(
        self, client: Client, path: str
    ) -> None:
        response = client.get(path, HTTP_ORIGIN=APP)
        for name in (
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
        ):
            assert name not in response.headers

    @cors(ALLOWED_ORIGINS=[APP], PREFLIGHT_MAX_AGE=0)
    def test_max_age_zero_omits_the_header(self, client: Client, path: str) -> None:
        response = client.options(path, **preflight_headers(APP, "GET"))
        assert response.status_code == 200
        assert "Access-Control-Max-Age" not in response.headers

    @cors(ALLOWED_ORIGINS=[APP], PREFLIGHT_MAX_AGE=600)
    def test_max_age(self, client: Client, path: str) -> None:
        response = client.options(path, **preflight_headers(APP, "GET"))
        assert response.headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize(
    ("keys", "requested", "granted", "allow_headers"),
    [
        ({"ALLOW_HEADERS": ["X-Custom"]}, "x-custom", True, "x-custom"),
        ({"ALLOW_HEADERS": ["X-Custom"]}, "X-CUSTOM", True, "x-custom"),
        ({"ALLOW_HEADERS": ["X-Custom"]}, "x-other", False, None),
        ({"ALLOW_HEADERS": ["*"]}, "x-anything, x-else", True, "*"),
        ({"ALLOW_HEADERS": ["*"]}, "authorization", False, None),
        ({"ALLOW_HEADERS": ["*"]}, None, True, None),
        (
            {"ALLOW_HEADERS": ["*", "Authorization"]},
            "authorization, x-a",
            True,
            "authorization, x-a",
        ),
        (
            {"ALLOW_HEADERS": ["*"], "ALLOW_CREDENTIALS": True},
            "x-anything, x-else",
            True,
            "x-anything, x-else",
        ),
        ({"ALLOW_HEADERS": ["*"]}, "x bad", False, None),
        ({"ALLOW_HEADERS": []}, None, True, None),
        ({"ALLOW_HEADERS": []}, "x-a", False, None),
    ],
    ids=[
        "listed",
        "case-insensitive",
        "unlisted",
        "star",
        "star-never-covers-authorization",
        "star-nothing-requested",
        "star-plus-authorization-echoes",
        "star-with-credentials-echoes",
        "star-rejects-invalid-token",
        "empty-list",
        "empty-list-rejects",
    ],
)
def test_request_headers(
    client: Client,
    keys: dict[str, Any],
    requested: str | None,
    granted: bool,
    allow_headers: str | None,
) -> None:
    with cors(ALLOWED_ORIGINS=[APP], **keys):
        response = client.options("/api/plain/", **preflight_headers(APP, "GET", requested))
    assert response.status_code == 200
    assert ("Access-Control-Allow-Origin" in response.headers) is granted
    assert response.headers.get("Access-Control-Allow-Headers") == allow_headers


@pytest.mark.parametrize(
    ("allowed", "requested", "answered", "granted"),
    [
        (True, "true", True, "true"),
        (True, None, True, None),
        (False, "true", False, None),
        (False, None, True, None),
    ],
    ids=["allowed", "allowed-not-asked", "refused", "not-asked"],
)
def test_private_network_access(
    client: Client, allowed: bool, requested: str | None, answered: bool, granted: str | None
) -> None:
    extra = preflight_headers(APP, "GET")
    if requested is not None:
        extra["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = requested
    with cors(ALLOWED_ORIGINS=[APP], ALLOW_PRIVATE_NETWORK=allowed):
        response = client.options("/api/plain/", **extra)
    assert ("Access-Control-Allow-Origin" in response.headers) is answered
    assert response.headers.get("Access-Control-Allow-Private-Network") == granted
    assert ("Access-Control-Request-Private-Network" in response.headers["Vary"]) is allowed


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "origin",
    [
        "http://[::1",
        "https://bücher.example",
        "https://" + "a" * 10_000 + ".example.com",
        "not an origin",
        "https://app.example.com/path",
        "HTTPS://APP.EXAMPLE.COM",
        "",
        "https://app.example.com:99999",
        "\x7f",
    ],
    ids=["unclosed-ipv6", "non-ascii", "10kB", "garbage", "path", "upper", "empty", "port", "del"],
)
class TestMalformedOrigin:
    def test_actual_request_never_500(self, client: Client, path: str, origin: str) -> None:
        response = client.get(path, HTTP_ORIGIN=origin)
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_preflight_is_rejected_never_500(self, client: Client, path: str, origin: str) -> None:
        response = client.options(path, **preflight_headers(origin, "GET"))
        assert refused(response)


@pytest.mark.parametrize("path", ROUTES)
def test_preflight_varies_on_request_method_and_headers(client: Client, path: str) -> None:
    response = client.options(path, **preflight_headers(APP, "GET"))
    vary = [v.strip() for v in response.headers["Vary"].split(",")]
    assert vary == ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]


@pytest.mark.parametrize("path", ROUTES)
def test_refused_origin_response_still_varies(client: Client, path: str) -> None:
    response = client.get(path, HTTP_ORIGIN="https://evil.example")
    assert "Origin" in response.headers["Vary"]


@cors(ALLOW_ALL_ORIGINS=True, ALLOW_CREDENTIALS=True)
@pytest.mark.parametrize("path", ROUTES[:2])
def test_credentials_with_all_origins_is_never_served(client: Client, path: str) -> None:
    actual = client.get(path, HTTP_ORIGIN="https://x.example")
    preflight = client.options(path, **preflight_headers("https://x.example", "GET"))
    assert cors_headers(actual) == {}
    assert refused(preflight)
    assert cors_headers(preflight) == {}


@pytest.mark.parametrize(
    ("debug", "status"),
    [(True, 403), (False, 200)],
    ids=["debug-403-for-the-developer", "production-200-as-django-cors-headers"],
)
def test_refused_preflight_status(debug: bool, status: int) -> None:
    """403 with DEBUG (read in the network panel); 200 in production, which Django's
    handler does not log as a 4xx (a thread hop per request under ASGI)."""
    with override_settings(DEBUG=debug):
        response = Client().options("/api/spy/", **preflight_headers(EVIL, "GET"))
    assert response.status_code == status
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )


@override_settings(MIDDLEWARE=["drf_cors.middleware.CorsMiddleware", *test_settings.MIDDLEWARE[1:]])
async def test_refused_preflight_under_asgi_is_not_logged_by_django(
    async_client: AsyncClient,
) -> None:
    """No 4xx, so no log_response hop: nothing reaches django.request."""
    import unittest

    with unittest.TestCase().assertNoLogs("django.request", level="DEBUG"):
        response = await async_client.options(
            "/api/spy/", headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"}
        )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
