"""The request mix for ``sample_project``, and the oracle of what each response must carry.

Mirrors ``sample_project/settings.py`` and ``sample_project/notes/views.py``
by hand (the page's origins come from ``DEMO_PAGE_ORIGINS``, set by the
test to :data:`PAGE_ORIGINS`). Reads only, so SQLite's single writer is not
what the load measures; writes are covered by their preflights.
"""

from __future__ import annotations

from .plan import EVIL, NULL, PARTNER, Route, Target

PAGE = "page"
PAGE_ORIGINS = [f"http://localhost:{4000 + i}" for i in range(60)]

ORIGINS = {
    PAGE: PAGE_ORIGINS,
    PARTNER: ["https://partner.example.com"],
    EVIL: [f"http://localhost:{5000 + i}" for i in range(100)]  # same host, another port
    + [f"http://127.0.0.1:{4000 + i}" for i in range(40)]  # same port, another host
    + [f"https://evil{i}.example.com" for i in range(100)]
    + [
        "https://partner.example.com.evil.com",
        "http://partner.example.com",
        "https://localhost:4000",
    ],
    NULL: ["null"],
}
WEIGHTS = {PAGE: 45, PARTNER: 8, EVIL: 42, NULL: 5}

GLOBAL = frozenset({PAGE})
NOTES_HEADERS = frozenset(
    {"accept", "authorization", "content-type", "x-csrftoken", "x-demo-client"}
)
SESSION_HEADERS = frozenset({"accept", "content-type", "x-csrftoken"})
#: Preflights ask for GET, POST, PUT or DELETE; the policy alone decides, so a
#: method the route lacks (POST on a detail route) is granted and gets a 405.
READ_ONLY = frozenset({"GET"})  # the "public" and "partners" policies


def routes(token: str) -> list[Route]:
    auth = (("Authorization", f"Token {token}"),)
    return [
        Route("notes", "/api/notes/", allows=GLOBAL, credentials=True, expose="X-Total-Count",
              allowed_headers=NOTES_HEADERS, extra=auth, weight=3),
        Route("notes-anon", "/api/notes/", status=401, allows=GLOBAL, credentials=True,
              expose="X-Total-Count", allowed_headers=NOTES_HEADERS, weight=2),
        Route("note-404", "/api/notes/999999/", status=404, allows=GLOBAL, credentials=True,
              expose="X-Total-Count", allowed_headers=NOTES_HEADERS, extra=auth),
        Route("notes-public", "/api/notes/public/", allows=None, expose="X-Total-Count",
              preflight_methods=READ_ONLY, weight=2),
        # Three calls a minute per client: mostly 429 under load, 200 for the first few.
        Route("stats", "/api/stats/", status=429, or_status=200, allows=GLOBAL,
              expose="Retry-After", weight=2),
        Route("health", "/api/health/", allows=None, expose="X-Total-Count",
              preflight_methods=READ_ONLY, weight=2),
        Route("clock", "/api/clock/", allows=GLOBAL, expose="X-Served-By", weight=3),
        Route("partners", "/api/partners/", allows=frozenset({PARTNER}),
              preflight_methods=READ_ONLY),
        Route("internal", "/api/internal/", allows=frozenset(), enabled=False),
        Route("version", "/api/version/", allows=GLOBAL, weight=2),
        Route("boom", "/api/boom/", status=500, allows=GLOBAL),
        Route("me", "/api/auth/me/", allows=GLOBAL, credentials=True,
              preflight_methods=frozenset({"GET", "POST"}), allowed_headers=SESSION_HEADERS),
        Route("missing", "/api/no-such-route/", status=404, allows=GLOBAL, unresolved=True),
        Route("outside", "/outside/", status=404, allows=frozenset(), covered=False),
    ]  # fmt: skip


def target(token: str) -> Target:
    return Target(routes=routes(token), origins=ORIGINS, weights=WEIGHTS)
