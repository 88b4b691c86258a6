"""``cors_migrate`` output, pasted in, grants what django-cors-headers granted.

For each real-world configuration the test runs ``cors_migrate``, reads back
the literal it printed, checks that drf_cors' system checks find no error in
it, then sends the same calls through django-cors-headers' real middleware
(old settings) and drf_cors' (the printed settings), and compares what a
browser concludes (``tests.browser_model``). The outcomes must be equal but
for the calls whose origin or method the row lists as changed, and the
command's output must name each of those.
"""

from __future__ import annotations

import ast
import json
from io import StringIO
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from corsheaders.defaults import default_headers
from corsheaders.signals import check_request_enabled
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client, override_settings

from tests import settings as test_settings
from tests.browser_model import Call, outcome

NO_CORS = {k: v for k, v in test_settings.REST_FRAMEWORK.items() if k != "CORS"}
COMMON = "django.middleware.common.CommonMiddleware"
URLS = "tests.migrate_urls"
OLD = {
    "INSTALLED_APPS": [*test_settings.INSTALLED_APPS, "corsheaders"],
    "MIDDLEWARE": ["corsheaders.middleware.CorsMiddleware", COMMON],
    "ROOT_URLCONF": URLS,
}
NEW = {"MIDDLEWARE": ["drf_cors.middleware.CorsMiddleware", COMMON], "ROOT_URLCONF": URLS}
EVIL = "https://evil.example"

#: The calls made from every origin of a row.
KINDS: tuple[dict[str, Any], ...] = (
    {},
    {"credentials": True},
    {"method": "PUT", "headers": ("content-type",)},
    {"method": "PUT", "headers": ("content-type",), "credentials": True},
    {"method": "DELETE", "headers": ("authorization",), "credentials": True},
    {"method": "PATCH", "headers": ("x-requested-with",)},
    {"method": "POST", "headers": ("x-custom",)},
    {"private_network": True},
)


class Row(NamedTuple):
    old: dict[str, Any]
    origins: tuple[str, ...]
    #: Origins and methods whose calls may be decided differently; the output names each.
    changed: frozenset[str] = frozenset()
    exit_status: int = 0
    #: What the output says about the changes, when not the changed names themselves.
    said: tuple[str, ...] | None = None
    kinds: tuple[dict[str, Any], ...] = KINDS
    paths: tuple[str, ...] = ("/api/plain/",)


def enabled_for_plain(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """A ``check_request_enabled`` receiver, as projects wrote them: open one path to all."""
    return request.path == "/api/plain/"


ROWS = [
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": ["https://example.com", "https://www.example.com"],
                "CORS_ALLOW_CREDENTIALS": True,
                "CORS_ALLOW_HEADERS": list(default_headers),
                "CORS_EXPOSE_HEADERS": ["X-Request-Id"],
            },
            (
                "https://example.com",
                "https://www.example.com",
                EVIL,
                "null",
                "http://example.com",
                "https://example.com.evil.example",
            ),
        ),
        id="guide-production-example",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGIN_REGEXES": [
                    r"^https://\w+\.example\.com$",
                    r"^https://app\.example\.org",
                ]
            },
            (
                "https://a.example.com",
                "https://a.b.example.com",
                "https://a-1.example.com",
                "https://a_b.example.com",
                "https://app.example.org",
                EVIL,
                "https://app.example.org.evil.example",
                "https://app.example.org:8443",
            ),
            frozenset(
                {
                    "https://a.b.example.com",
                    "https://a-1.example.com",
                    "https://a_b.example.com",
                    "https://app.example.org.evil.example",
                    "https://app.example.org:8443",
                }
            ),
            exit_status=1,
        ),
        id="regexes-unanchored-and-wildcards",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+.preview\.example\.com$"],
                "CORS_ALLOW_CREDENTIALS": True,
            },
            ("https://pr-7.preview.example.com", "https://pr-1-preview.example.com", EVIL),
            frozenset({"https://pr-1-preview.example.com"}),
            exit_status=1,
        ),
        id="regex-with-an-unescaped-dot",
    ),
    pytest.param(
        Row(
            {
                "CORS_ORIGIN_WHITELIST": ["https://a.example.com"],
                "CORS_ORIGIN_REGEX_WHITELIST": [r"^https://(.+\.)?example\.net$"],
                "CORS_ORIGIN_ALLOW_ALL": False,
            },
            (
                "https://a.example.com",
                "https://example.net",
                "https://x.y.example.net",
                "https://a_b.example.net",
                EVIL,
            ),
            frozenset({"https://a_b.example.net"}),
            exit_status=1,
        ),
        id="old-aliases",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": ["https://new.example.com"],
                "CORS_ORIGIN_WHITELIST": ["https://old.example.com"],
            },
            ("https://new.example.com", "https://old.example.com"),
        ),
        id="name-and-alias-both-set",
    ),
    pytest.param(
        Row({"CORS_ALLOW_ALL_ORIGINS": True}, ("https://a.example.com", EVIL, "null")),
        id="allow-all-without-credentials",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOW_ALL_ORIGINS": True,
                "CORS_ALLOW_CREDENTIALS": True,
                "CSRF_TRUSTED_ORIGINS": ["https://app.example.com"],
            },
            ("https://app.example.com", EVIL, "null"),
            frozenset({EVIL, "null"}),
            exit_status=1,
            said=("Every other site is now refused", "'https://app.example.com'"),
        ),
        id="allow-all-with-credentials",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": [
                    "https://app.example.com/",
                    "https://www.example.com/app",
                    "http://localhost:3000/",
                ]
            },
            (
                "https://app.example.com",
                "https://www.example.com",
                "http://localhost:3000",
                "http://localhost:3001",
                EVIL,
            ),
        ),
        id="trailing-slash-and-path",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": [
                    "example.com",
                    "https://App.example.org",
                    "https://*.example.net",
                ]
            },
            (
                "https://example.com",
                "null",
                "https://app.example.org",
                "https://a.example.net",
                EVIL,
            ),
            frozenset(
                {"https://example.com", "null", "https://app.example.org", "https://a.example.net"}
            ),
            exit_status=1,
        ),
        id="scheme-less-upper-case-and-glob-entries",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
                "CORS_ALLOW_METHODS": ["get", "post", "put", "patch"],
                "CORS_ALLOW_HEADERS": [*default_headers, "x-custom", "accept-encoding"],
            },
            ("https://app.example.com", EVIL),
            frozenset({"PUT", "PATCH", "patch"}),
            exit_status=1,
            kinds=(*KINDS, {"method": "patch"}, {"method": "PURGE"}),
        ),
        id="custom-methods-and-headers-lower-case",
    ),
    pytest.param(
        Row(
            {
                "CORS_ALLOWED_ORIGINS": ["http://localhost:8000"],
                "CORS_ALLOW_PRIVATE_NETWORK": True,
                "CORS_PREFLIGHT_MAX_AGE": 600,
            },
            ("http://localhost:8000", "http://localhost:8001"),
        ),
        id="private-network-and-max-age",
    ),
    pytest.param(
        Row(
            {"CORS_ALLOWED_ORIGINS": ["https://app.example.com"], "CORS_URLS_REGEX": r"^/api/"},
            ("https://app.example.com", EVIL),
            paths=("/api/plain/", "/outside/plain/"),
        ),
        id="urls-regex",
    ),
    pytest.param(
        Row(
            {"CORS_ALLOWED_ORIGINS": ["https://app.example.com"]},
            ("https://app.example.com", EVIL, "null"),
            frozenset({EVIL, "null"}),
            exit_status=1,
            said=("tests.test_migrate.enabled_for_plain", "ALLOWED_ORIGINS_SOURCE"),
        ),
        id="check-request-enabled-receiver",
    ),
]


def migrate(old: dict[str, Any], *args: str) -> tuple[str, int]:
    out = StringIO()
    with override_settings(REST_FRAMEWORK=NO_CORS, **old):
        try:
            call_command("cors_migrate", *args, stdout=out)
        except CommandError as exc:
            return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def printed_literal(text: str) -> dict[str, Any]:
    start = text.index('REST_FRAMEWORK["CORS"] = ') + len('REST_FRAMEWORK["CORS"] = ')
    found: dict[str, Any] = ast.literal_eval(text[start : text.index("\n}", start) + 2])
    return found


def outcomes(settings: dict[str, Any], row: Row) -> dict[Call, tuple[bool, frozenset[str]]]:
    calls = [
        Call(origin, path=path, **kind)
        for origin in row.origins
        for kind in row.kinds
        for path in row.paths
    ]
    with override_settings(**settings):
        client = Client()
        return {call: outcome(client, call) for call in calls}


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Any:
    if "receiver" not in request.node.callspec.id:
        yield
        return
    check_request_enabled.connect(enabled_for_plain)
    yield
    check_request_enabled.disconnect(enabled_for_plain)


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.usefixtures("receiver")
def test_migrated_settings_grant_what_the_old_ones_did(row: Row) -> None:
    text, status = migrate(row.old)
    cors = printed_literal(text)
    kept = {k: v for k, v in row.old.items() if not k.startswith("CORS_")}
    new = {"REST_FRAMEWORK": {**NO_CORS, "CORS": cors}, **NEW, **kept}
    with override_settings(**new):
        errors = [m for m in checks.run_checks() if m.is_serious() and "drf_cors" in m.id]
    assert errors == []
    before = outcomes({**OLD, "REST_FRAMEWORK": NO_CORS, **row.old}, row)
    after = outcomes(new, row)
    differing = {call for call in before if before[call] != after[call]}
    unexplained = [str(c) for c in differing if not {c.origin, c.method} & row.changed]
    assert unexplained == []
    assert {t for c in differing for t in (c.origin, c.method)} >= row.changed
    for phrase in row.said if row.said is not None else [repr(t) for t in row.changed]:
        assert phrase in text
    assert status == row.exit_status


def test_the_guide_example_prints_this_literal() -> None:
    text, status = migrate(ROWS[0].values[0].old)
    assert printed_literal(text) == {
        "ALLOWED_ORIGINS": ["https://example.com", "https://www.example.com"],
        "ALLOW_CREDENTIALS": True,
        "EXPOSE_HEADERS": ["X-Request-Id"],
    }
    assert "What changes for browsers: nothing." in text
    assert status == 0


def test_json_format_has_the_settings_the_notes_and_the_steps() -> None:
    old = {"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"], **OLD}
    text, status = migrate(old, "--format", "json")
    data = json.loads(text)
    assert data["cors"] == {"ALLOWED_ORIGINS": ["https://app.example.com"]}
    assert data["exact"] is True
    assert data["settings_in_force"] == ["CORS_ALLOWED_ORIGINS"]
    assert [n["changes"] for n in data["notes"]] == [False]
    assert any("MIDDLEWARE" in step for step in data["steps"])
    assert status == 0


def test_the_readme_shows_the_real_output_for_the_guide_example() -> None:
    """The README's step 3: run after step 2 (drf_cors' app and middleware in place)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("   $ python manage.py cors_migrate\n", 1)[1].split("   $ echo $?", 1)[0]
    shown = "\n".join(line.removeprefix("   ") for line in block.splitlines())
    out = StringIO()
    with override_settings(REST_FRAMEWORK=NO_CORS, **ROWS[0].values[0].old):
        call_command("cors_migrate", stdout=out)
    assert shown.strip() == out.getvalue().strip()
