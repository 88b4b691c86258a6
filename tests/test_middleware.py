"""The fallback middleware, with an async twin for each behaviour."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import AsyncClient, Client, override_settings

from drf_cors.middleware import CorsMiddleware
from tests.conftest import APP, EVIL, cors_headers, preflight_headers

GLOBAL_ORIGIN = "https://a.example.org"


class TestSync:
    def test_route_without_policy_gets_global_defaults(self, client: Client) -> None:
        response = client.get("/api/plain/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN
        assert response.headers["Vary"] == "Origin"

    def test_refused_origin(self, client: Client) -> None:
        response = client.get("/api/plain/", HTTP_ORIGIN=EVIL)
        assert cors_headers(response) == {}
        assert response.headers["Vary"] == "Origin"

    def test_preflight_for_plain_function_is_answered(
        self, client: Client, spy_calls: list[str]
    ) -> None:
        response = client.options("/api/plain/", **preflight_headers(GLOBAL_ORIGIN, "PUT"))
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Methods"] == (
            "DELETE, GET, OPTIONS, PATCH, POST, PUT"
        )
        assert spy_calls == []

    def test_preflight_for_plain_apiview_lists_the_policy_methods(self, client: Client) -> None:
        response = client.options("/api/plain-api/", **preflight_headers(GLOBAL_ORIGIN, "DELETE"))
        assert response.headers["Access-Control-Allow-Methods"] == (
            "DELETE, GET, OPTIONS, PATCH, POST, PUT"
        )

    def test_django_404_carries_headers(self, client: Client) -> None:
        response = client.get("/api/does-not-exist/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    def test_django_500_carries_headers(self, lenient_client: Client) -> None:
        response = lenient_client.get("/api/plain-boom/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert response.status_code == 500
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    def test_csrf_failure_on_route_without_policy(self) -> None:
        response = Client(enforce_csrf_checks=True).post("/api/plain/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert response.status_code == 403
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    def test_never_adds_a_second_allow_origin(self, client: Client) -> None:
        response = client.get("/api/already-answered/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert response.headers["Access-Control-Allow-Origin"] == "https://own.example"
        assert "Vary" not in response.headers

    @override_settings(
        REST_FRAMEWORK={"CORS": {"ALLOW_ALL_ORIGINS": True, "URLS_REGEX": r"^/api/"}}
    )
    @pytest.mark.parametrize(
        ("path", "covered"),
        [
            ("/api/plain/", True),
            ("/outside/plain/", False),
            ("/outside/missing/", False),
            ("/api/missing/", True),
        ],
        ids=lambda v: str(v),
    )
    def test_urls_regex_limits_the_fallback(self, client: Client, path: str, covered: bool) -> None:
        response = client.get(path, HTTP_ORIGIN=EVIL)
        assert ("Access-Control-Allow-Origin" in response.headers) is covered

    @override_settings(
        REST_FRAMEWORK={"CORS": {"ALLOW_ALL_ORIGINS": True, "URLS_REGEX": r"^/api/"}}
    )
    def test_urls_regex_uncovered_preflight_is_left_to_the_view(self, client: Client) -> None:
        response = client.options("/outside/plain/", **preflight_headers(EVIL, "GET"))
        assert cors_headers(response) == {}

    @override_settings(REST_FRAMEWORK={"CORS": {"ALLOW_ALL_ORIGINS": True, "URLS_REGEX": r"^/no/"}})
    def test_views_with_their_own_policy_are_covered_outside_urls_regex(
        self, client: Client
    ) -> None:
        assert client.get("/api/spy/", HTTP_ORIGIN=EVIL).headers["Access-Control-Allow-Origin"]
        assert client.get("/api/cbv/", HTTP_ORIGIN=APP).headers["Access-Control-Allow-Origin"]
        assert "Access-Control-Allow-Origin" not in client.get("/api/plain/", HTTP_ORIGIN=EVIL)

    @override_settings(REST_FRAMEWORK={"CORS": {"URLS_REGEX": "(unclosed"}})
    def test_invalid_urls_regex_covers_nothing(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        response = client.get("/api/plain/", HTTP_ORIGIN=GLOBAL_ORIGIN)
        assert cors_headers(response) == {}
        assert "URLS_REGEX" in caplog.text


class TestAsync:
    async def test_route_without_policy_gets_global_defaults(
        self, async_client: AsyncClient
    ) -> None:
        response = await async_client.get("/api/async-plain/", headers={"Origin": GLOBAL_ORIGIN})
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    async def test_preflight_is_answered(self, async_client: AsyncClient) -> None:
        response = await async_client.options(
            "/api/async-plain/",
            headers={"Origin": GLOBAL_ORIGIN, "Access-Control-Request-Method": "PUT"},
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    async def test_django_404_carries_headers(self, async_client: AsyncClient) -> None:
        response = await async_client.get("/api/nope/", headers={"Origin": GLOBAL_ORIGIN})
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    async def test_django_500_carries_headers(self) -> None:
        client = AsyncClient(raise_request_exception=False)
        response = await client.get("/api/plain-boom/", headers={"Origin": GLOBAL_ORIGIN})
        assert response.status_code == 500
        assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN

    async def test_mixin_view_headers_are_not_doubled(self, async_client: AsyncClient) -> None:
        response = await async_client.get("/api/spy/", headers={"Origin": APP})
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Vary"].count("Origin") == 1

    async def test_disabled_route_left_alone(self, async_client: AsyncClient) -> None:
        response = await async_client.get("/api/disabled-function/", headers={"Origin": APP})
        assert cors_headers(response) == {}


def test_middleware_is_async_capable_and_has_no_per_request_hooks() -> None:
    async def get_response(request: Any) -> HttpResponse:
        return HttpResponse()

    middleware = CorsMiddleware(get_response)
    from asgiref.sync import iscoroutinefunction

    assert iscoroutinefunction(middleware)
    # Django calls every process_view on every request: the middleware finds
    # routes through request.resolver_match instead.
    assert not hasattr(middleware, "process_view")


def test_sync_middleware_is_not_a_coroutine() -> None:
    middleware = CorsMiddleware(lambda request: HttpResponse())
    from asgiref.sync import iscoroutinefunction

    assert not iscoroutinefunction(middleware)


def test_preflight_for_apiview_without_get(client: Client) -> None:
    response = client.options("/api/plain-post/", **preflight_headers(GLOBAL_ORIGIN, "GET"))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Methods"] == (
        "DELETE, GET, OPTIONS, PATCH, POST, PUT"
    )


SPY_BELOW = ["drf_cors.middleware.CorsMiddleware", "tests.testapp.middleware.SpyMiddleware"]


@override_settings(MIDDLEWARE=SPY_BELOW)
@pytest.mark.parametrize("path", ["/api/plain/", "/api/spy/", "/api/articles/", "/api/health/"])
def test_preflight_is_answered_before_the_rest_of_the_chain(
    client: Client, spy_calls: list[str], path: str
) -> None:
    response = client.options(path, **preflight_headers(APP, "GET"))
    assert response.status_code == 200
    assert spy_calls == []


@override_settings(MIDDLEWARE=SPY_BELOW)
def test_actual_requests_and_unknown_paths_go_through_the_chain(
    client: Client, spy_calls: list[str]
) -> None:
    client.get("/api/plain/", HTTP_ORIGIN=APP)
    client.options("/api/nope/", **preflight_headers(APP, "GET"))
    assert spy_calls == ["middleware", "plain", "middleware"]


@override_settings(MIDDLEWARE=SPY_BELOW)
def test_disabled_route_preflight_goes_to_the_view(client: Client, spy_calls: list[str]) -> None:
    response = client.options("/api/disabled/", **preflight_headers(APP, "GET"))
    assert cors_headers(response) == {}
    assert spy_calls == ["middleware"]


@override_settings(
    MIDDLEWARE=[
        "drf_cors.middleware.CorsMiddleware",
        "tests.testapp.middleware.AltUrlconfMiddleware",
    ]
)
def test_preflight_to_a_urlconf_set_below_is_answered_after_resolution(client: Client) -> None:
    response = client.options("/alt/plain/", **preflight_headers(GLOBAL_ORIGIN, "GET"))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == (
        "DELETE, GET, OPTIONS, PATCH, POST, PUT"
    )


@override_settings(
    MIDDLEWARE=[
        "drf_cors.middleware.CorsMiddleware",
        "tests.testapp.middleware.AltUrlconfMiddleware",
    ]
)
async def test_preflight_to_a_urlconf_set_below_is_answered_under_asgi(
    async_client: AsyncClient,
) -> None:
    response = await async_client.options(
        "/alt/plain/", headers={"Origin": GLOBAL_ORIGIN, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN


def test_preflight_to_no_route_gets_the_404_with_headers(client: Client) -> None:
    response = client.options("/api/no-such-route/", **preflight_headers(GLOBAL_ORIGIN, "GET"))
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == GLOBAL_ORIGIN
    assert "Access-Control-Allow-Methods" not in response.headers


@override_settings(MIDDLEWARE=SPY_BELOW)
async def test_preflight_is_answered_before_the_chain_under_asgi(
    async_client: AsyncClient, spy_calls: list[str]
) -> None:
    response = await async_client.options(
        "/api/spy/", headers={"Origin": APP, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert spy_calls == []
