"""Faults: raising views and middleware, clients that hang up, settings changed mid-traffic.

In every case the server keeps serving, every response still carries exactly
the CORS headers of its own route and origin, and drf_cors itself logs
nothing at ERROR.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, override_settings
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIView, CorsPolicy, cors_policy

P = "https://partner.example"  # allowed by the routes' own policies only
A = "https://app.example.com"  # allowed by the global defaults only
C = "https://evil.example.com"  # allowed by none


class MixinView(CorsAPIView):
    cors = CorsPolicy(allowed_origins=[P], allow_credentials=True)
    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class InheritingView(CorsAPIView):
    """Origins from the global defaults: follows every settings change."""

    cors = CorsPolicy(allow_credentials=True)
    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class MixinBoomView(MixinView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("deliberate")


@api_view(["GET"])
@cors_policy(allowed_origins=[P])
def function_view(request: Request) -> Response:
    return Response({"ok": True})


@api_view(["GET"])
@cors_policy(allowed_origins=[P])
def function_boom(request: Request) -> Response:
    raise RuntimeError("deliberate")


@cors_policy(allowed_origins=[P])
def django_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate")


@cors_policy(allowed_origins=[P])
async def async_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate")


def fallback_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


def fallback_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate")


urlpatterns = [
    path("mixin/", MixinView.as_view()),
    path("mixin-boom/", MixinBoomView.as_view()),
    path("inheriting/", InheritingView.as_view()),
    path("function/", function_view),
    path("function-boom/", function_boom),
    path("django-boom/", django_boom),
    path("async-boom/", async_boom),
    path("fallback/", fallback_view),
    path("fallback-boom/", fallback_boom),
]

#: route -> (origin its policy allows, whether it grants credentials)
POLICY_OF = {
    "mixin": (P, True),
    "mixin-boom": (P, True),
    "function": (P, False),
    "function-boom": (P, False),
    "django-boom": (P, False),
    "async-boom": (P, False),
    "fallback": (A, False),
    "fallback-boom": (A, False),
}


class RaisingMiddleware:
    """Below CorsMiddleware; raises where the ``X-Raise-In`` request header says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.headers.get("X-Raise-In") == "request":
            raise RuntimeError("deliberate, before the view")
        response = self.get_response(request)
        if request.headers.get("X-Raise-In") == "response":
            raise RuntimeError("deliberate, after the view")
        return response

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        if request.headers.get("X-Raise-In") == "view":
            raise RuntimeError("deliberate, in process_view")


MIDDLEWARE = [
    "drf_cors.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tests.test_faults.RaisingMiddleware",
]


def expected_cors(route: str, origin: str) -> dict[str, str]:
    allowed, credentials = POLICY_OF[route]
    if origin != allowed:
        return {}
    expected = {"Access-Control-Allow-Origin": origin}
    if credentials:
        expected["Access-Control-Allow-Credentials"] = "true"
    return expected


def cors_of(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def drf_cors_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("drf_cors") and record.levelno >= logging.ERROR
    ]


@pytest.fixture
def fault_site(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO, logger="drf_cors")
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=MIDDLEWARE):
        yield


BOOM_CASES = [
    (route, origin)
    for route in ("mixin-boom", "function-boom", "django-boom", "async-boom", "fallback-boom")
    for origin in (P, A, C)
]


@pytest.mark.parametrize(
    ("route", "origin"), BOOM_CASES, ids=[f"{r}-{o.split('//')[1]}" for r, o in BOOM_CASES]
)
def test_view_that_raises_answers_500_with_its_route_headers(
    fault_site: None, caplog: pytest.LogCaptureFixture, route: str, origin: str
) -> None:
    """A view's unhandled exception: Django's 500, with the route's own CORS headers."""
    response = Client(raise_request_exception=False).get(f"/{route}/", HTTP_ORIGIN=origin)
    assert (response.status_code, cors_of(response), drf_cors_errors(caplog)) == (
        500,
        expected_cors(route, origin),
        [],
    )


MIDDLEWARE_CASES = [
    (where, route, origin)
    for where in ("request", "view", "response")
    for route in ("mixin", "function", "fallback")
    for origin in (P, A)
]
MIDDLEWARE_IDS = [f"{w}-{r}-{o.split('//')[1]}" for w, r, o in MIDDLEWARE_CASES]


@pytest.mark.parametrize(("where", "route", "origin"), MIDDLEWARE_CASES, ids=MIDDLEWARE_IDS)
def test_middleware_below_that_raises_keeps_route_headers(
    fault_site: None, caplog: pytest.LogCaptureFixture, where: str, route: str, origin: str
) -> None:
    """A middleware below ours raises (before, around or after the view): headers still right."""
    client = Client(raise_request_exception=False)
    response = client.get(f"/{route}/", HTTP_ORIGIN=origin, HTTP_X_RAISE_IN=where)
    assert (response.status_code, cors_of(response), drf_cors_errors(caplog)) == (
        500,
        expected_cors(route, origin),
        [],
    )


@pytest.mark.parametrize(("where", "route", "origin"), MIDDLEWARE_CASES, ids=MIDDLEWARE_IDS)
async def test_middleware_below_that_raises_keeps_route_headers_async(
    fault_site: None, caplog: pytest.LogCaptureFixture, where: str, route: str, origin: str
) -> None:
    """The async twin: the same, through Django's ASGI handler."""
    client = AsyncClient(raise_request_exception=False)
    response = await client.get(f"/{route}/", headers={"Origin": origin, "X-Raise-In": where})
    assert (response.status_code, cors_of(response), drf_cors_errors(caplog)) == (
        500,
        expected_cors(route, origin),
        [],
    )


# -- settings changed while requests run in threads ---------------------------------

BOTH = "https://both.example"
ONLY_X = "https://only-x.example"
ONLY_Y = "https://only-y.example"
NEITHER = "https://neither.example"


def _rest_framework(origins: list[str]) -> dict[str, Any]:
    return {**settings.REST_FRAMEWORK, "CORS": {"ALLOWED_ORIGINS": origins}}


def _hammer(
    stop: threading.Event, seen: list[tuple[str, str, int, str | None]], errors: list[BaseException]
) -> None:
    """Requests until told to stop (or 3,000 of them): bounded by count and by the caller."""
    client = Client()
    rng = random.Random(threading.get_ident())
    try:
        for _ in range(3000):
            if stop.is_set():
                return
            route = rng.choice(("inheriting", "fallback"))
            origin = rng.choice((BOTH, ONLY_X, ONLY_Y, NEITHER))
            response = client.get(f"/{route}/", HTTP_ORIGIN=origin)
            seen.append(
                (route, origin, response.status_code, response.get("Access-Control-Allow-Origin"))
            )
    except BaseException as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
        errors.append(exc)


def test_override_settings_while_requests_run_in_threads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Settings flip 300 times under 4 busy threads: every answer fits one of the two
    configurations, and once they settle the one in force is served, nothing stale."""
    caplog.set_level(logging.INFO, logger="drf_cors")
    stop = threading.Event()
    seen: list[tuple[str, str, int, str | None]] = []
    errors: list[BaseException] = []
    try:
        with override_settings(
            ROOT_URLCONF=__name__,
            MIDDLEWARE=MIDDLEWARE,
            REST_FRAMEWORK=_rest_framework([BOTH, ONLY_X]),
        ):
            threads = [
                threading.Thread(target=_hammer, args=(stop, seen, errors)) for _ in range(4)
            ]
            for thread in threads:
                thread.start()
            for _ in range(300):
                with override_settings(REST_FRAMEWORK=_rest_framework([BOTH, ONLY_Y])):
                    time.sleep(0.0005)
                time.sleep(0.0005)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            settled = Client()
            after = {
                (route, origin): settled.get(f"/{route}/", HTTP_ORIGIN=origin).get(
                    "Access-Control-Allow-Origin"
                )
                for route in ("inheriting", "fallback")
                for origin in (BOTH, ONLY_X, ONLY_Y, NEITHER)
            }
    finally:
        stop.set()
    wrong = [
        entry
        for entry in seen
        if entry[2] != 200
        or (entry[1] == BOTH and entry[3] != BOTH)
        or (entry[1] == NEITHER and entry[3] is not None)
        or entry[3] not in (None, entry[1])
    ]
    assert errors == []
    assert len(seen) > 100, "the threads barely ran: the test proves nothing"
    assert wrong == []
    assert after == {
        (route, origin): (origin if origin in (BOTH, ONLY_X) else None)
        for route in ("inheriting", "fallback")
        for origin in (BOTH, ONLY_X, ONLY_Y, NEITHER)
    }
    assert drf_cors_errors(caplog) == []


ROUTES_UNDER_CHANGE = [
    ("fallback", "the global defaults, through the middleware"),
    ("inheriting", "a mixin view inheriting its origins"),
]


@pytest.mark.parametrize(
    "route", [r for r, _ in ROUTES_UNDER_CHANGE], ids=[r for r, _ in ROUTES_UNDER_CHANGE]
)
def test_settings_change_while_a_request_compiles_its_policy(
    monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    """The race the threaded test can only hope to hit, made certain: a request
    compiles its policy from the old settings, the settings change (and the
    cache is emptied) before it stores the result. The old policy must not
    stay cached and be served after the change."""
    from drf_cors import conf

    main = threading.current_thread()
    real = conf.effective_values
    compiling, changed = threading.Event(), threading.Event()

    def effective_values_then_wait(*args: Any, **kwargs: Any) -> dict[str, Any]:
        values = real(*args, **kwargs)
        if threading.current_thread() is not main and not changed.is_set():
            compiling.set()
            changed.wait(10)
        return values

    monkeypatch.setattr(conf, "effective_values", effective_values_then_wait)
    responses: list[Any] = []
    with override_settings(
        ROOT_URLCONF=__name__,
        MIDDLEWARE=MIDDLEWARE,
        REST_FRAMEWORK=_rest_framework([BOTH, ONLY_X]),
    ):
        with override_settings(REST_FRAMEWORK=_rest_framework([BOTH, ONLY_Y])):
            thread = threading.Thread(
                target=lambda: responses.append(Client().get(f"/{route}/", HTTP_ORIGIN=ONLY_Y))
            )
            thread.start()
            assert compiling.wait(10)
        changed.set()  # the old settings are gone: let the request finish
        thread.join(10)
        after = Client().get(f"/{route}/", HTTP_ORIGIN=ONLY_Y)
    assert (
        responses[0].get("Access-Control-Allow-Origin"),
        after.get("Access-Control-Allow-Origin"),
    ) == (ONLY_Y, None)


# -- clients that hang up, against a real server ------------------------------------


def _hang_ups(port: int) -> None:
    """Three ways to leave mid-request, 10 times each."""
    requests = [
        # headers only, then gone: the server is still waiting for the blank line
        b"GET /api/fallback/ HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example.com\r\n",
        # a body promised and never sent
        b"POST /api/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example.com\r\n"
        b'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"partial":',
        # a whole request to a slow view, gone before the answer
        b"GET /api/slow/?s=0.3 HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example.com\r\n\r\n",
        # a preflight, gone before the answer
        b"OPTIONS /api/items/ HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example.com\r\n"
        b"Access-Control-Request-Method: POST\r\n\r\n",
    ]
    for _ in range(10):
        for raw in requests:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                # RST rather than FIN on close: the harshest hang-up.
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )


@pytest.mark.parametrize("kind", ["gunicorn-sync", "gunicorn-gthread", "uvicorn"])
def test_client_disconnects_mid_request(kind: str, tmp_path: Path) -> None:
    """Clients hang up mid-headers, mid-body and before the answer: the server serves on."""
    pytest.importorskip("httpx", reason="the load extra is not installed: pip install -e .[load]")
    pytest.importorskip(kind.split("-")[0], reason="the load extra is not installed")
    from tests.load import loadgen, plan, servers

    app = servers.App(
        settings="tests.load.loadproject.settings",
        wsgi="tests.load.loadproject.wsgi:application",
        asgi="tests.load.loadproject.asgi:application",
        env={},
    )
    with servers.serve(kind, app, tmp_path) as server:
        _hang_ups(server.port)
        result = loadgen.run(
            f"after hang-ups {kind}",
            server.url,
            plan.build(400, seed=7),
            concurrency=8,
            time_limit=120,
        )
        log = server.log_text()
    assert (result.completed, result.transport_errors, result.problems) == (400, [], [])
    assert servers.drf_cors_errors(log) == []
