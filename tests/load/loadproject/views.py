"""The load project's views, with no CORS at all: ``urls`` attaches policies, ``urls_plain`` not.

One module for both servers, so the requests-per-second comparison measures
drf_cors and nothing else.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, viewsets
from rest_framework.decorators import api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView


class AlwaysThrottled(BaseThrottle):
    """Every request is over the limit: a deterministic 429 under any load."""

    def allow_request(self, request: Any, view: Any) -> bool:
        return False

    def wait(self) -> float:
        return 30.0


class ItemsView(APIView):
    """The credentialed route: 401 without the token."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"items": [1, 2, 3]}, headers={"X-Total-Count": "3"})

    def post(self, request: Request) -> Response:
        return Response({"created": True}, status=201)


class ItemDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        if pk != 1:
            raise exceptions.NotFound()
        return Response({"id": 1})


class PartnerView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"partner": True}, headers={"X-Partner-Quota": "10"})


@api_view(["GET"])
def public(request: Request) -> Response:
    return Response({"public": True})


class FallbackView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"fallback": True})

    def post(self, request: Request) -> Response:
        return Response({"fallback": True}, status=201)


async def async_view(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    return JsonResponse({"async": True})


async def async_fallback(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    return JsonResponse({"async": True, "fallback": True})


class ThrottledView(APIView):
    throttle_classes = [AlwaysThrottled]

    def get(self, request: Request) -> Response:
        return Response({"throttled": False})


class BoomView(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("deliberate 500")


class DisabledView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"disabled": True})


class FeedViewSet(viewsets.ViewSet):
    def list(self, request: Request) -> Response:
        return Response({"feed": []})

    def public(self, request: Request) -> Response:
        return Response({"feed": [], "public": True})


def slow(request: HttpRequest) -> HttpResponse:
    """Long enough for a client to hang up before the answer (the fault tests)."""
    time.sleep(float(request.GET.get("s", "0.5")))
    return JsonResponse({"slow": True})


def echo(request: HttpRequest) -> HttpResponse:
    """Reads the whole body: a client that stops sending mid-body leaves it waiting."""
    return JsonResponse({"received": len(request.body)})
