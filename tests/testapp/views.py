"""Views covering every way to attach a policy, and spies that record what ran."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.http import require_GET
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action, api_view
from rest_framework.permissions import BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from drf_cors import CorsAPIView, CorsAPIViewMixin, CorsPolicy, cors_policy

from .models import Article

#: What the spies saw, reset by the ``spy_calls`` fixture.
CALLS: list[str] = []


class ArticleSerializer(serializers.ModelSerializer[Article]):
    class Meta:
        model = Article
        fields = ["id", "title", "body"]


class ArticleViewSet(CorsAPIViewMixin, viewsets.ModelViewSet[Article]):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    cors = CorsPolicy(allowed_origins=["https://app.example.com"], allow_credentials=True)

    @cors_policy(allowed_origins=["https://editor.example.com"])
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @cors_policy(allow_all_origins=True, allow_credentials=False)
    @action(detail=False)
    def public_feed(self, request: Request) -> Response:
        return Response({"feed": [a.title for a in self.get_queryset()]})

    @action(detail=False, cors="partners")
    def partner_feed(self, request: Request) -> Response:
        return Response({"partner": True})

    @action(detail=False, permission_classes=[], cors=CorsPolicy(expose_headers=["X-Total-Count"]))
    def counted(self, request: Request) -> Response:
        return Response({"count": 1}, headers={"X-Total-Count": "1"})

    @action(detail=False, methods=["post"], permission_classes=[])
    def publish(self, request: Request) -> Response:
        return Response({"published": True})

    @action(detail=False, permission_classes=[])
    def boom(self, request: Request) -> Response:
        raise RuntimeError("boom")


class SpyPermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        CALLS.append("permission")
        return True


class SpyThrottle(BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        CALLS.append("throttle")
        return True


class SpyView(CorsAPIView):
    permission_classes = [SpyPermission]
    throttle_classes = [SpyThrottle]

    def get(self, request: Request) -> Response:
        CALLS.append("get")
        return Response({"ok": True})

    def put(self, request: Request) -> Response:
        CALLS.append("put")
        return Response({"ok": True})


class PartnerView(CorsAPIView):
    cors = "partners"

    def get(self, request: Request) -> Response:
        return Response({"partner": True})

    def post(self, request: Request) -> Response:
        return Response({"created": True}, status=201)


class DisabledView(CorsAPIView):
    cors = CorsPolicy(enabled=False)

    def get(self, request: Request) -> Response:
        return Response({"disabled": True})

    def post(self, request: Request) -> Response:
        raise exceptions.ValidationError({"title": ["required"]})


class ConfigurableView(CorsAPIView):
    """Mounted with ``as_view(cors=...)``."""

    def get(self, request: Request) -> Response:
        return Response({"configured": True})


class PlainAPIView(APIView):
    """No mixin, no policy: the fallback middleware covers it."""

    permission_classes: list[type[BasePermission]] = []

    def get(self, request: Request) -> Response:
        return Response({"plain": True})

    def delete(self, request: Request) -> Response:
        return Response(status=204)


class PlainPostView(APIView):
    """No mixin and no ``get``: the middleware answers its preflights."""

    permission_classes: list[type[BasePermission]] = []

    def post(self, request: Request) -> Response:
        return Response({"posted": True})


class ErrorView(CorsAPIView):
    """``?status=N`` raises the DRF exception that answers with N."""

    authentication_classes = [TokenAuthentication]
    throttle_scope = "spy"

    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "200")
        errors: dict[str, exceptions.APIException] = {
            "400": exceptions.ValidationError({"field": ["bad"]}),
            "401": exceptions.NotAuthenticated(),
            "403": exceptions.PermissionDenied(),
            "404": exceptions.NotFound(),
            "429": exceptions.Throttled(wait=30),
        }
        if status in errors:
            raise errors[status]
        if status == "500":
            raise RuntimeError("unhandled")
        return Response({"status": 200})


@api_view(["GET", "POST"])
@cors_policy(allowed_origins=["https://app.example.com"], expose_headers=["X-Total-Count"])
def stats_below(request: Request) -> Response:
    """Stats, with the policy below @api_view."""
    CALLS.append("stats_below")
    if request.method == "POST":
        raise exceptions.ValidationError({"n": ["required"]})
    return Response({"n": 1}, headers={"X-Total-Count": "1"})


@cors_policy(allowed_origins=["https://app.example.com"], expose_headers=["X-Total-Count"])
@api_view(["GET", "POST"])
def stats_above(request: Request) -> Response:
    CALLS.append("stats_above")
    if request.method == "POST":
        raise exceptions.ValidationError({"n": ["required"]})
    return Response({"n": 1}, headers={"X-Total-Count": "1"})


@cors_policy("public")
def health(request: HttpRequest) -> HttpResponse:
    CALLS.append("health")
    return JsonResponse({"ok": True})


@cors_policy(allowed_origins=["https://app.example.com"], allow_credentials=True)
async def async_health(request: HttpRequest) -> HttpResponse:
    CALLS.append("async_health")
    return JsonResponse({"ok": True, "async": True})


@cors_policy(allowed_origins_source="tests.testapp.sources.listed")
async def async_sourced(request: HttpRequest) -> HttpResponse:
    """An async Django view whose origins come from a source (its own, not the global one)."""
    return JsonResponse({"sourced": True})


@cors_policy(allowed_origins_source="tests.testapp.sources.listed")
class AsyncSourcedCBV(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"sourced": True, "cbv": True})


@cors_policy(allowed_origins=["https://app.example.com"])
def decorated_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


@cors_policy(allowed_origins=["https://app.example.com"])
def csrf_protected(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"posted": True})


@cors_policy(enabled=False)
def disabled_function(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"disabled": True})


@cors_policy(allowed_origins=["https://app.example.com"])
@require_GET
def decorated_read_only(request: HttpRequest) -> HttpResponse:
    """A plain Django view that implements GET only: other methods get Django's 405."""
    return JsonResponse({"read_only": True})


@require_GET
def plain_read_only(request: HttpRequest) -> HttpResponse:
    """The same without a policy: the fallback middleware serves its 405 too."""
    return JsonResponse({"read_only": True})


def plain(request: HttpRequest) -> HttpResponse:
    CALLS.append("plain")
    return JsonResponse({"plain": True})


async def async_plain(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"plain": True, "async": True})


def plain_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def already_answered(request: HttpRequest) -> HttpResponse:
    response = JsonResponse({"own": True})
    response["Access-Control-Allow-Origin"] = "https://own.example"
    return response


@cors_policy("partners")
class DecoratedAPIView(APIView):
    permission_classes: list[type[BasePermission]] = []

    def get(self, request: Request) -> Response:
        return Response({"decorated": True})


@cors_policy(allowed_origins=["https://app.example.com"])
class DjangoCBV(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        CALLS.append("cbv")
        return JsonResponse({"cbv": True})


@cors_policy(allowed_origins=["https://app.example.com"])
class AsyncDjangoCBV(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        CALLS.append("async_cbv")
        return JsonResponse({"cbv": True, "async": True})


class MethodPolicyView(CorsAPIView):
    """A policy on one HTTP method handler of a plain ``APIView``."""

    permission_classes: list[type[BasePermission]] = []

    def get(self, request: Request) -> Response:
        return Response({"get": True})

    @cors_policy("partners")
    def post(self, request: Request) -> Response:
        return Response({"post": True})


@cors_policy("no-such-policy")
def missing_policy(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"missing": True})


class ThrottledView(CorsAPIView):
    """Two requests a minute (``DEFAULT_THROTTLE_RATES["spy"]``)."""

    permission_classes: list[type[BasePermission]] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "spy"

    def get(self, request: Request) -> Response:
        return Response({"throttled": False})


class HeadPolicyView(CorsAPIView):
    """``get`` has its own policy; ``HEAD`` is served by ``get`` and so takes it."""

    permission_classes: list[type[BasePermission]] = []

    @cors_policy("public")
    def get(self, request: Request) -> Response:
        return Response({"get": True})

    def post(self, request: Request) -> Response:
        return Response({"post": True})
