"""``CorsAPIViewMixin`` on APIViews and viewsets, through Django's real request path."""

from __future__ import annotations

import pytest
from django.test import Client
from model_bakery import baker
from rest_framework.authtoken.models import Token

from tests.conftest import APP, EVIL, REFUSED, cors_headers, preflight_headers, refused
from tests.testapp.models import Article

EDITOR = "https://editor.example.com"
#: The global defaults' ALLOW_METHODS, as a preflight answer lists them.
ALL_METHODS = "DELETE, GET, OPTIONS, PATCH, POST, PUT"
PARTNER = "https://partner-a.example"


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (APP, APP),
        ("https://a.example.org", "https://a.example.org"),
        ("https://deep.sub.example.org", "https://deep.sub.example.org"),
        ("http://localhost:5173", "http://localhost:5173"),
        ("https://pr-7.preview.example.net", "https://pr-7.preview.example.net"),
        (EVIL, None),
        ("https://example.org", None),
        ("https://app.example.com.evil.com", None),
        ("null", None),
    ],
    ids=lambda v: str(v),
)
def test_actual_request_origin_matrix(client: Client, origin: str, expected: str | None) -> None:
    response = client.get("/api/spy/", HTTP_ORIGIN=origin)
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == expected
    assert "Origin" in response.headers["Vary"]


def test_refused_origin_is_served_without_cors_headers(client: Client) -> None:
    response = client.get("/api/spy/", HTTP_ORIGIN=EVIL)
    assert response.json() == {"ok": True}
    assert cors_headers(response) == {}


def test_same_origin_request_still_varies_on_origin(client: Client) -> None:
    response = client.get("/api/spy/")
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Accept, Origin, Cookie"


def test_vary_is_added_to_not_replaced(client: Client) -> None:
    response = client.get("/api/spy/", HTTP_ORIGIN=APP)
    assert [v.strip() for v in response.headers["Vary"].split(",")] == [
        "Accept",
        "Origin",
        "Cookie",
    ]


@pytest.mark.parametrize(
    ("origin", "method", "headers", "status", "allow_methods"),
    [
        (APP, "GET", None, 200, ALL_METHODS),
        (APP, "PUT", "content-type", 200, ALL_METHODS),
        (APP, "PUT", "Content-Type, X-CSRFToken", 200, ALL_METHODS),
        (APP, "HEAD", None, 200, ALL_METHODS),
        # In the policy, not in the view: granted, so the 405 stays readable.
        (APP, "DELETE", None, 200, ALL_METHODS),
        (APP, "FOO", None, REFUSED, None),
        (APP, "put", None, REFUSED, None),
        (APP, "PUT", "x-custom", REFUSED, None),
        (APP, "PUT", "content-type, x-custom", REFUSED, None),
        (EVIL, "GET", None, REFUSED, None),
        ("null", "GET", None, REFUSED, None),
    ],
    ids=[
        "get",
        "put-json",
        "mixed-case-headers",
        "head",
        "not-implemented",
        "unknown-method",
        "lower-case-method",
        "header-not-allowed",
        "one-header-not-allowed",
        "origin-not-allowed",
        "null-origin",
    ],
)
def test_preflight_matrix(
    client: Client,
    spy_calls: list[str],
    origin: str,
    method: str,
    headers: str | None,
    status: int,
    allow_methods: str | None,
) -> None:
    response = client.options("/api/spy/", **preflight_headers(origin, method, headers))
    assert response.status_code == status
    assert response.headers.get("Access-Control-Allow-Methods") == allow_methods
    assert spy_calls == []


def test_allowed_preflight_headers(client: Client) -> None:
    response = client.options("/api/spy/", **preflight_headers(APP, "PUT", "content-type"))
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Methods": ALL_METHODS,
        "Access-Control-Allow-Headers": (
            "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with"
        ),
        "Access-Control-Max-Age": "86400",
    }
    assert response.headers["Vary"] == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )
    assert response.content == b""


def test_rejected_preflight_has_no_allow_headers_and_says_why_in_the_log(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="drf_cors")
    response = client.options("/api/spy/", **preflight_headers(EVIL, "GET"))
    assert refused(response)
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["Vary"]
    assert f"origin {EVIL!r} is not allowed" in caplog.text
    assert response.content == b""


def test_rejected_preflight_body_says_why_with_debug(client: Client, settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    response = client.options("/api/spy/", **preflight_headers(APP, "PUT", "x-custom"))
    assert response.status_code == 403
    assert b"request header 'x-custom' is not allowed" in response.content


def test_preflight_never_reaches_view_permission_or_throttle(
    client: Client, spy_calls: list[str]
) -> None:
    client.options("/api/spy/", **preflight_headers(APP, "PUT", "content-type"))
    assert spy_calls == []
    client.put("/api/spy/", HTTP_ORIGIN=APP)
    assert spy_calls == ["permission", "throttle", "put"]


def test_preflights_never_count_against_a_throttle(client: Client) -> None:
    for _ in range(5):
        assert client.options("/api/throttled/", **preflight_headers()).status_code == 200
    assert client.get("/api/throttled/", HTTP_ORIGIN=APP).status_code == 200
    assert client.get("/api/throttled/", HTTP_ORIGIN=APP).status_code == 200
    throttled = client.get("/api/throttled/", HTTP_ORIGIN=APP)
    assert throttled.status_code == 429
    assert throttled.headers["Access-Control-Allow-Origin"] == APP


def test_options_without_request_method_reaches_drf_metadata(
    client: Client, spy_calls: list[str]
) -> None:
    response = client.options("/api/spy/", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert response.json()["name"] == "Spy"
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Methods" not in response.headers
    assert spy_calls == ["permission", "throttle"]


@pytest.mark.parametrize("status", ["400", "401", "403", "404", "429"])
def test_drf_error_responses_carry_cors_headers(client: Client, status: str) -> None:
    response = client.get(f"/api/errors/?status={status}", HTTP_ORIGIN=APP)
    assert response.status_code == int(status)
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert "Origin" in response.headers["Vary"]


def test_method_not_allowed_carries_cors_headers(client: Client) -> None:
    response = client.post("/api/errors/", HTTP_ORIGIN=APP)
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == APP


def test_unhandled_exception_in_mixin_view_gets_its_policy(lenient_client: Client) -> None:
    response = lenient_client.get("/api/errors/?status=500", HTTP_ORIGIN=APP)
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == APP


def test_named_policy_on_a_view(client: Client) -> None:
    response = client.get("/api/partner/", HTTP_ORIGIN=PARTNER)
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert response.headers["Access-Control-Expose-Headers"] == "X-Partner-Quota"
    assert "Access-Control-Allow-Origin" not in client.get("/api/partner/", HTTP_ORIGIN=APP)


@pytest.mark.parametrize(
    ("method", "status", "allow_methods"),
    [("POST", 200, "GET, POST"), ("PUT", REFUSED, None)],
    ids=["allowed-method", "method-outside-policy"],
)
def test_named_policy_methods_on_preflight(
    client: Client, method: str, status: int, allow_methods: str | None
) -> None:
    response = client.options("/api/partner/", **preflight_headers(PARTNER, method))
    assert response.status_code == status
    assert response.headers.get("Access-Control-Allow-Methods") == allow_methods


def test_as_view_cors_keyword(client: Client) -> None:
    allowed = client.get("/api/configured/", HTTP_ORIGIN="https://configured.example")
    refused = client.get("/api/configured/", HTTP_ORIGIN=APP)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://configured.example"
    assert "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.parametrize(
    ("method", "origin", "expected"),
    [("get", PARTNER, None), ("post", PARTNER, PARTNER), ("get", APP, APP), ("post", APP, None)],
    ids=["get-partner", "post-partner", "get-app", "post-app"],
)
def test_policy_on_one_http_method_handler(
    client: Client, method: str, origin: str, expected: str | None
) -> None:
    response = getattr(client, method)("/api/method-policy/", HTTP_ORIGIN=origin)
    assert response.headers.get("Access-Control-Allow-Origin") == expected


class TestDisabled:
    def test_no_cors_headers_and_no_vary(self, client: Client) -> None:
        response = client.get("/api/disabled/", HTTP_ORIGIN=APP)
        assert cors_headers(response) == {}
        assert "Origin" not in response.headers.get("Vary", "")

    def test_preflight_is_left_to_drf(self, client: Client) -> None:
        response = client.options("/api/disabled/", **preflight_headers(APP, "POST"))
        assert response.status_code == 200
        assert response.json()["name"] == "Disabled"
        assert cors_headers(response) == {}

    def test_error_response_is_left_alone_by_the_middleware(self, client: Client) -> None:
        response = client.post("/api/disabled/", HTTP_ORIGIN=APP)
        assert response.status_code == 400
        assert cors_headers(response) == {}


@pytest.mark.django_db
class TestViewSet:
    def test_class_policy_with_credentials(self, client: Client) -> None:
        baker.make(Article, _quantity=2)
        response = client.get("/api/articles/", HTTP_ORIGIN=APP)
        assert len(response.json()) == 2
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    def test_class_policy_replaces_global_origins(self, client: Client) -> None:
        response = client.get("/api/articles/", HTTP_ORIGIN="https://a.example.org")
        assert "Access-Control-Allow-Origin" not in response.headers

    @pytest.mark.parametrize(
        ("origin", "granted"), [(EDITOR, True), (APP, False)], ids=["action-origin", "class-origin"]
    )
    def test_preflight_uses_the_policy_of_the_action_it_reaches(
        self, client: Client, origin: str, granted: bool
    ) -> None:
        article = baker.make(Article)
        response = client.options(
            f"/api/articles/{article.pk}/", **preflight_headers(origin, "PUT", "content-type")
        )
        assert (response.headers.get("Access-Control-Allow-Origin") == origin) is granted

    def test_preflight_for_another_action_on_the_same_route(self, client: Client) -> None:
        article = baker.make(Article)
        response = client.options(
            f"/api/articles/{article.pk}/", **preflight_headers(APP, "DELETE")
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Methods"] == ALL_METHODS

    def test_action_policy_inherits_credentials_from_the_view(self, client: Client) -> None:
        article = baker.make(Article)
        response = client.put(f"/api/articles/{article.pk}/", HTTP_ORIGIN=EDITOR)
        assert response.status_code == 401
        assert response.headers["Access-Control-Allow-Origin"] == EDITOR
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    def test_authenticated_update_through_action_policy(self, client: Client) -> None:
        token = baker.make(Token, user=baker.make("auth.User"))
        article = baker.make(Article, title="old")
        response = client.put(
            f"/api/articles/{article.pk}/",
            {"title": "new", "body": ""},
            content_type="application/json",
            HTTP_ORIGIN=EDITOR,
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == EDITOR

    def test_list_route_preflight_lists_the_policy_methods(self, client: Client) -> None:
        response = client.options("/api/articles/", **preflight_headers(APP, "POST"))
        assert response.headers["Access-Control-Allow-Methods"] == ALL_METHODS

    def test_cors_policy_above_action_allows_all_without_credentials(self, client: Client) -> None:
        response = client.get("/api/articles/public_feed/", HTTP_ORIGIN=EVIL)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers

    def test_action_keyword_names_a_policy(self, client: Client) -> None:
        partner = client.get("/api/articles/partner_feed/", HTTP_ORIGIN=PARTNER)
        app = client.get("/api/articles/partner_feed/", HTTP_ORIGIN=APP)
        assert partner.headers["Access-Control-Allow-Origin"] == PARTNER
        assert "Access-Control-Allow-Origin" not in app.headers

    def test_action_keyword_policy_exposes_headers(self, client: Client) -> None:
        response = client.get("/api/articles/counted/", HTTP_ORIGIN=APP)
        assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    def test_expose_headers_never_on_preflight(self, client: Client) -> None:
        response = client.options("/api/articles/counted/", **preflight_headers(APP, "GET"))
        assert response.status_code == 200
        assert "Access-Control-Expose-Headers" not in response.headers

    def test_unhandled_exception_in_action_gets_the_view_policy(
        self, lenient_client: Client
    ) -> None:
        response = lenient_client.get("/api/articles/boom/", HTTP_ORIGIN=APP)
        assert response.status_code == 500
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Allow-Credentials"] == "true"

    def test_session_csrf_failure_carries_headers(self, client: Client) -> None:
        user = baker.make("auth.User")
        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(user)
        response = csrf_client.post(
            "/api/articles/", {"title": "x"}, content_type="application/json", HTTP_ORIGIN=APP
        )
        assert response.status_code == 403
        assert response.headers["Access-Control-Allow-Origin"] == APP


def test_mixin_serves_without_the_middleware(client: Client, settings: object) -> None:
    settings.MIDDLEWARE = [  # type: ignore[attr-defined]
        m
        for m in settings.MIDDLEWARE
        if "drf_cors" not in m  # type: ignore[attr-defined]
    ]
    assert client.get("/api/spy/", HTTP_ORIGIN=APP).headers["Access-Control-Allow-Origin"] == APP
    preflight = client.options("/api/spy/", **preflight_headers())
    assert preflight.headers["Access-Control-Allow-Origin"] == APP


def test_refused_origin_is_logged_at_debug(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="drf_cors")
    client.get("/api/spy/", HTTP_ORIGIN=EVIL)
    assert f"origin {EVIL!r} is not allowed" in caplog.text


@pytest.mark.parametrize(
    ("method", "expected"), [("head", "*"), ("post", None)], ids=["head-uses-get", "post"]
)
def test_head_uses_the_policy_of_get(client: Client, method: str, expected: str | None) -> None:
    response = getattr(client, method)("/api/head-policy/", HTTP_ORIGIN=EVIL)
    assert response.headers.get("Access-Control-Allow-Origin") == expected


def test_post_only_action_preflight_lists_its_policy_methods(client: Client) -> None:
    response = client.options("/api/articles/publish/", **preflight_headers(APP, "POST"))
    assert response.headers["Access-Control-Allow-Methods"] == ALL_METHODS


def test_rejected_preflight_is_not_logged_again_by_django(client: Client) -> None:
    import unittest

    with unittest.TestCase().assertNoLogs("django.request", level="WARNING"):
        response = client.options("/api/spy/", **preflight_headers(EVIL, "GET"))
    assert refused(response)


@pytest.mark.django_db
def test_action_keyword_policy_covers_a_plain_options_and_inherits(client: Client) -> None:
    response = client.options("/api/articles/counted/", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_head_reaches_the_get_action_before_drf_maps_it() -> None:
    from drf_cors._routes import specs
    from drf_cors.policy import UNSET
    from tests.testapp.views import ArticleViewSet

    view, action = specs(ArticleViewSet, UNSET, {"get": "public_feed"}, "HEAD")
    assert view is ArticleViewSet.cors
    assert action == ArticleViewSet.public_feed._drf_cors_policy  # type: ignore[attr-defined]
