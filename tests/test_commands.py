"""Diagnostics: ``cors_report`` and ``cors_explain`` (output and exit status), and
what a refusal leaves at run time (the ``drf_cors`` log, the DEBUG body)."""

from __future__ import annotations

import json
import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import path, resolve

from drf_cors import _routes as routes
from drf_cors.management import inventory
from drf_cors.management.commands.cors_explain import Command as Explain
from drf_cors.management.commands.cors_explain import unsafe_headers
from drf_cors.management.inventory import humanize
from tests import settings as test_settings
from tests.testapp import views

APP = "https://app.example.com"
EDITOR = "https://editor.example.com"
PARTNER = "https://partner-a.example"
EVIL = "https://evil.example"


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def fail(command: str, *args: str) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command(command, *args, stdout=out)
    return out.getvalue(), info.value


def report(*args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run("cors_report", "--format", "json", *args))
    return rows


def row(rows: list[dict[str, Any]], path: str, method: str = "GET") -> dict[str, Any]:
    (found,) = [r for r in rows if r["path"] == path and method in r["methods"]]
    return found


def with_cors(**changes: Any) -> Any:
    cors = {**test_settings.REST_FRAMEWORK["CORS"], **changes}  # type: ignore[dict-item]
    return override_settings(REST_FRAMEWORK={**test_settings.REST_FRAMEWORK, "CORS": cors})


# --- cors_report ------------------------------------------------------------------


def test_report_table_has_a_header_and_a_line_per_route() -> None:
    lines = run("cors_report").splitlines()
    assert lines[0].split()[:4] == ["PATH", "METHODS", "VIEW", "SOURCE"]
    assert any(line.startswith("/api/partner/ ") for line in lines)


def test_report_table_shows_the_source_and_origins() -> None:
    (line,) = [x for x in run("cors_report").splitlines() if x.startswith("/api/partner/ ")]
    assert "policy 'partners' (view)" in line
    assert f"{PARTNER} https://partner-b.example" in line


@pytest.mark.parametrize(
    ("path", "method", "source", "view"),
    [
        ("/api/articles/<pk>/", "PUT", "action", "ArticleViewSet.update"),
        ("/api/articles/<pk>/", "GET", "view", "ArticleViewSet"),
        (
            "/api/articles/partner_feed/",
            "GET",
            "policy 'partners' (action)",
            "ArticleViewSet.partner_feed",
        ),
        ("/api/partner/", "GET", "policy 'partners' (view)", "PartnerView"),
        ("/api/spy/", "GET", "global defaults", "SpyView"),
        ("/api/disabled/", "GET", "disabled", "DisabledView"),
        ("/api/health/", "*", "policy 'public' (view)", "health"),
        ("/api/stats-below/", "POST", "view", "stats_below"),
        ("/api/method-policy/", "POST", "policy 'partners' (action)", "MethodPolicyView.post"),
        ("/outside/plain/", "*", "global defaults", "plain"),
    ],
    ids=[
        "viewset-action",
        "viewset-class",
        "action-named",
        "view-named",
        "mixin-global",
        "disabled",
        "function-named",
        "api-view-below",
        "handler-named",
        "middleware-global",
    ],
)
def test_report_source_of_each_route(path: str, method: str, source: str, view: str) -> None:
    found = row(report(), path, method)
    assert (found["source"], found["view"]) == (source, view)


def test_report_route_outside_urls_regex_is_not_covered() -> None:
    with with_cors(URLS_REGEX=r"^/api/"):
        found = row(report(), "/outside/plain/", "*")
    assert (found["source"], found["allowed_origins"]) == ("not covered", [])


def test_report_json_has_the_effective_policy() -> None:
    found = row(report(), "/api/articles/<pk>/", "PUT")
    assert found["allowed_origins"] == [EDITOR]
    assert found["credentials"] is True  # inherited from the viewset's policy
    # Setting allowed_origins replaced the global regexes too: one origin field.
    assert found["allowed_origin_regexes"] == []


def test_report_credentials_filter_keeps_only_credentialed_routes() -> None:
    rows = report("--credentials")
    assert {r["path"] for r in rows} >= {"/api/articles/", "/api/async-health/"}
    assert all(r["credentials"] for r in rows)
    assert "/api/partner/" not in {r["path"] for r in rows}


def test_report_credentials_filter_with_no_match_says_so() -> None:
    with override_settings(ROOT_URLCONF="tests.test_commands"):
        assert run("cors_report", "--credentials") == "No routes match.\n"


def test_report_exits_1_when_a_route_cannot_be_served() -> None:
    with override_settings(ROOT_URLCONF="tests.testapp.urls_broken"):
        out, error = fail("cors_report")
    assert error.returncode == 1
    assert "/api/missing/" in str(error)
    assert "invalid: CORS policy 'no-such-policy' is not defined" in out


def test_report_exits_1_for_credentials_with_all_origins_after_inheritance() -> None:
    with with_cors(ALLOW_CREDENTIALS=True):
        _, error = fail("cors_report", "--format", "json")
    assert "/api/health/" in str(error)


def test_report_on_broken_settings_exits_1_without_a_traceback() -> None:
    with override_settings(REST_FRAMEWORK={"CORS": ["ALLOWED_ORIGINS"]}):
        _, error = fail("cors_report")
    assert 'REST_FRAMEWORK["CORS"] must be a dict' in str(error)


def test_explain_on_broken_settings_is_blocked_without_a_traceback() -> None:
    with override_settings(REST_FRAMEWORK={"CORS": ["ALLOWED_ORIGINS"]}):
        _, error = fail("cors_explain", APP, "/api/partner/")
    assert "allowed: none (the policy is misconfigured" in str(error)


def test_report_exits_0_on_a_good_configuration() -> None:
    assert run("cors_report", "--format", "json").startswith("[")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^articles/(?P<pk>[^/.]+)/$", "articles/<pk>/"),
        (r"^articles\.(?P<format>[a-z0-9]+)/?$", "articles.<format>/"),
        (r"^a/(?P<x>(a|b))/\Z", "a/<x>/"),
        ("notes/<int:pk>/", "notes/<int:pk>/"),
    ],
    ids=["group", "escape-and-optional-slash", "nested-group", "route"],
)
def test_report_shows_patterns_as_paths(pattern: str, expected: str) -> None:
    from django.urls.resolvers import RegexPattern, RoutePattern

    kind = RoutePattern if "<" in pattern and "(?P" not in pattern else RegexPattern
    assert humanize(kind(pattern)) == expected


#: This module is also a URLconf for the "no match" test: one view, no credentials.
urlpatterns = [path("plain/", views.plain)]


# --- cors_explain -------------------------------------------------------------------


def test_explain_allowed_simple_request_exits_0() -> None:
    out = run("cors_explain", APP, "/api/spy/")
    assert f"Access-Control-Allow-Origin: {APP}" in out
    assert out.endswith("Result: allowed.\n")


def test_explain_refused_origin_exits_1_with_the_reason() -> None:
    out, error = fail("cors_explain", EVIL, "/api/articles/partner_feed/")
    assert error.returncode == 1
    assert str(error).startswith(
        f"blocked: origin '{EVIL}' is not allowed by policy 'partners' on "
        f"ArticleViewSet.partner_feed; allowed: {PARTNER}, https://partner-b.example"
    )
    assert "Verdict: blocked" in out


def test_explain_non_simple_request_runs_the_preflight_first() -> None:
    args = ("--method", "put", "--header", "Content-Type: application/json", "--credentials")
    out = run("cors_explain", EDITOR, "/api/articles/1/", *args)
    assert out.index("Preflight: OPTIONS /api/articles/1/") < out.index("Request: PUT")
    assert "Access-Control-Request-Headers: content-type" in out
    assert "Access-Control-Allow-Credentials: true" in out


def test_explain_refused_preflight_stops_before_the_request() -> None:
    out, error = fail("cors_explain", APP, "/api/articles/1/", "--method", "PUT")
    assert "Response 200 (refused: no Access-Control-Allow-* header):" in out
    assert "Request: PUT" not in out
    assert "the action's own policy on ArticleViewSet.update; allowed: " in str(error)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            (PARTNER, "/api/partner/", "--method", "DELETE"),
            "method 'DELETE' is not allowed by policy 'partners'",
        ),
        (
            (APP, "/api/spy/", "--header", "X-Custom"),
            "request header 'x-custom' is not allowed by the global defaults",
        ),
        (
            (APP, "/api/health/", "--credentials"),
            "'Access-Control-Allow-Origin: *', which browsers refuse for a credentialed call",
        ),
        (
            (PARTNER, "/api/partner/", "--credentials"),
            "policy 'partners' on PartnerView.get does not allow credentials",
        ),
        ((APP, "/api/disabled/"), "CORS is disabled on DisabledView.get"),
        ((APP, "/api/disabled-function/", "--preflight"), "CORS is disabled on disabled_function"),
    ],
    ids=["method", "header", "credentials-with-star", "no-credentials", "disabled", "disabled-fn"],
)
def test_explain_blocked_reasons(args: tuple[str, ...], reason: str) -> None:
    _, error = fail("cors_explain", *args)
    assert reason in str(error)
    assert error.returncode == 1


def test_explain_credentialed_preflight_to_a_star_policy_is_blocked() -> None:
    _, error = fail("cors_explain", APP, "/api/health/", "--preflight", "--credentials")
    assert "which browsers refuse for a credentialed call" in str(error)


def test_explain_credentials_with_all_origins_after_inheritance_allows_none() -> None:
    with with_cors(ALLOW_CREDENTIALS=True):
        _, error = fail("cors_explain", APP, "/api/health/")
    assert "allowed: none (the policy is misconfigured" in str(error)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/api/health/", "all origins"), ("/api/configured/", "https://configured.example")],
    ids=["all", "listed"],
)
def test_explain_lists_what_a_policy_allows(path: str, allowed: str) -> None:
    found = inventory.resolve(routes.route(resolve(path).func), resolve(path).func, "GET", path)
    assert Explain._allowed_origins(found).startswith(allowed)


def test_explain_cors_check_refuses_a_grant_for_another_origin() -> None:
    found = inventory.resolve(None, None, "GET", "/api/spy/")
    reason = Explain()._cors_check({"Access-Control-Allow-Origin": EVIL}, APP, False, found)
    assert reason == f"the response grants '{EVIL}', not '{APP}'"


def test_explain_path_outside_urls_regex_is_not_covered() -> None:
    with with_cors(URLS_REGEX=r"^/api/"):
        out, error = fail("cors_explain", APP, "/outside/plain/")
    assert "no CORS policy covers plain" in str(error)
    assert "Response: no CORS headers" in out


def test_explain_unknown_path_gets_django_404_with_the_global_defaults() -> None:
    out = run("cors_explain", APP, "/no/such/path/?q=1")
    assert "Route: /no/such/path/ (no URL pattern: Django's 404)" in out
    assert "policy: the global defaults" in out


def test_explain_preflight_only() -> None:
    out = run("cors_explain", APP, "/api/spy/", "--preflight", "--method", "PUT")
    assert "Response 200:" in out
    assert "Request: PUT" not in out


def test_explain_safelisted_content_type_needs_no_preflight() -> None:
    out = run(
        "cors_explain", APP, "/api/spy/", "--method", "POST", "--header", "Content-Type: text/plain"
    )
    assert "Preflight" not in out


def test_explain_drops_headers_scripts_cannot_set() -> None:
    out = run("cors_explain", APP, "/api/spy/", "--header", "Cookie: a=b")
    assert "Note: scripts cannot set 'cookie'" in out
    assert "Preflight" not in out


def test_explain_misconfigured_route_is_blocked() -> None:
    with override_settings(ROOT_URLCONF="tests.testapp.urls_broken"):
        out, error = fail("cors_explain", APP, "/api/missing/", "--preflight")
    assert "policy: invalid (CORS policy 'no-such-policy' is not defined" in out
    assert "is misconfigured" in str(error)


def test_explain_via_the_command_line_exits_with_status_1() -> None:
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "cors_explain", EVIL, "/api/partner/"])
    with pytest.raises(SystemExit) as info:
        utility.execute()
    assert info.value.code == 1


@pytest.mark.parametrize(
    ("headers", "unsafe"),
    [
        ({"accept": None, "content-language": "en"}, []),
        ({"content-type": "multipart/form-data; boundary=x"}, []),
        ({"content-type": None}, ["content-type"]),
        ({"x-b": None, "x-a": None}, ["x-a", "x-b"]),
    ],
    ids=["safelisted", "form-content-type", "content-type-without-value", "sorted"],
)
def test_explain_unsafe_header_names_follow_fetch(
    headers: dict[str, str | None], unsafe: list[str]
) -> None:
    assert unsafe_headers(headers) == unsafe


@pytest.mark.parametrize(
    ("headers", "method", "unsafe", "credentials", "reason"),
    [
        ({"Access-Control-Allow-Methods": "GET"}, "PUT", [], False, "method 'PUT'"),
        ({"Access-Control-Allow-Methods": "*"}, "PUT", [], True, "method 'PUT'"),
        ({"Access-Control-Allow-Methods": "*"}, "PUT", [], False, None),
        ({"Access-Control-Allow-Headers": "*"}, "GET", ["authorization"], False, "'authorization'"),
        ({"Access-Control-Allow-Headers": "*"}, "GET", ["x-a"], True, "'x-a'"),
        ({"Access-Control-Allow-Headers": "*"}, "GET", ["x-a"], False, None),
    ],
    ids=[
        "method-unlisted",
        "star-with-credentials",
        "star",
        "authorization",
        "header-star-creds",
        "header-star",
    ],
)
def test_explain_preflight_check_is_the_browser_s(
    headers: dict[str, str], method: str, unsafe: list[str], credentials: bool, reason: str | None
) -> None:
    found = Explain._preflight_check(headers, method, unsafe, credentials)
    assert (found is None) if reason is None else (reason in str(found))


# --- diagnostics at run time ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "meta", "reason"),
    [
        (
            "/api/spy/",
            {"HTTP_ORIGIN": EVIL},
            f"origin '{EVIL}' is not allowed by the global defaults",
        ),
        (
            "/api/partner/",
            {"HTTP_ORIGIN": PARTNER, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "DELETE"},
            "method 'DELETE' is not allowed by policy 'partners'",
        ),
        (
            "/api/spy/",
            {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-custom"},
            "request header 'x-custom' is not allowed by the global defaults",
        ),
        (
            "/api/spy/",
            {"HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK": "true"},
            "private network access is not allowed by the global defaults",
        ),
    ],
    ids=["origin", "method", "header", "private-network"],
)
def test_rejected_preflight_is_logged_with_its_reason(
    caplog: pytest.LogCaptureFixture, path: str, meta: dict[str, str], reason: str
) -> None:
    caplog.set_level(logging.INFO, logger="drf_cors")
    headers = {"HTTP_ORIGIN": APP, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET", **meta}
    response = Client().options(path, **headers)  # type: ignore[arg-type]
    assert "Access-Control-Allow-Origin" not in response.headers
    (record,) = [r for r in caplog.records if r.name == "drf_cors"]
    assert (record.levelno, reason in record.getMessage()) == (logging.INFO, True)


@pytest.mark.parametrize(("debug", "body"), [(True, "request header 'x-custom'"), (False, "")])
def test_rejected_preflight_body_says_why_only_with_debug(debug: bool, body: str) -> None:
    headers = {
        "HTTP_ORIGIN": APP,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-custom",
    }
    with override_settings(DEBUG=debug):
        text = Client().options("/api/spy/", **headers).content.decode()  # type: ignore[arg-type]
    assert (body in text, text.count("\n")) == (True, 0)
    assert bool(text) is debug


def test_refused_origin_on_an_actual_request_is_logged_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="drf_cors")
    Client().get("/api/spy/", HTTP_ORIGIN=EVIL)
    messages = [r.getMessage() for r in caplog.records if r.name == "drf_cors"]
    assert messages == [f"drf_cors: origin '{EVIL}' is not allowed by the global defaults."]
