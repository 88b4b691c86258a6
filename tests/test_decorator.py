"""``@cors_policy`` on function views, classes and actions, and its misuse."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client
from django.views import View
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_cors import CorsAPIView, CorsPolicy, cors_policy
from tests.conftest import APP, cors_headers, preflight_headers


@pytest.mark.parametrize("route", ["stats-below", "stats-above"])
class TestBothOrdersAroundApiView:
    def test_actual_request(self, client: Client, route: str) -> None:
        response = client.get(f"/api/{route}/", HTTP_ORIGIN=APP)
        assert response.json() == {"n": 1}
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"

    def test_route_policy_replaces_global_origins(self, client: Client, route: str) -> None:
        response = client.get(f"/api/{route}/", HTTP_ORIGIN="https://a.example.org")
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_preflight_is_answered_before_the_function(
        self, client: Client, spy_calls: list[str], route: str
    ) -> None:
        response = client.options(f"/api/{route}/", **preflight_headers(APP, "POST"))
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Methods"] == (
            "DELETE, GET, OPTIONS, PATCH, POST, PUT"
        )
        assert spy_calls == []

    def test_drf_error_carries_headers_once(self, client: Client, route: str) -> None:
        response = client.post(f"/api/{route}/", HTTP_ORIGIN=APP)
        assert response.status_code == 400
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Vary"].count("Origin") == 1


def test_docstring_survives_below_api_view() -> None:
    from tests.testapp.views import stats_below

    assert stats_below.cls.__doc__ == "Stats, with the policy below @api_view."  # type: ignore[attr-defined]


class TestPlainDjangoFunctionViews:
    def test_named_policy(self, client: Client, spy_calls: list[str]) -> None:
        response = client.get("/api/health/", HTTP_ORIGIN="https://anyone.example")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert spy_calls == ["health"]

    def test_preflight_never_calls_the_function(self, client: Client, spy_calls: list[str]) -> None:
        response = client.options("/api/health/", **preflight_headers("https://x.example", "POST"))
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Methods"] == (
            "DELETE, GET, OPTIONS, PATCH, POST, PUT"
        )
        assert spy_calls == []

    def test_async_view_with_credentials(self, client: Client) -> None:
        response = client.get("/api/async-health/", HTTP_ORIGIN=APP)
        assert response.json() == {"ok": True, "async": True}
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    async def test_async_view_under_asgi(self, async_client: AsyncClient) -> None:
        response = await async_client.get("/api/async-health/", headers={"Origin": APP})
        assert response.headers["Access-Control-Allow-Origin"] == APP

    async def test_async_view_preflight_under_asgi(
        self, async_client: AsyncClient, spy_calls: list[str]
    ) -> None:
        response = await async_client.options(
            "/api/async-health/",
            headers={"Origin": APP, "Access-Control-Request-Method": "PUT"},
        )
        assert response.status_code == 200
        assert spy_calls == []

    def test_unhandled_exception_gets_the_route_policy_not_the_global(
        self, lenient_client: Client
    ) -> None:
        own = lenient_client.get("/api/decorated-boom/", HTTP_ORIGIN=APP)
        global_only = lenient_client.get(
            "/api/decorated-boom/", HTTP_ORIGIN="https://a.example.org"
        )
        assert own.status_code == 500
        assert own.headers["Access-Control-Allow-Origin"] == APP
        assert "Access-Control-Allow-Origin" not in global_only.headers

    def test_csrf_failure_carries_the_route_policy(self) -> None:
        response = Client(enforce_csrf_checks=True).post("/api/csrf/", HTTP_ORIGIN=APP)
        assert response.status_code == 403
        assert response.headers["Access-Control-Allow-Origin"] == APP

    def test_disabled_function_gets_nothing_even_from_the_middleware(self, client: Client) -> None:
        response = client.get("/api/disabled-function/", HTTP_ORIGIN=APP)
        assert cors_headers(response) == {}
        assert "Vary" not in response.headers


class TestClasses:
    def test_decorated_apiview(self, client: Client) -> None:
        partner = "https://partner-b.example"
        response = client.get("/api/decorated-class/", HTTP_ORIGIN=partner)
        assert response.headers["Access-Control-Allow-Origin"] == partner

    def test_decorated_apiview_preflight(self, client: Client) -> None:
        response = client.options(
            "/api/decorated-class/", **preflight_headers("https://partner-b.example", "GET")
        )
        # The named policy's methods, not only the view's (it lacks POST).
        assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"

    @pytest.mark.parametrize("route", ["cbv", "async-cbv"])
    def test_django_class_based_views(self, client: Client, route: str) -> None:
        response = client.get(f"/api/{route}/", HTTP_ORIGIN=APP)
        assert response.headers["Access-Control-Allow-Origin"] == APP

    @pytest.mark.parametrize("route", ["cbv", "async-cbv"])
    def test_django_class_based_view_preflight(
        self, client: Client, spy_calls: list[str], route: str
    ) -> None:
        response = client.options(f"/api/{route}/", **preflight_headers(APP, "GET"))
        assert response.status_code == 200
        assert spy_calls == []

    @pytest.mark.parametrize("route", ["cbv", "async-cbv"])
    async def test_django_class_based_views_under_asgi(
        self, async_client: AsyncClient, route: str
    ) -> None:
        response = await async_client.get(f"/api/{route}/", headers={"Origin": APP})
        assert response.headers["Access-Control-Allow-Origin"] == APP

    def test_decorating_a_mixin_class_keeps_the_original_untouched(self) -> None:
        class Base(CorsAPIView):
            pass

        decorated = cors_policy("partners")(Base)
        assert decorated.cors == "partners"
        assert Base.cors is None
        assert decorated.__qualname__ == Base.__qualname__

    def test_decorating_a_viewset_class(self) -> None:
        class Plain(viewsets.ViewSet):
            def list(self, request: Any) -> Response:
                return Response([])

        decorated: Any = cors_policy("public")(Plain)
        view = decorated.as_view({"get": "list"})
        from django.test import RequestFactory

        response = view(RequestFactory().get("/", HTTP_ORIGIN="https://x.example"))
        assert response.headers["Access-Control-Allow-Origin"] == "*"

    def test_decorating_as_view_results(self) -> None:
        from django.test import RequestFactory

        class Plain(APIView):
            def get(self, request: Any) -> Response:
                return Response({})

        class PlainDjango(View):
            def get(self, request: HttpRequest) -> HttpResponse:
                return HttpResponse("ok")

        request = RequestFactory().get("/", HTTP_ORIGIN="https://x.example")
        for view in (Plain.as_view(), PlainDjango.as_view()):
            wrapped = cors_policy(allow_all_origins=True)(view)
            assert wrapped(request).headers["Access-Control-Allow-Origin"] == "*"

    def test_decorating_a_viewset_as_view(self) -> None:
        from django.test import RequestFactory

        class Plain(viewsets.ViewSet):
            def list(self, request: Any) -> Response:
                return Response([])

        wrapped = cors_policy(allow_all_origins=True)(Plain.as_view({"get": "list"}))
        response = wrapped(RequestFactory().get("/", HTTP_ORIGIN="https://x.example"))
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: cors_policy(_view), "write @cors_policy(...)"),  # type: ignore[call-overload]
        (lambda: cors_policy(42), "got 42"),  # type: ignore[call-overload]
        (lambda: cors_policy("a", "b"), "either one policy"),  # type: ignore[call-overload]
        (
            lambda: cors_policy("public", allow_credentials=True),  # type: ignore[call-overload]
            "either one policy",
        ),
        (lambda: cors_policy()(type("NotAView", (), {})), "not a Django or DRF view"),
        (lambda: cors_policy()(staticmethod(_view)), "cannot serve"),
        (lambda: cors_policy()(42), "cannot serve"),
        (lambda: cors_policy()(print), "it is not a function"),
        (
            lambda: cors_policy("p")(type("Both", (CorsAPIView,), {"cors": "x"})),
            "keep one",
        ),
    ],
    ids=[
        "no-parentheses",
        "bad-positional",
        "two-names",
        "name-and-fields",
        "not-a-view-class",
        "staticmethod",
        "not-callable",
        "builtin",
        "cors-in-body-too",
    ],
)
def test_misuse_fails_at_import_time_with_the_right_code(make: Any, fragment: str) -> None:
    with pytest.raises(TypeError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_invalid_fields_fail_when_decorating() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="no scheme"):
        cors_policy(allowed_origins=["app.example.com"])


def test_methods_are_stamped_not_wrapped() -> None:
    class Holder:
        def list(self) -> None:
            pass

    stamped = cors_policy("partners")(Holder.list)
    assert stamped is Holder.list
    assert stamped._drf_cors_policy == "partners"  # type: ignore[attr-defined]


def test_nested_functions_are_wrapped_as_views() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    wrapped = cors_policy(CorsPolicy(allow_all_origins=True))(view)
    assert wrapped is not view
    assert wrapped.__name__ == "view"


def test_api_view_below_in_a_nested_scope(client: Client) -> None:
    from django.test import RequestFactory

    @api_view(["GET"])
    @cors_policy(allow_all_origins=True)
    def nested(request: Any) -> Response:
        return Response({"nested": True})

    response = nested(RequestFactory().get("/", HTTP_ORIGIN="https://x.example"))
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_docstring_hook_ignores_classes_that_are_not_api_views() -> None:
    wrapped = cors_policy("public")(_view)
    holder = type("Holder", (), {"__doc__": wrapped.__doc__})
    assert holder.__bases__ == (object,)
