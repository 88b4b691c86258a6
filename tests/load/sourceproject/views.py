"""One route per way drf_cors serves a source's origins: mixin, middleware, decorator, per host."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_cors import CorsAPIViewMixin, cors_policy


class MixinView(CorsAPIViewMixin, APIView):
    """The global defaults (static origins + the source), served by the mixin."""

    def get(self, request: Request) -> Response:
        return Response({"route": "mixin"})


class PlainView(APIView):
    """No policy of its own: the middleware serves the global defaults."""

    def get(self, request: Request) -> Response:
        return Response({"route": "plain"})


class TenantView(CorsAPIViewMixin, APIView):
    """Policy ``tenants``: the source's rows of that policy, per request host."""

    cors = "tenants"

    def get(self, request: Request) -> Response:
        return Response({"route": "tenant"})


@cors_policy(allow_methods=["GET", "OPTIONS"])
async def async_view(request: HttpRequest) -> HttpResponse:
    """An async view with the decorator (origins inherited from the global defaults)."""
    await asyncio.sleep(0)
    return JsonResponse({"route": "async"})


async def async_plain(request: HttpRequest) -> HttpResponse:
    """An async view the middleware serves."""
    await asyncio.sleep(0)
    return JsonResponse({"route": "async-plain"})
