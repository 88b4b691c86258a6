"""The pitfalls of switching from django-cors-headers, caught by ``manage.py check``.

- E022: a regex written in ``ALLOWED_ORIGINS``; the hint gives the entry to write.
- E023/W011: an ``ALLOWED_ORIGIN_REGEXES`` entry whose unescaped dot admits a
  look-alike host, an error when the effective policy allows credentials.
- E024: django-cors-headers' middleware while drf_cors is used.
- W012: django-cors-headers settings left behind, which nothing reads.
- ``cors_explain``'s note on middleware that may answer a preflight first.
"""

from __future__ import annotations

import contextlib
import re
from io import StringIO
from typing import Any

import pytest
from corsheaders.middleware import CorsMiddleware as TheirMiddleware
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from drf_cors import CorsAPIView, CorsPolicy
from drf_cors.checks import check_settings, check_switching, check_views
from tests import settings as test_settings
from tests.test_checks import rest, urlconf

SLOPPY = "https://app.example.com"
CAREFUL = r"https://pr-\d+\.preview\.example\.com"
THEIRS = "corsheaders.middleware.CorsMiddleware"
OURS = "drf_cors.middleware.CorsMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"


def found(cors: Any) -> list[tuple[str, str, str]]:
    with override_settings(REST_FRAMEWORK=rest(cors)):
        return [(m.id, m.msg, m.hint or "") for m in check_settings()]


# --- E022: a regex in ALLOWED_ORIGINS ----------------------------------------------


@pytest.mark.parametrize(
    ("entry", "hint"),
    [
        (r"^https://.*\.example\.com$", 'Write "https://*.example.com" instead'),
        (r"^https://app\.example\.com$", 'Write "https://app.example.com" instead.'),
        (r"https://app\.example\.com", 'Write "https://app.example.com" instead.'),
        (
            r"^https://pr-\d+\.preview\.example\.com$",
            'Move it to REST_FRAMEWORK["CORS"]["ALLOWED_ORIGIN_REGEXES"]: '
            r'r"^https://pr-\d+\.preview\.example\.com$" (it must match the whole origin).',
        ),
    ],
    ids=["wildcard", "escaped-origin", "escaped-origin-unanchored", "real-regex"],
)
def test_regex_in_allowed_origins_hints_the_entry_to_write(entry: str, hint: str) -> None:
    ((code, message, found_hint),) = found({"ALLOWED_ORIGINS": [entry]})
    assert code == "drf_cors.E022"
    assert "is a regular expression, not an origin" in message
    assert found_hint.startswith(hint)
    assert "Use e.g. 'https://'" not in found_hint


@pytest.mark.parametrize(
    "entry", ["https://*.example.com", "http://localhost:*", "http://[::1]:8000", "null"]
)
def test_valid_entries_sharing_regex_characters_are_not_regexes(entry: str) -> None:
    assert [code for code, _, _ in found({"ALLOWED_ORIGINS": [entry]})] in ([], ["drf_cors.W004"])


def test_a_named_policy_gets_e022_too() -> None:
    ((code, message, hint),) = found({"POLICIES": {"p": {"ALLOWED_ORIGINS": [r"^https://a\.b$"]}}})
    assert code == "drf_cors.E022"
    assert message.startswith('REST_FRAMEWORK["CORS"]["POLICIES"]["p"]["ALLOWED_ORIGINS"][0] ')
    assert r'r"^https://a\.b$" is a regular expression' in message
    assert hint == 'Write "https://a.b" instead.'


def test_cors_policy_refuses_a_regex_origin_with_the_entry_to_write() -> None:
    with pytest.raises(ImproperlyConfigured, match=r'Write "https://\*\.example\.com" instead'):
        CorsPolicy(allowed_origins=[r"^https://.*\.example\.com$"])


# --- E023 / W011: look-alike hosts in ALLOWED_ORIGIN_REGEXES --------------------------


@pytest.mark.parametrize(
    ("cors", "expected"),
    [
        ({"ALLOWED_ORIGIN_REGEXES": [SLOPPY]}, ["drf_cors.W011"]),
        ({"ALLOWED_ORIGIN_REGEXES": [SLOPPY], "ALLOW_CREDENTIALS": True}, ["drf_cors.E023"]),
        ({"ALLOWED_ORIGIN_REGEXES": [re.compile(r"https://api.partner\.com")]}, ["drf_cors.W011"]),
        ({"ALLOWED_ORIGIN_REGEXES": [CAREFUL], "ALLOW_CREDENTIALS": True}, []),
        ({"ALLOWED_ORIGIN_REGEXES": [r"^https://.*\.example\.com$"]}, []),
        ({"ALLOWED_ORIGIN_REGEXES": [r"^https://[^.]+\.example\.com$"]}, []),
        # The named policy inherits credentials: an error where the regex is written.
        (
            {"ALLOW_CREDENTIALS": True, "POLICIES": {"p": {"ALLOWED_ORIGIN_REGEXES": [SLOPPY]}}},
            ["drf_cors.E023"],
        ),
        # The named policy inherits the regex and adds credentials: reported at both.
        (
            {"ALLOWED_ORIGIN_REGEXES": [SLOPPY], "POLICIES": {"p": {"ALLOW_CREDENTIALS": True}}},
            ["drf_cors.W011", "drf_cors.E023"],
        ),
        # Inherited as it is: reported once, where it is written.
        (
            {"ALLOWED_ORIGIN_REGEXES": [SLOPPY], "POLICIES": {"p": {"ALLOW_METHODS": ["GET"]}}},
            ["drf_cors.W011"],
        ),
    ],
    ids=[
        "plain-origin",
        "plain-origin-with-credentials",
        "compiled-partner",
        "careful",
        "wildcard-part",
        "one-label",
        "named-inherits-credentials",
        "named-adds-credentials",
        "inherited-once",
    ],
)
def test_lookalike_regexes(cors: dict[str, Any], expected: list[str]) -> None:
    assert [code for code, _, _ in found(cors)] == expected


def test_lookalike_message_names_the_origin_it_admits_and_the_fix() -> None:
    cors = {"ALLOWED_ORIGIN_REGEXES": [SLOPPY], "ALLOW_CREDENTIALS": True}
    ((_, message, hint),) = found(cors)
    assert "also admits 'https://app-example.com', not only 'https://app.example.com'" in message
    assert "could read your users' data" in message
    assert hint == (
        'Move it to REST_FRAMEWORK["CORS"]["ALLOWED_ORIGINS"] as "https://app.example.com", '
        r'or escape the dots: r"https://app\.example\.com".'
    )
    assert re.fullmatch(SLOPPY, "https://app-example.com")  # the claim holds


def test_lookalike_hint_escapes_the_dot_of_a_real_regex() -> None:
    ((_, _, hint),) = found({"ALLOWED_ORIGIN_REGEXES": [r"https://pr-\d+.preview\.example\.com"]})
    assert hint.startswith(r'Escape the dots: r"https://pr-\d+\.preview\.example\.com"')


class SloppyView(CorsAPIView):
    cors = CorsPolicy(allowed_origin_regexes=[SLOPPY])

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse()


@pytest.mark.parametrize(
    ("global_cors", "expected"),
    [({}, "drf_cors.W011"), ({"ALLOW_CREDENTIALS": True}, "drf_cors.E023")],
    ids=["view-alone", "view-inherits-credentials"],
)
def test_a_views_policy_is_judged_after_inheritance(global_cors: Any, expected: str) -> None:
    with override_settings(
        ROOT_URLCONF=urlconf(path("s/", SloppyView.as_view())), REST_FRAMEWORK=rest(global_cors)
    ):
        assert [(m.id, m.obj) for m in check_views()] == [(expected, "SloppyView")]


def test_cors_policy_raises_on_a_lookalike_with_credentials_only() -> None:
    assert CorsPolicy(allowed_origin_regexes=[SLOPPY]).allowed_origin_regexes == (SLOPPY,)
    with pytest.raises(ImproperlyConfigured, match=r"app-example\.com"):
        CorsPolicy(allowed_origin_regexes=[SLOPPY], allow_credentials=True)


# --- E024 / W012: what django-cors-headers leaves behind -----------------------------


class CustomCors(TheirMiddleware):
    """A project's subclass of django-cors-headers' middleware."""


@pytest.mark.parametrize(
    ("middleware", "also"),
    [
        ([OURS, THEIRS, COMMON], f"together with {OURS}"),
        ([THEIRS, COMMON], "while drf_cors is used"),
        ([OURS, "tests.test_switching_checks.CustomCors", COMMON], f"together with {OURS}"),
    ],
    ids=["both", "theirs-only", "subclass"],
)
def test_their_middleware_is_an_error(middleware: list[str], also: str) -> None:
    with override_settings(MIDDLEWARE=middleware, CORS_ALLOWED_ORIGINS=["https://a.example"]):
        (message,) = check_switching()
    assert (message.id, message.level) == ("drf_cors.E024", checks.ERROR)
    assert also in message.msg
    assert message.hint is not None
    assert "cors_migrate" in message.hint


def test_leftover_settings_are_named_in_one_warning() -> None:
    leftover = {
        "CORS_ALLOWED_ORIGINS": ["https://a.example"],
        "CORS_ORIGIN_WHITELIST": ["https://b.example"],
        "CORS_ALLOW_CREDENTIALS": True,
        "CORS_MODEL": "app.Origin",
        "CORS_PROJECT_FLAG": True,  # the project's own: not django-cors-headers'
    }
    with override_settings(**leftover):
        (message,) = check_switching()
    assert (message.id, message.level) == ("drf_cors.W012", checks.WARNING)
    assert message.msg.endswith(
        "CORS_ALLOWED_ORIGINS, CORS_ALLOW_CREDENTIALS, CORS_ORIGIN_WHITELIST, CORS_MODEL."
    )
    assert message.hint is not None
    assert "python manage.py cors_migrate" in message.hint


def test_no_leftover_no_warning() -> None:
    with override_settings(CORS_PROJECT_FLAG=True):
        assert check_switching() == []


def test_switching_checks_are_registered() -> None:
    with override_settings(CORS_URLS_REGEX=r"^/api/"):
        assert "drf_cors.W012" in [m.id for m in checks.run_checks(tags=[checks.Tags.security])]


# --- cors_explain: middleware that may answer a preflight first ----------------------


class AnswersOptions:
    """A project middleware that answers every OPTIONS request itself."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return HttpResponse("options, answered here")
        return self.get_response(request)  # type: ignore[no-any-return]


CUSTOM = "tests.test_switching_checks.AnswersOptions"
SECURITY = "django.middleware.security.SecurityMiddleware"


def explain(*args: str) -> str:
    out = StringIO()
    with contextlib.suppress(CommandError):  # a blocked call exits 1; its output is the point
        call_command("cors_explain", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("middleware", "note"),
    [
        (
            [SECURITY, CUSTOM, *test_settings.MIDDLEWARE],
            f"Note: MIDDLEWARE runs {CUSTOM} first (above {OURS}): if it answers OPTIONS itself, "
            "drf_cors never sees the preflight and the browser gets that answer instead.",
        ),
        (
            [CUSTOM, COMMON],
            f"Note: MIDDLEWARE runs {CUSTOM}, {COMMON} first (and {OURS} is not in MIDDLEWARE): "
            "if one of them answers OPTIONS itself",
        ),
        ([SECURITY, *test_settings.MIDDLEWARE], None),
    ],
    ids=["custom-above", "no-drf-cors-middleware", "only-harmless-above"],
)
def test_explain_names_middleware_that_may_answer_a_preflight_first(
    middleware: list[str], note: str | None
) -> None:
    with override_settings(MIDDLEWARE=middleware):
        text = explain("https://app.example.com", "/api/plain-api/", "--method", "DELETE")
        simple = explain("https://app.example.com", "/api/plain-api/")
    if note is None:
        assert "Note: MIDDLEWARE" not in text
    else:
        assert note in " ".join(text.split())
    assert "Note: MIDDLEWARE" not in simple  # no preflight, nothing to answer first


def test_middleware_answering_options_first_hides_the_preflight_from_drf_cors() -> None:
    """Why the note exists: the browser gets that middleware's answer, without CORS headers."""
    with override_settings(MIDDLEWARE=[CUSTOM, *test_settings.MIDDLEWARE]):
        response = Client().options(
            "/api/plain-api/",
            HTTP_ORIGIN="https://app.example.com",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
        )
    assert response.content == b"options, answered here"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_regex_in_an_origins_source_is_never_sent_to_the_sources_regexes() -> None:
    """Sources name every key alike (``lambda key: prefix``): the hint names the setting."""
    from drf_cors._validation import _origin_problem

    problem = _origin_problem(0, r"^https://pr-\d+\.example\.com$", lambda key: "This entry")
    assert problem is not None
    assert problem.id == "E022"
    assert problem.hint == (
        'Move it to REST_FRAMEWORK["CORS"]["ALLOWED_ORIGIN_REGEXES"] (a source holds none): '
        r'r"^https://pr-\d+\.example\.com$" (it must match the whole origin).'
    )


@pytest.mark.parametrize("middleware", [None, 5, "drf_cors.middleware.CorsMiddleware"])
def test_a_malformed_middleware_setting_gives_a_report_never_a_traceback(middleware: Any) -> None:
    from drf_cors.management.commands.cors_migrate import steps
    from drf_cors.management.middleware_order import runs_first

    with override_settings(MIDDLEWARE=middleware, CORS_ALLOW_CREDENTIALS=True):
        assert [m.id for m in check_switching()] == ["drf_cors.W012"]
        assert runs_first() == ([], False)
        assert steps([])[-1] == 'MIDDLEWARE: add "drf_cors.middleware.CorsMiddleware".'
