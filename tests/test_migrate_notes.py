"""``cors_migrate``: each kind of note, the exit status, old names, and bad values.

Each row is a django-cors-headers configuration, what the printed
``REST_FRAMEWORK["CORS"]`` must hold, a phrase the notes must contain, and
whether a browser sees a change (exit status 1) or not (0).
"""

from __future__ import annotations

import json
import re
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_cors import _corsheaders
from drf_cors.checks import check_settings, check_switching
from tests.test_migrate import NO_CORS, migrate, printed_literal

APP = "https://app.example.com"

# (id, old settings, keys the literal must have, a phrase of the output, exit status)
NOTES: list[tuple[str, dict[str, Any], dict[str, Any], str, int]] = [
    (
        "alias-shadowed",
        {"CORS_ALLOWED_ORIGINS": [APP], "CORS_ORIGIN_WHITELIST": ["https://old.example"]},
        {"ALLOWED_ORIGINS": [APP]},
        "reads CORS_ALLOWED_ORIGINS and ignores CORS_ORIGIN_WHITELIST",
        0,
    ),
    (
        "alias-allow-all-shadowed",
        {"CORS_ALLOW_ALL_ORIGINS": False, "CORS_ORIGIN_ALLOW_ALL": True},
        {},
        "reads CORS_ALLOW_ALL_ORIGINS and ignores CORS_ORIGIN_ALLOW_ALL",
        0,
    ),
    (
        "alias-alone",
        {"CORS_ORIGIN_REGEX_WHITELIST": [r"^https://pr-\d+\.example\.com$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.example\.com$"]},
        "Remove the django-cors-headers settings: CORS_ORIGIN_REGEX_WHITELIST.",
        0,
    ),
    (
        "regex-unanchored",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com"]},
        {"ALLOWED_ORIGINS": [APP]},
        "also admitted 'https://app.example.com.evil.example'",
        1,
    ),
    (
        "regex-is-a-wildcard",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://[^.]+\.example\.com$"]},
        {"ALLOWED_ORIGINS": ["https://*.example.com"]},
        "'*.' also matches several labels, e.g. 'https://a.b.example.com'",
        1,
    ),
    (
        "regex-is-an-exact-origin",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com$"]},
        {"ALLOWED_ORIGINS": [APP]},
        "becomes 'https://app.example.com' in ALLOWED_ORIGINS.",
        0,
    ),
    (
        "regex-compiled-with-flags",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [re.compile(r"^https://pr-\d+\.EXAMPLE\.com$", re.I)]},
        {"ALLOWED_ORIGIN_REGEXES": [r"(?i)^https://pr-\d+\.EXAMPLE\.com$"]},
        "What changes for browsers: nothing.",
        0,
    ),
    (
        "regex-look-alike-dot",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.preview.example\.com$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.preview\.example\.com$"]},
        "It also admitted 'https://pr-1.preview-example.com', a look-alike host.",
        1,
    ),
    (
        "regex-matches-null",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^(https://pr-\d+\.example\.com|null)$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^(https://pr-\d+\.example\.com|null)$"]},
        "It matched Origin 'null'",
        1,
    ),
    (
        "regex-does-not-compile",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://(app\.example\.com$"]},
        {},
        "does not compile",
        0,
    ),
    (
        "regex-python-warns-about",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://[[a-z]+\.example\.com$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^https://[[a-z]+\.example\.com$"]},
        "could not be checked",
        1,
    ),
    (
        "regex-not-analysable",
        {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://(\w+)+\.example\.com$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^https://(\w+)+\.example\.com$"]},
        "could not be checked",
        1,
    ),
    (
        "origin-trailing-slash",
        {"CORS_ALLOWED_ORIGINS": [APP + "/"]},
        {"ALLOWED_ORIGINS": [APP]},
        "ignored: written 'https://app.example.com'",
        0,
    ),
    (
        "origin-path",
        {"CORS_ALLOWED_ORIGINS": [APP + "/app?x=1"]},
        {"ALLOWED_ORIGINS": [APP]},
        "has a path or a trailing slash",
        0,
    ),
    (
        "origin-scheme-less",
        {"CORS_ALLOWED_ORIGINS": ["app.example.com"]},
        {"ALLOWED_ORIGINS": [APP]},
        "matched no origin but 'null' with it",
        1,
    ),
    (
        "origin-scheme-less-localhost",
        {"CORS_ALLOWED_ORIGINS": ["localhost:3000"]},
        {"ALLOWED_ORIGINS": ["http://localhost:3000"]},
        "Written 'http://localhost:3000'",
        1,
    ),
    (
        "origin-upper-case",
        {"CORS_ALLOWED_ORIGINS": ["https://App.example.com"]},
        {"ALLOWED_ORIGINS": [APP]},
        "never matched: browsers send 'https://app.example.com'",
        1,
    ),
    (
        "origin-default-port",
        {"CORS_ALLOWED_ORIGINS": ["https://app.example.com:443"]},
        {"ALLOWED_ORIGINS": [APP]},
        "default port",
        1,
    ),
    (
        "origin-glob",
        {"CORS_ALLOWED_ORIGINS": ["https://*.example.com"]},
        {"ALLOWED_ORIGINS": ["https://*.example.com"]},
        "compared it as text",
        1,
    ),
    (
        "origin-regex",
        {"CORS_ALLOWED_ORIGINS": [r"^https://.*\.example\.com$"]},
        {"ALLOWED_ORIGINS": ["https://*.example.com"]},
        "is a regex in CORS_ALLOWED_ORIGINS",
        1,
    ),
    ("origin-file", {"CORS_ALLOWED_ORIGINS": ["file://"]}, {}, "never allows such origins", 1),
    (
        "origin-user-info",
        {"CORS_ALLOWED_ORIGINS": ["https://me@app.example.com"]},
        {"ALLOWED_ORIGINS": [APP]},
        "has user information",
        1,
    ),
    (
        "origin-regex-kept-as-regex",
        {"CORS_ALLOWED_ORIGINS": [r"^https://pr-\d+\.example\.com$"]},
        {"ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.example\.com$"]},
        "so it allowed no origin but 'null'. Moved to ALLOWED_ORIGIN_REGEXES",
        1,
    ),
    (
        "origin-regex-not-compiling",
        {"CORS_ALLOWED_ORIGINS": [r"^https://(pr\.example\.com$"]},
        {},
        "it does not compile either: left out.",
        1,
    ),
    ("origin-not-a-url", {"CORS_ALLOWED_ORIGINS": ["http://[::1"]}, {}, "is not a URL", 1),
    (
        "origins-a-string",
        {"CORS_ALLOWED_ORIGINS": APP},
        {"ALLOWED_ORIGINS": [APP]},
        "is a single string, not a list",
        1,
    ),
    ("origins-not-a-list", {"CORS_ALLOWED_ORIGINS": 5}, {}, "is int, not a list", 1),
    (
        "all-with-credentials-csrf-candidates",
        {
            "CORS_ALLOW_ALL_ORIGINS": True,
            "CORS_ALLOW_CREDENTIALS": True,
            "CSRF_TRUSTED_ORIGINS": [APP, "https://*.example.org", "not an origin"],
        },
        {"ALLOWED_ORIGINS": [APP, "https://*.example.org"], "ALLOW_CREDENTIALS": True},
        "taken from CSRF_TRUSTED_ORIGINS",
        1,
    ),
    (
        "all-with-credentials-nothing-to-list",
        {"CORS_ORIGIN_ALLOW_ALL": True, "CORS_ALLOW_CREDENTIALS": True},
        {"ALLOWED_ORIGINS": [], "ALLOW_CREDENTIALS": True},
        "none yet: fill ALLOWED_ORIGINS in",
        1,
    ),
    (
        "all-with-unused-lists",
        {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOWED_ORIGINS": [APP]},
        {"ALLOW_ALL_ORIGINS": True},
        "unused while every origin is allowed",
        0,
    ),
    (
        "methods-lower-case",
        {"CORS_ALLOW_METHODS": ["get", "put", "purge"]},
        {"ALLOW_METHODS": ["GET", "PUT", "PURGE"]},
        "'purge' matched only a script",
        1,
    ),
    ("methods-star", {"CORS_ALLOW_METHODS": ["*"]}, {}, "'*' has no drf_cors counterpart", 1),
    (
        "methods-forbidden",
        {"CORS_ALLOW_METHODS": ["GET", "TRACE"]},
        {"ALLOW_METHODS": ["GET"]},
        "CONNECT, TRACE and TRACK are never sent",
        0,
    ),
    (
        "methods-default-order",
        {"CORS_ALLOW_METHODS": ["PUT", "GET", "DELETE", "OPTIONS", "POST", "PATCH"]},
        {},
        "nothing.",
        0,
    ),
    (
        "headers-forbidden",
        {"CORS_ALLOW_HEADERS": ["x-token", "Accept-Encoding", "sec-x"]},
        {"ALLOW_HEADERS": ["x-token"]},
        "'Accept-Encoding', 'sec-x', which browsers never",
        0,
    ),
    (
        "headers-invalid",
        {"CORS_ALLOW_HEADERS": ["x-token: 1"]},
        {"ALLOW_HEADERS": []},
        "not header names",
        1,
    ),
    (
        "headers-not-strings",
        {"CORS_EXPOSE_HEADERS": ["X-Total", 3]},
        {"EXPOSE_HEADERS": ["X-Total"]},
        "Left out of CORS_EXPOSE_HEADERS: 3, not strings.",
        1,
    ),
    (
        "expose-set-cookie",
        {"CORS_EXPOSE_HEADERS": ["Set-Cookie", "X-Total"]},
        {"EXPOSE_HEADERS": ["X-Total"]},
        "'Set-Cookie'",
        0,
    ),
    (
        "credentials-truthy",
        {"CORS_ALLOW_CREDENTIALS": 1, "CORS_ALLOWED_ORIGINS": [APP]},
        {"ALLOWED_ORIGINS": [APP], "ALLOW_CREDENTIALS": True},
        "takes it as True",
        0,
    ),
    (
        "max-age-digits",
        {"CORS_PREFLIGHT_MAX_AGE": "600"},
        {"PREFLIGHT_MAX_AGE": 600},
        "nothing.",
        0,
    ),
    ("max-age-negative", {"CORS_PREFLIGHT_MAX_AGE": -5}, {}, "not seconds >= 0", 1),
    (
        "urls-regex",
        {"CORS_URLS_REGEX": r"^/api/"},
        {"URLS_REGEX": "^/api/"},
        "covered whatever its path",
        0,
    ),
    (
        "urls-regex-compiled",
        {"CORS_URLS_REGEX": re.compile("^/API/", re.I)},
        {"URLS_REGEX": "(?i)^/API/"},
        "re.match on path_info",
        0,
    ),
    ("urls-regex-invalid", {"CORS_URLS_REGEX": "^/api/("}, {}, "is not a regex", 1),
    ("removed-model", {"CORS_MODEL": "app.Origin"}, {}, "point ALLOWED_ORIGINS_SOURCE", 1),
    ("removed-referer", {"CORS_REPLACE_HTTPS_REFERER": True}, {}, "CSRF_TRUSTED_ORIGINS", 1),
    ("nothing-set", {}, {}, "No django-cors-headers setting is set", 0),
]


@pytest.mark.parametrize(
    ("old", "cors", "phrase", "status"), [n[1:] for n in NOTES], ids=[n[0] for n in NOTES]
)
def test_note(old: dict[str, Any], cors: dict[str, Any], phrase: str, status: int) -> None:
    text, found = migrate(old)
    assert printed_literal(text) == cors
    assert phrase in " ".join(text.split())
    assert found == status


@pytest.mark.parametrize(
    ("middleware", "apps", "steps"),
    [
        (
            ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
            ["rest_framework", "corsheaders"],
            [
                'INSTALLED_APPS: replace "corsheaders" with "drf_cors".',
                'MIDDLEWARE: replace "corsheaders.middleware.CorsMiddleware" with '
                '"drf_cors.middleware.CorsMiddleware" (above '
                '"django.middleware.common.CommonMiddleware").',
            ],
        ),
        (
            ["django.middleware.common.CommonMiddleware", "corsheaders.middleware.CorsMiddleware"],
            ["rest_framework", "drf_cors", "corsheaders.apps.CorsHeadersAppConfig"],
            [
                'INSTALLED_APPS: remove "corsheaders.apps.CorsHeadersAppConfig" '
                '("drf_cors" is there already).',
                'MIDDLEWARE: replace "corsheaders.middleware.CorsMiddleware" with '
                '"drf_cors.middleware.CorsMiddleware", and move it above '
                '"django.middleware.common.CommonMiddleware".',
            ],
        ),
        (
            ["django.middleware.security.SecurityMiddleware"],
            ["rest_framework"],
            [
                'INSTALLED_APPS: add "drf_cors" (after "rest_framework").',
                'MIDDLEWARE: add "drf_cors.middleware.CorsMiddleware".',
            ],
        ),
        (
            ["drf_cors.middleware.CorsMiddleware", "corsheaders.middleware.CorsMiddleware"],
            ["drf_cors"],
            ['MIDDLEWARE: remove "corsheaders.middleware.CorsMiddleware".'],
        ),
    ],
    ids=["swap", "misordered-and-app-config", "neither", "both"],
)
def test_steps_name_the_lines_to_change(
    middleware: list[str], apps: list[str], steps: list[str]
) -> None:
    from drf_cors.management.commands.cors_migrate import steps as found

    with override_settings(MIDDLEWARE=middleware, INSTALLED_APPS=apps):
        assert found([]) == steps


def test_existing_drf_cors_settings_are_said_to_be_replaced() -> None:
    out = StringIO()
    with override_settings(REST_FRAMEWORK={**NO_CORS, "CORS": {"ALLOWED_ORIGINS": [APP]}}):
        call_command("cors_migrate", stdout=out)
    assert 'REST_FRAMEWORK["CORS"] is set already' in out.getvalue()


def test_allow_all_with_credentials_is_never_written() -> None:
    text, _ = migrate({"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True})
    cors = printed_literal(text)
    assert "ALLOW_ALL_ORIGINS" not in cors
    assert cors["ALLOW_CREDENTIALS"] is True


def test_json_notes_say_what_changes_and_for_whom() -> None:
    text, status = migrate({"CORS_ALLOW_METHODS": ["put", "patch"]}, "--format", "json")
    (note,) = json.loads(text)["notes"]
    assert (note["changes"], note["before"], note["after"]) == (
        True,
        ["patch"],
        ["PUT", "PATCH"],
    )
    assert status == 1


def test_works_without_django_cors_headers_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("corsheaders", "corsheaders.signals", "corsheaders.middleware"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    assert _corsheaders.receivers() == []
    assert not _corsheaders.is_middleware("tests.no_such.Middleware")
    text, status = migrate({"CORS_ALLOWED_ORIGINS": [APP]})
    assert printed_literal(text) == {"ALLOWED_ORIGINS": [APP]}
    assert status == 0


ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            APP,
            "https://*.example.com",
            r"^https://.*\.example\.com",
            "null",
            "*",
            "get",
            "x-token",
            "example.com",
            "file://",
            "https://[::1",
            r"(a+)+$",
        ]
    ),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_corsheaders.NAMES), ANYTHING, max_size=5))
def test_any_settings_give_a_report_never_a_traceback(old: dict[str, Any]) -> None:
    text, status = migrate(old)
    cors = printed_literal(text)
    assert status in (0, 1)
    assert not (cors.get("ALLOW_ALL_ORIGINS") and cors.get("ALLOW_CREDENTIALS"))
    with override_settings(REST_FRAMEWORK={**NO_CORS, "CORS": cors}):
        assert [m.id for m in check_settings() if m.is_serious()] == []
    with override_settings(**old):
        assert [m.id for m in check_switching()] in ([], ["drf_cors.W012"])
