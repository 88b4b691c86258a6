"""Django's cache middleware in front of CORS: a response cached for one origin stays its own.

``UpdateCacheMiddleware`` keys a cached page on the request headers its
response ``Vary``-s on. If the ``Access-Control-Allow-Origin`` of origin A
were cached under a key that ignores ``Origin``, origin B (or a same-origin
page) would be served A's grant. Both middleware orders a project may use are
tested: Django's documented one (``UpdateCacheMiddleware`` first) and ours
(``CorsMiddleware`` first, so it sees every response, cached ones included).

Each route has its own policy, attached in a different way; the table of
first/second request origins covers "A then B", "A then same-origin",
"same-origin then A" and refused origins. ``test_second_request_is_served_from_cache``
proves the cache really answers, so the other tests can fail.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, override_settings
from django.urls import path
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIView, CorsPolicy, cors_policy

A = "https://app.example.com"  # allowed by every route here
B = "https://b.example.org"  # allowed by the global defaults only (wildcard)
P = "https://partner.example"  # allowed by the explicit policies only
C = "https://evil.example.com"  # allowed by none

#: How many times each view really ran (a cache hit does not count).
HITS: Counter[str] = Counter()
ROUTE_ORIGINS = [A, P]


class MixinView(CorsAPIView):
    cors = CorsPolicy(allowed_origins=ROUTE_ORIGINS)
    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        HITS["mixin"] += 1
        return Response({"route": "mixin"})


@api_view(["GET"])
@cors_policy(allowed_origins=ROUTE_ORIGINS, allow_credentials=True)
def function_view(request: Request) -> Response:
    HITS["function"] += 1
    return Response({"route": "function"})


@cors_policy(allowed_origins=ROUTE_ORIGINS)
def django_view(request: HttpRequest) -> HttpResponse:
    HITS["django"] += 1
    return JsonResponse({"route": "django"})


def fallback_view(request: HttpRequest) -> HttpResponse:
    HITS["fallback"] += 1
    return JsonResponse({"route": "fallback"})


class ActionViewSet(viewsets.ViewSet):
    """No mixin: the middleware serves the action's own policy."""

    authentication_classes = ()
    permission_classes = ()

    @cors_policy(allowed_origins=ROUTE_ORIGINS)
    def list(self, request: Request) -> Response:
        HITS["action"] += 1
        return Response({"route": "action"})


urlpatterns = [
    path("mixin/", MixinView.as_view()),
    path("function/", function_view),
    path("django/", django_view),
    path("fallback/", fallback_view),
    path("action/", ActionViewSet.as_view({"get": "list"})),
]

#: route -> (origins its policy allows, whether it grants credentials)
ROUTES: dict[str, tuple[frozenset[str], bool]] = {
    "mixin": (frozenset(ROUTE_ORIGINS), False),
    "function": (frozenset(ROUTE_ORIGINS), True),
    "django": (frozenset(ROUTE_ORIGINS), False),
    "fallback": (frozenset({A, B}), False),
    "action": (frozenset(ROUTE_ORIGINS), False),
}

_SHARED = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
]
ORDERS = {
    "cache-first": [
        "django.middleware.cache.UpdateCacheMiddleware",
        "drf_cors.middleware.CorsMiddleware",
        *_SHARED,
    ],
    "cors-first": [
        "drf_cors.middleware.CorsMiddleware",
        "django.middleware.cache.UpdateCacheMiddleware",
        *_SHARED,
    ],
}

#: (first request's Origin, second request's Origin); None is a same-origin request.
SEQUENCES = [
    (A, P),
    (P, A),
    (A, B),
    (B, A),
    (A, None),
    (P, None),
    (None, A),
    (None, P),
    (A, C),
    (C, A),
    (B, P),
    (P, B),
]


def _sequence_id(pair: tuple[str | None, str | None]) -> str:
    names = {A: "A", B: "B", P: "P", C: "C", None: "same-origin"}
    return f"{names[pair[0]]}-then-{names[pair[1]]}"


def _get(client: Client, route: str, origin: str | None) -> Any:
    extra = {} if origin is None else {"HTTP_ORIGIN": origin}
    return client.get(f"/{route}/", **extra)


@pytest.fixture(params=list(ORDERS), ids=list(ORDERS))
def cached_site(request: pytest.FixtureRequest) -> Any:
    """The test URLconf behind the cache middleware, in one of the two orders."""
    HITS.clear()
    with override_settings(
        ROOT_URLCONF=__name__,
        MIDDLEWARE=ORDERS[request.param],
        CACHE_MIDDLEWARE_SECONDS=300,
        CACHE_MIDDLEWARE_KEY_PREFIX="test-cache",
    ):
        yield Client()
    HITS.clear()


@pytest.mark.parametrize("route", list(ROUTES), ids=list(ROUTES))
def test_second_request_is_served_from_cache(cached_site: Client, route: str) -> None:
    """The same request twice runs the view once: the cache is really in play."""
    first = _get(cached_site, route, A)
    second = _get(cached_site, route, A)
    assert (first.status_code, second.status_code, HITS[route]) == (200, 200, 1)


@pytest.mark.parametrize("route", list(ROUTES), ids=list(ROUTES))
@pytest.mark.parametrize("sequence", SEQUENCES, ids=[_sequence_id(s) for s in SEQUENCES])
def test_cached_response_answers_its_own_origin(
    cached_site: Client, route: str, sequence: tuple[str | None, str | None]
) -> None:
    """The second response's CORS headers are exactly what its own Origin calls for."""
    first_origin, second_origin = sequence
    allowed, credentials = ROUTES[route]
    _get(cached_site, route, first_origin)
    response = _get(cached_site, route, second_origin)
    granted = second_origin is not None and second_origin in allowed
    expected = {"Access-Control-Allow-Origin": second_origin} if granted else {}
    if granted and credentials:
        expected["Access-Control-Allow-Credentials"] = "true"
    got = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}
    assert got == expected


@pytest.mark.parametrize("route", list(ROUTES), ids=list(ROUTES))
def test_cached_response_varies_on_origin(cached_site: Client, route: str) -> None:
    """A response served from the cache still says it varies on ``Origin``."""
    _get(cached_site, route, A)
    response = _get(cached_site, route, A)
    vary = {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}
    assert "origin" in vary
