"""System checks: each id triggered by a bad configuration and silent on a good one.

Every check runs at three levels: the global defaults, a ``POLICIES`` entry and
a policy attached to a view, viewset or action found in the URLconf.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIView, CorsAPIViewMixin, CorsPolicy, cors_policy
from drf_cors.checks import check_middleware, check_settings, check_views
from tests import settings as test_settings

ROOT = Path(__file__).resolve().parent.parent
REST = test_settings.REST_FRAMEWORK
CREDS = {"ALLOW_CREDENTIALS": True}


def rest(cors: Any) -> dict[str, Any]:
    return {**REST, "CORS": cors}


def settings_ids(cors: Any) -> list[str]:
    with override_settings(REST_FRAMEWORK=rest(cors)):
        return [m.id for m in check_settings()]


# (id, a configuration that triggers it, a near miss that must stay silent)
POLICY_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("E001", {"ALLOW_CREDENTIALS": "yes"}, {"ALLOW_CREDENTIALS": False}),
    ("E001", {"ALLOWED_ORIGINS": "https://a.example"}, {"ALLOWED_ORIGINS": ["https://a.example"]}),
    ("E001", {"ALLOW_HEADERS": [1]}, {"ALLOW_HEADERS": ["x-one"]}),
    ("E001", {"ALLOWED_ORIGIN_REGEXES": [1]}, {"ALLOWED_ORIGIN_REGEXES": [re.compile("x")]}),
    ("E001", {"PREFLIGHT_MAX_AGE": "60"}, {"PREFLIGHT_MAX_AGE": 60}),
    ("E001", {"PREFLIGHT_MAX_AGE": True}, {"PREFLIGHT_MAX_AGE": 0}),
    (
        "E001",
        {"ALLOWED_ORIGINS_SOURCE": ["tests.testapp.sources.listed"]},
        {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.listed"},
    ),
    (
        "W013",
        {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.listed", "ALLOW_ALL_ORIGINS": True},
        {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.listed"},
    ),
    (
        "E003",
        {"ALLOWED_ORIGINS": ["app.example.com"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E003",
        {"ALLOWED_ORIGINS": ["https://exa_mple.com"]},
        {"ALLOWED_ORIGINS": ["https://ex-ample.com"]},
    ),
    ("E003", {"ALLOWED_ORIGINS": ["https://"]}, {"ALLOWED_ORIGINS": ["https://a.example"]}),
    ("E003", {"ALLOWED_ORIGINS": ["http://[::g]"]}, {"ALLOWED_ORIGINS": ["http://[::1]"]}),
    (
        "E004",
        {"ALLOWED_ORIGIN_REGEXES": [r"https://(\.example"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"https://\w+\.example"]},
    ),
    ("E005", {"ALLOW_ALL_ORIGINS": True, **CREDS}, {"ALLOW_ALL_ORIGINS": True}),
    ("E006", {"ALLOW_METHODS": ["get"]}, {"ALLOW_METHODS": ["GET"]}),
    ("E006", {"ALLOW_METHODS": ["GE T"]}, {"ALLOW_METHODS": ["PURGE"]}),
    ("E006", {"ALLOW_METHODS": ["*"]}, {"ALLOW_METHODS": ["DELETE"]}),
    ("E007", {"ALLOW_HEADERS": ["x-token: 1"]}, {"ALLOW_HEADERS": ["x-token", "*"]}),
    ("E007", {"EXPOSE_HEADERS": ["X Total"]}, {"EXPOSE_HEADERS": ["X-Total"]}),
    ("E008", {"PREFLIGHT_MAX_AGE": -1}, {"PREFLIGHT_MAX_AGE": 600}),
    (
        "E013",
        {"ALLOWED_ORIGINS": ["https://app.example.com/"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E013",
        {"ALLOWED_ORIGINS": ["https://app.example.com?x"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com:8443"]},
    ),
    (
        "E014",
        {"ALLOWED_ORIGINS": ["https://App.example.com"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E015",
        {"ALLOWED_ORIGINS": ["https://app.example.com "]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E016",
        {"ALLOWED_ORIGINS": ["https://me@app.example.com"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E017",
        {"ALLOWED_ORIGINS": ["https://app.example.com:443"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com:8443"]},
    ),
    (
        "E017",
        {"ALLOWED_ORIGINS": ["http://app.example.com:80"]},
        {"ALLOWED_ORIGINS": ["http://localhost:8080"]},
    ),
    (
        "E018",
        {"ALLOWED_ORIGINS": ["https://bücher.example"]},
        {"ALLOWED_ORIGINS": ["https://xn--bcher-kva.example"]},
    ),
    (
        "E019",
        {"ALLOWED_ORIGINS": ["https://app.example.com:99999"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com:65535"]},
    ),
    (
        "E019",
        {"ALLOWED_ORIGINS": ["http://localhost:0"]},
        {"ALLOWED_ORIGINS": ["http://localhost:*"]},
    ),
    ("E020", {"ALLOWED_ORIGINS": ["*"]}, {"ALLOW_ALL_ORIGINS": True}),
    (
        "E020",
        {"ALLOWED_ORIGINS": ["https://a.*.example.com"]},
        {"ALLOWED_ORIGINS": ["https://*.example.com"]},
    ),
    (
        "E020",
        {"ALLOWED_ORIGINS": ["https://*example.com"]},
        {"ALLOWED_ORIGINS": ["https://*.example.com:*"]},
    ),
    ("E021", {"ALLOWED_ORIGINS": ["file://"]}, {"ALLOWED_ORIGINS": ["http://localhost"]}),
    (
        "E021",
        {"ALLOWED_ORIGINS": ["wss://app.example.com"]},
        {"ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
    (
        "E021",
        {"ALLOWED_ORIGINS": ["file:///home/me/app.html"]},
        {"ALLOWED_ORIGINS": ["http://127.0.0.1"]},
    ),
    (
        "W002",
        {"ALLOWED_ORIGINS": ["http://app.example.com"], **CREDS},
        {"ALLOWED_ORIGINS": ["http://app.example.com"]},
    ),
    (
        "W002",
        {"ALLOWED_ORIGINS": ["http://*.example.com:*"], **CREDS},
        {"ALLOWED_ORIGINS": ["https://*.example.com"], **CREDS},
    ),
    (
        "W002",
        {"ALLOWED_ORIGINS": ["http://10.0.0.1:8000"], **CREDS},
        {"ALLOWED_ORIGINS": ["http://127.0.0.1:8000"], **CREDS},
    ),
    (
        "W002",
        {"ALLOWED_ORIGINS": ["http://*.example.com"], **CREDS},
        {"ALLOWED_ORIGINS": ["http://[::1]:8000"], **CREDS},
    ),
    (
        "W002",
        {"ALLOWED_ORIGINS": ["http://app.example.com"], **CREDS},
        {"ALLOWED_ORIGINS": ["http://app.localhost:3000"], **CREDS},
    ),
    (
        "W003",
        {"ALLOWED_ORIGINS": ["https://*.com"], **CREDS},
        {"ALLOWED_ORIGINS": ["https://*.com"]},
    ),
    (
        "W003",
        {"ALLOWED_ORIGINS": ["https://*.github.io"], **CREDS},
        {"ALLOWED_ORIGINS": ["https://*.me.github.io"], **CREDS},
    ),
    (
        "W003",
        {"ALLOWED_ORIGINS": ["https://*.co.uk"], **CREDS},
        {"ALLOWED_ORIGINS": ["https://*.example.co.uk"], **CREDS},
    ),
    ("W004", {"ALLOWED_ORIGINS": ["null"]}, {"ALLOWED_ORIGINS": ["http://localhost:*"]}),
    ("W005", {"ALLOW_HEADERS": ["Cookie"]}, {"ALLOW_HEADERS": ["Authorization"]}),
    ("W005", {"ALLOW_HEADERS": ["origin"]}, {"ALLOW_HEADERS": ["user-agent"]}),
    ("W005", {"ALLOW_HEADERS": ["Sec-Fetch-Mode"]}, {"ALLOW_HEADERS": ["x-sec-token"]}),
    ("W005", {"ALLOW_HEADERS": ["proxy-authorization"]}, {"ALLOW_HEADERS": ["x-proxy"]}),
    ("W006", {"EXPOSE_HEADERS": ["Set-Cookie"]}, {"EXPOSE_HEADERS": ["X-Set-Cookie-Count"]}),
    ("W007", {"EXPOSE_HEADERS": ["*"], **CREDS}, {"EXPOSE_HEADERS": ["*"]}),
    ("W008", {"ALLOW_METHODS": ["TRACE"]}, {"ALLOW_METHODS": ["PATCH"]}),
    ("W008", {"ALLOW_METHODS": ["CONNECT"]}, {"ALLOW_METHODS": ["OPTIONS"]}),
    ("W009", {"PREFLIGHT_MAX_AGE": 86401}, {"PREFLIGHT_MAX_AGE": 86400}),
    (
        "W010",
        {"ALLOW_PRIVATE_NETWORK": True, "ALLOW_ALL_ORIGINS": True},
        {"ALLOW_PRIVATE_NETWORK": True, "ALLOWED_ORIGINS": ["https://app.example.com"]},
    ),
]
# Settings that only the global REST_FRAMEWORK["CORS"] has.
GLOBAL_CASES: list[tuple[str, Any, Any]] = [
    ("E001", ["ALLOWED_ORIGINS"], {}),
    ("E001", {"URLS_REGEX": 5}, {"URLS_REGEX": re.compile("^/api/")}),
    ("E002", {"ALLOWED_ORIGIN": []}, {"ALLOWED_ORIGINS": []}),
    ("E009", {"URLS_REGEX": "^/api/("}, {"URLS_REGEX": r"^/api/"}),
    ("E011", {"POLICIES": []}, {"POLICIES": {}}),
    ("E011", {"POLICIES": {"p": ["https://a.example"]}}, {"POLICIES": {"p": {}}}),
    ("E011", {"POLICIES": {"p": {"ORIGINS": []}}}, {"POLICIES": {"p": {"ALLOWED_ORIGINS": []}}}),
]


def case_id(case: tuple[str, Any, Any]) -> str:
    return f"{case[0]}-{case[1]!r}"[:70]


@pytest.mark.parametrize("case", POLICY_CASES, ids=case_id)
def test_global_setting_triggers_check(case: tuple[str, dict[str, Any], Any]) -> None:
    code, bad, _ = case
    assert f"drf_cors.{code}" in settings_ids(bad)


@pytest.mark.parametrize("case", POLICY_CASES, ids=case_id)
def test_global_setting_near_miss_is_silent(case: tuple[str, Any, dict[str, Any]]) -> None:
    assert settings_ids(case[2]) == []


@pytest.mark.parametrize("case", POLICY_CASES, ids=case_id)
def test_named_policy_triggers_check(case: tuple[str, dict[str, Any], Any]) -> None:
    code, bad, _ = case
    found = settings_ids({"POLICIES": {"partners": bad}})
    assert f"drf_cors.{code}" in found


@pytest.mark.parametrize("case", POLICY_CASES, ids=case_id)
def test_named_policy_near_miss_is_silent(case: tuple[str, Any, dict[str, Any]]) -> None:
    assert settings_ids({"POLICIES": {"partners": case[2]}}) == []


@pytest.mark.parametrize("case", GLOBAL_CASES, ids=case_id)
def test_global_only_setting_triggers_check(case: tuple[str, Any, Any]) -> None:
    code, bad, _ = case
    assert f"drf_cors.{code}" in settings_ids(bad)


@pytest.mark.parametrize("case", GLOBAL_CASES, ids=case_id)
def test_global_only_near_miss_is_silent(case: tuple[str, Any, Any]) -> None:
    assert settings_ids(case[2]) == []


def test_test_settings_pass_every_check() -> None:
    assert checks.run_checks(tags=[checks.Tags.security]) == []


def test_checks_are_registered_under_security() -> None:
    cors = {**REST["CORS"], "ALLOW_METHODS": ["get"]}  # type: ignore[dict-item]
    with override_settings(REST_FRAMEWORK=rest(cors)):
        found = checks.run_checks(tags=[checks.Tags.security])
    assert [m.id for m in found] == ["drf_cors.E006"]


def test_message_names_the_setting_and_the_value_and_hints_the_fix() -> None:
    with override_settings(REST_FRAMEWORK=rest({"ALLOWED_ORIGINS": ["https://App.example.com"]})):
        (message,) = check_settings()
    assert 'REST_FRAMEWORK["CORS"]["ALLOWED_ORIGINS"][0]' in message.msg
    assert "'https://App.example.com'" in message.msg
    assert message.hint == "Write it as 'https://app.example.com'."


def test_unicode_host_hint_gives_the_punycode_form() -> None:
    with override_settings(
        REST_FRAMEWORK=rest({"ALLOWED_ORIGINS": ["https://bücher.example:8443"]})
    ):
        (message,) = check_settings()
    assert message.hint == "Write it as 'https://xn--bcher-kva.example:8443'."


def test_unknown_key_hint_suggests_the_close_key() -> None:
    with override_settings(REST_FRAMEWORK=rest({"ALLOW_CREDENTIAL": True})):
        (message,) = check_settings()
    assert message.hint is not None
    assert message.hint.startswith("Did you mean 'ALLOW_CREDENTIALS'?")


def test_every_problem_is_reported_at_once() -> None:
    cors = {"ALLOWED_ORIGINS": ["https://A.example", "b.example"], "ALLOW_METHODS": ["get"]}
    assert settings_ids(cors) == ["drf_cors.E014", "drf_cors.E003", "drf_cors.E006"]


def test_errors_are_errors_and_warnings_are_warnings() -> None:
    with override_settings(REST_FRAMEWORK=rest({"ALLOWED_ORIGINS": ["null", "https://A.example"]})):
        levels = {m.id: m.level for m in check_settings()}
    assert levels == {"drf_cors.W004": checks.WARNING, "drf_cors.E014": checks.ERROR}


def test_named_policy_inherits_credentials_for_the_combination() -> None:
    cors = {**CREDS, "POLICIES": {"public": {"ALLOW_ALL_ORIGINS": True}}}
    with override_settings(REST_FRAMEWORK=rest(cors)):
        (message,) = check_settings()
    assert message.id == "drf_cors.E005"
    assert '["POLICIES"]["public"]' in message.msg


def test_inherited_combination_is_reported_once_where_written() -> None:
    cors = {"ALLOWED_ORIGINS": ["http://app.example.com"], **CREDS, "POLICIES": {"p": {}}}
    assert settings_ids(cors) == ["drf_cors.W002"]


def test_bad_origin_with_credentials_is_reported_once() -> None:
    assert settings_ids({"ALLOWED_ORIGINS": ["http://A.example"], **CREDS}) == ["drf_cors.E014"]


def test_cors_policy_raises_on_new_origin_errors() -> None:
    with pytest.raises(ImproperlyConfigured, match="default port"):
        CorsPolicy(allowed_origins=["https://app.example.com:443"])


def test_cors_policy_never_raises_on_warnings() -> None:
    policy = CorsPolicy(
        allowed_origins=["null", "http://app.example.com", "https://*.com"],
        allow_credentials=True,
        allow_headers=["cookie"],
        expose_headers=["*", "set-cookie"],
        allow_methods=["TRACE"],
        preflight_max_age=10**6,
    )
    assert policy.allow_credentials is True


# --- middleware ---------------------------------------------------------------

MIDDLEWARE = test_settings.MIDDLEWARE
CORS = "drf_cors.middleware.CorsMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        ([m for m in MIDDLEWARE if m != CORS], ["drf_cors.W001"]),
        ([COMMON, CORS], ["drf_cors.E012"]),
        (
            [
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                CORS,
            ],
            ["drf_cors.E012", "drf_cors.E012"],
        ),
        (["django.middleware.locale.LocaleMiddleware", CORS], ["drf_cors.E012"]),
    ],
    ids=["missing", "after-common", "after-auth-and-csrf", "after-locale"],
)
def test_middleware_check_triggers(middleware: list[str], expected: list[str]) -> None:
    with override_settings(MIDDLEWARE=middleware):
        assert [m.id for m in check_middleware()] == expected


@pytest.mark.parametrize(
    "middleware",
    [
        MIDDLEWARE,
        ["django.middleware.security.SecurityMiddleware", CORS, COMMON],
    ],
    ids=["test-settings", "after-security"],
)
def test_middleware_check_silent(middleware: list[str]) -> None:
    with override_settings(MIDDLEWARE=middleware):
        assert check_middleware() == []


def test_misordered_middleware_names_the_one_to_move_above() -> None:
    with override_settings(MIDDLEWARE=[COMMON, CORS]):
        (message,) = check_middleware()
    assert message.hint == f"Move {CORS!r} above {COMMON!r}."


# --- policies attached to views, viewsets and actions ---------------------------


class Ok(CorsAPIView):
    cors = CorsPolicy(allowed_origins=["https://app.example.com"], allow_credentials=True)

    def get(self, request: Request) -> Response:
        return Response()


class HttpCredentials(CorsAPIView):
    cors = CorsPolicy(allowed_origins=["http://app.example.com"], allow_credentials=True)

    def get(self, request: Request) -> Response:
        return Response()


class HttpOrigins(CorsAPIView):
    """Credentials come from the global defaults."""

    cors = CorsPolicy(allowed_origins=["http://app.example.com"])

    def get(self, request: Request) -> Response:
        return Response()


class AllOrigins(CorsAPIView):
    cors = CorsPolicy(allow_all_origins=True)

    def get(self, request: Request) -> Response:
        return Response()


class MissingName(CorsAPIView):
    cors = "partnrs"

    def get(self, request: Request) -> Response:
        return Response()


class WrongType(CorsAPIView):
    cors = {"ALLOWED_ORIGINS": ["https://app.example.com"]}  # type: ignore[assignment]

    def get(self, request: Request) -> Response:
        return Response()


class Feed(CorsAPIViewMixin, viewsets.ViewSet):
    cors = CorsPolicy(allowed_origins=["http://feed.example.com"])

    def list(self, request: Request) -> Response:
        return Response()

    @cors_policy(allow_credentials=True)
    @action(detail=False)
    def mine(self, request: Request) -> Response:
        return Response()

    @action(detail=False, cors=CorsPolicy(allow_headers=["cookie"]))
    def cookies(self, request: Request) -> Response:
        return Response()

    @action(detail=False, cors="nope")
    def named(self, request: Request) -> Response:
        return Response()


@cors_policy(allowed_origins=["null"])
def null_function(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def urlconf(*patterns: Any) -> ModuleType:
    """A URLconf module made on the spot (Django caches resolvers by module)."""
    module = ModuleType("urlconf")
    module.urlpatterns = list(patterns)  # type: ignore[attr-defined]
    return module


def view_messages(*patterns: Any, cors: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    extra = {"REST_FRAMEWORK": rest(cors)} if cors is not None else {}
    with override_settings(ROOT_URLCONF=urlconf(*patterns), **extra):
        return [(m.id, m.obj) for m in check_views()]


VIEW_CASES: list[tuple[str, list[Any], dict[str, Any] | None, tuple[str, str]]] = [
    (
        "view-http-credentials",
        [path("a/", HttpCredentials.as_view())],
        None,
        ("drf_cors.W002", "HttpCredentials"),
    ),
    (
        "view-inherits-credentials",
        [path("a/", HttpOrigins.as_view())],
        CREDS,
        ("drf_cors.W002", "HttpOrigins"),
    ),
    (
        "view-all-with-global-credentials",
        [path("a/", AllOrigins.as_view())],
        CREDS,
        ("drf_cors.E005", "AllOrigins"),
    ),
    (
        "view-missing-name",
        [path("a/", MissingName.as_view())],
        None,
        ("drf_cors.E010", "MissingName"),
    ),
    ("view-wrong-type", [path("a/", WrongType.as_view())], None, ("drf_cors.E001", "WrongType")),
    (
        "as-view-override",
        [path("a/", Ok.as_view(cors=CorsPolicy(allowed_origins=["null"])))],
        None,
        ("drf_cors.W004", "Ok"),
    ),
    (
        "action-credentials-over-view-http",
        [path("m/", Feed.as_view({"get": "mine"}))],
        None,
        ("drf_cors.W002", "Feed.mine"),
    ),
    (
        "action-kwargs-forbidden-header",
        [path("c/", Feed.as_view({"get": "cookies"}))],
        None,
        ("drf_cors.W005", "Feed.cookies"),
    ),
    (
        "action-missing-name",
        [path("n/", Feed.as_view({"get": "named"}))],
        None,
        ("drf_cors.E010", "Feed.named"),
    ),
    ("function-null", [path("f/", null_function)], None, ("drf_cors.W004", "null_function")),
    (
        "included",
        [path("api/", include([path("a/", MissingName.as_view())]))],
        None,
        ("drf_cors.E010", "MissingName"),
    ),
]


@pytest.mark.parametrize(
    ("patterns", "cors", "expected"),
    [case[1:] for case in VIEW_CASES],
    ids=[case[0] for case in VIEW_CASES],
)
def test_view_policy_triggers_check(
    patterns: list[Any], cors: dict[str, Any] | None, expected: tuple[str, str]
) -> None:
    assert expected in view_messages(*patterns, cors=cors)


@pytest.mark.parametrize(
    ("patterns", "cors"),
    [
        ([path("a/", Ok.as_view())], None),
        ([path("a/", HttpOrigins.as_view())], None),
        ([path("a/", AllOrigins.as_view())], None),
        ([path("l/", Feed.as_view({"get": "list"}))], None),
        ([path("a/", CorsAPIView.as_view(cors="partners"))], None),
    ],
    ids=["ok", "http-without-credentials", "all-without-credentials", "viewset", "named"],
)
def test_view_policy_silent(patterns: list[Any], cors: dict[str, Any] | None) -> None:
    assert view_messages(*patterns, cors=cors) == []


def test_view_used_on_many_routes_is_reported_once() -> None:
    patterns = [path("a/", HttpCredentials.as_view()), path("b/", HttpCredentials.as_view())]
    assert view_messages(*patterns) == [("drf_cors.W002", "HttpCredentials")]


def test_missing_policy_message_lists_the_defined_ones() -> None:
    with override_settings(ROOT_URLCONF=urlconf(path("a/", MissingName.as_view()))):
        (message,) = check_views()
    assert "'partnrs'" in message.msg
    assert message.hint.startswith("Did you mean 'partners'?")
    assert "'public'" in message.hint


def test_testapp_broken_urlconf_reports_its_missing_policy() -> None:
    with override_settings(ROOT_URLCONF="tests.testapp.urls_broken"):
        found = [(m.id, m.obj) for m in check_views()]
    assert found == [("drf_cors.E010", "missing_policy")]


@pytest.mark.parametrize(
    ("cors", "settings_id", "view_ids"),
    [
        (["ALLOWED_ORIGINS"], "drf_cors.E001", set()),
        ({"POLICIES": ["partners"]}, "drf_cors.E011", set()),
        ({"POLICIES": {1: {}}}, "drf_cors.E011", {"drf_cors.E010"}),
    ],
    ids=["settings-not-a-dict", "policies-not-a-dict", "policy-name-not-a-str"],
)
def test_broken_settings_are_reported_once_not_per_view(
    cors: Any, settings_id: str, view_ids: set[str]
) -> None:
    with override_settings(REST_FRAMEWORK=rest(cors)):
        assert {m.id for m in check_views()} == view_ids
        assert [m.id for m in check_settings()] == [settings_id]


def test_unimportable_urlconf_is_left_to_django() -> None:
    with override_settings(ROOT_URLCONF="tests.no_such_module"):
        assert check_views() == []


# --- the README and the code agree on every id -----------------------------------


def readme_ids() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## System checks", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `drf_cors\.([EW]\d{3})` \|", section, re.MULTILINE))


def code_ids() -> set[str]:
    """Every id a module of the package writes, wherever the check lives."""
    found: set[str] = set()
    for module in (ROOT / "drf_cors").rglob("*.py"):
        source = module.read_text()
        found |= set(re.findall(r"[\"'](?:drf_cors\.)?([EW]\d{3})[\"']", source))
    return found


def ids_with_tests() -> set[str]:
    cases = [c[0] for c in POLICY_CASES + GLOBAL_CASES] + [c[3][0][9:] for c in VIEW_CASES]
    return {*cases, "W001", "E012"}


def test_readme_documents_every_check_id_the_code_emits() -> None:
    assert readme_ids() == code_ids()


def test_every_check_id_has_a_triggering_test() -> None:
    assert ids_with_tests() == code_ids()


@pytest.mark.parametrize(
    "cors",
    [
        {
            "ALLOW_ALL_ORIGINS": True,
            "POLICIES": {
                "session": {
                    "ALLOWED_ORIGINS": ["https://app.example.com"],
                    "ALLOW_CREDENTIALS": True,
                }
            },
        },
        {
            "ALLOW_ALL_ORIGINS": True,
            "POLICIES": {
                "session": {
                    "ALLOWED_ORIGIN_REGEXES": [r"https://a\.example"],
                    "ALLOW_CREDENTIALS": True,
                }
            },
        },
    ],
    ids=["origins", "regexes"],
)
def test_a_policy_naming_its_origins_does_not_inherit_allow_all(cors: dict[str, object]) -> None:
    from drf_cors.checks import settings_problems

    with override_settings(REST_FRAMEWORK={"CORS": cors}):
        assert [p.id for p in settings_problems() if p.id == "E005"] == []


# --- switching from django-cors-headers: formats mixed up (issue 10) ---------------------
# pytest reads a parametrize list when it collects the module, after this code ran: the
# tables above (every level, near misses included) run these cases too.

POLICY_CASES.extend(
    [
        (
            "E022",
            {"ALLOWED_ORIGINS": [r"^https://.*\.example\.com$"]},
            {"ALLOWED_ORIGINS": ["https://*.example.com"]},
        ),
        (
            "E022",
            {"ALLOWED_ORIGINS": [r"https://app\.example\.com"]},
            {"ALLOWED_ORIGINS": ["https://app.example.com"]},
        ),
        (
            "E023",
            {"ALLOWED_ORIGIN_REGEXES": ["https://app.example.com"], **CREDS},
            {"ALLOWED_ORIGIN_REGEXES": [r"https://app\.example\.com"], **CREDS},
        ),
        (
            "W011",
            {"ALLOWED_ORIGIN_REGEXES": [r"https://api.partner\.com"]},
            {"ALLOWED_ORIGIN_REGEXES": [r"https://pr-\d+\.preview\.example\.com"]},
        ),
    ]
)


class LookalikeRegex(CorsAPIView):
    """A plain origin pasted into the regexes; credentials come from the global defaults."""

    cors = CorsPolicy(allowed_origin_regexes=["https://app.example.com"])

    def get(self, request: Request) -> Response:
        return Response()


VIEW_CASES.append(
    (
        "view-lookalike-regex-inherits-credentials",
        [path("a/", LookalikeRegex.as_view())],
        CREDS,
        ("drf_cors.E023", "LookalikeRegex"),
    )
)

# E024 and W012 are about MIDDLEWARE and django-cors-headers' settings, not a policy:
# their tables are in tests/test_switching_checks.py.
_policy_ids_with_tests = ids_with_tests


def ids_with_tests() -> set[str]:
    from tests.test_source_checks import SOURCE_CASES

    # E028 (middleware order): tests/test_source_checks.py's own table.
    sources = {case[0] for case in SOURCE_CASES} | {"E028"}
    return _policy_ids_with_tests() | {"E024", "W012"} | sources
