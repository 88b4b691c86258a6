"""Headless Chromium runs the demo page against the sample API, as a user would.

The browser is the client that enforces CORS: these tests assert what it let
the page's script read, call by call, from an origin the policies list and
from one they do not. A blocked call must leave the script nothing at all.
"""

from __future__ import annotations

from typing import Any

import pytest

import drf_cors

from .conftest import Demo, PageRun, run_page

pytestmark = pytest.mark.browser

BLOCKED: dict[str, Any] = {"error": "TypeError: Failed to fetch"}


class _Seconds:
    """Matches a ``Retry-After`` value: whole seconds, at most the throttle's minute."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.isdigit() and 0 < int(other) <= 60

    def __repr__(self) -> str:
        return "<seconds>"


#: (call id, status the script read or None when blocked, what it read)
FROM_LISTED_ORIGIN = [
    ("simple-get", 200, {"status": "ok"}),
    ("exposed-header", 200, {"X-Total-Count": "3", "results": 3}),
    ("async-view", 200, {"X-Served-By": "async view"}),
    ("middleware-only", 200, {"drf_cors": drf_cors.__version__}),
    ("search", 200, {"X-Total-Count": "1", "results": ["CORS in one line"]}),
    (
        "export",
        200,
        {"Content-Disposition": 'attachment; filename="public-notes.json"', "notes": 3},
    ),
    ("csrf-token", 200, {"csrfToken": "64 characters"}),
    ("session-login", 200, {"username": "demo"}),
    ("session-cookie", 200, {"username": "demo", "authenticated": True}),
    ("paginated-list", 200, {"X-Total-Count": "5", "results": 2}),
    ("token", 200, {"token": "40 characters"}),
    ("preflight-post", 201, {"title": "Written cross-origin"}),
    ("preflight-patch", 200, {"title": "Edited cross-origin"}),
    ("preflight-delete", 204, {}),
    ("refused-header", None, BLOCKED),
    ("refused-method", None, BLOCKED),
    ("partners-only", None, BLOCKED),
    # seed_demo made the listed page's origin an AllowedOrigin row ("embeds").
    ("embed", 200, {"widget": "public notes", "titles": 3}),
    ("cors-disabled", None, BLOCKED),
    ("error-401", 401, {"detail": "Authentication credentials were not provided."}),
    ("error-404", 404, {}),
    ("error-429", 429, {"Retry-After": _Seconds()}),
    ("error-500", 500, {}),
    # Methods the policy allows and the route lacks: the preflight is granted,
    # the actual request is sent, and the script reads its 405.
    ("error-405-list-put", 405, {"detail": 'Method "PUT" not allowed.'}),
    ("error-405-list-delete", 405, {"detail": 'Method "DELETE" not allowed.'}),
    ("error-405-api-view", 405, {"detail": 'Method "PUT" not allowed.'}),
    ("error-405-plain-view", 405, {}),
    ("error-405-middleware", 405, {}),
    ("error-405-mixin", 405, {"detail": 'Method "DELETE" not allowed.'}),
]

#: From an origin no policy lists, only the public routes answer; the embed
#: widget too is blocked, as no AllowedOrigin row names it (until
#: ``test_origins_admin.py`` adds one in the admin).
PUBLIC = {"simple-get", "exposed-header"}
FROM_UNLISTED_ORIGIN = [
    (call, status, read) if call in PUBLIC else (call, None, BLOCKED)
    for call, status, read in FROM_LISTED_ORIGIN
]


def _outcome(status: int | None) -> str:
    return "blocked" if status is None else "allowed"


@pytest.mark.parametrize(
    ("call", "status", "read"), FROM_LISTED_ORIGIN, ids=[c[0] for c in FROM_LISTED_ORIGIN]
)
def test_listed_origin_call(
    listed_run: PageRun, call: str, status: int | None, read: dict[str, Any]
) -> None:
    result = listed_run.results[call]
    assert (result["outcome"], result["status"], result["read"]) == (
        _outcome(status),
        status,
        read,
    )


@pytest.mark.parametrize(
    ("call", "status", "read"), FROM_UNLISTED_ORIGIN, ids=[c[0] for c in FROM_UNLISTED_ORIGIN]
)
def test_unlisted_origin_call(
    unlisted_run: PageRun, call: str, status: int | None, read: dict[str, Any]
) -> None:
    result = unlisted_run.results[call]
    assert (result["outcome"], result["status"], result["read"]) == (
        _outcome(status),
        status,
        read,
    )


@pytest.mark.parametrize("run", ["listed_run", "unlisted_run"], ids=["listed", "unlisted"])
def test_page_shows_every_call_as_expected(run: str, request: pytest.FixtureRequest) -> None:
    """The table a user reads: one row per call, none flagged as unexpected."""
    page_run: PageRun = request.getfixturevalue(run)
    n = len(FROM_LISTED_ORIGIN)
    assert (page_run.rows, page_run.mismatches, page_run.summary.split(" calls")[0]) == (
        n,
        0,
        f"{n} of {n}",
    )


@pytest.mark.parametrize(
    ("call", "header", "value"),
    [
        ("simple-get", "Access-Control-Allow-Origin", "*"),
        ("session-login", "Access-Control-Allow-Credentials", "true"),
        ("preflight-patch", "Access-Control-Allow-Headers", "x-demo-client"),
        ("error-429", "Access-Control-Expose-Headers", "Retry-After"),
    ],
    ids=["public-star", "login-credentials", "patch-custom-header", "429-exposes-retry-after"],
)
def test_page_shows_the_deciding_header(
    listed_run: PageRun, call: str, header: str, value: str
) -> None:
    assert value in listed_run.results[call]["probe"]["headers"][header]


@pytest.mark.parametrize(
    "call", ["refused-header", "refused-method", "partners-only", "cors-disabled"], ids=lambda c: c
)
def test_page_shows_no_allow_origin_for_a_blocked_call(listed_run: PageRun, call: str) -> None:
    assert "Access-Control-Allow-Origin" not in listed_run.results[call]["probe"]["headers"]


#: The 405 calls: each needs a preflight, which the page's server replays.
METHOD_NOT_ALLOWED = [call for call, status, _ in FROM_LISTED_ORIGIN if status == 405]


@pytest.mark.parametrize("call", METHOD_NOT_ALLOWED, ids=lambda c: c)
def test_405_call_was_preflighted_and_granted_for_the_policy_s_methods(
    listed_run: PageRun, call: str
) -> None:
    """The preflight lists the policy's methods, the one the route lacks included."""
    result = listed_run.results[call]
    method = result["request"].split()[0]
    probe = result["probe"]
    methods = probe["headers"]["Access-Control-Allow-Methods"].split(", ")
    assert (result["preflight"], probe["status"], method in methods) == (True, 200, True)


def test_method_outside_the_policy_is_refused_at_the_preflight(listed_run: PageRun) -> None:
    """POST on the read-only public feed: the preflight grants nothing, nothing is sent."""
    result = listed_run.results["refused-method"]
    granted = [h for h in result["probe"]["headers"] if h.startswith("Access-Control-Allow-")]
    assert (result["preflight"], granted) == (True, [])


def _fetch_from(browser: Any, page_url: str, script: str, arg: Any) -> Any:
    """Run ``script`` (an async arrow function) in a fresh page on ``page_url``'s origin."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url + "/config.js")
        return page.evaluate(script, arg)
    finally:
        context.close()


def test_login_without_csrf_token_is_refused_readably(demo: Demo, browser: Any) -> None:
    """CSRF is enforced on the cross-origin login, and its 403 still reaches the script."""
    status, detail = _fetch_from(
        browser,
        demo.listed_page,
        """async (api) => {
            await fetch(api + "/api/auth/csrf/", {credentials: "include"});
            const r = await fetch(api + "/api/auth/login/", {
                method: "POST", credentials: "include",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({username: "demo", password: "demo-password"}),
            });
            return [r.status, (await r.json()).detail];
        }""",
        demo.api,
    )
    assert (status, "CSRF" in detail) == (403, True)


def test_session_cookie_needs_credentials_include(demo: Demo, browser: Any) -> None:
    """Logged in, a call without ``credentials: "include"`` is anonymous: no cookie sent."""
    anonymous = _fetch_from(
        browser,
        demo.listed_page,
        """async (api) => {
            const csrf = (await (await fetch(api + "/api/auth/csrf/",
                {credentials: "include"})).json()).csrfToken;
            await fetch(api + "/api/auth/login/", {
                method: "POST", credentials: "include",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                body: JSON.stringify({username: "demo", password: "demo-password"}),
            });
            return (await (await fetch(api + "/api/auth/me/")).json()).authenticated;
        }""",
        demo.api,
    )
    assert anonymous is False


def test_page_runs_again_with_the_same_results(
    demo: Demo, browser: Any, listed_run: PageRun
) -> None:
    """The page deletes the note it creates: "Run again" shows the same table."""
    again = run_page(browser, demo.listed_page + "/")
    assert again.results["paginated-list"]["read"] == listed_run.results["paginated-list"]["read"]
