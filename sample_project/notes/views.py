"""The notes API: one route for each way of attaching a CORS policy.

| route                   | how its policy is attached                                    |
| ----------------------- | ------------------------------------------------------------- |
| /api/notes/             | ``CorsAPIViewMixin`` on a ``ModelViewSet``, class ``cors``      |
| /api/notes/public/      | ``@action`` with a per-action ``@cors_policy("public")``        |
| /api/stats/             | ``@api_view`` + ``@cors_policy(...)``, throttled               |
| /api/search/            | ``@api_view(["GET"])`` + ``@cors_policy(...)``, not throttled   |
| /api/health/            | plain Django view, ``@cors_policy("public")`` (named policy)   |
| /api/export/            | plain Django view, ``@cors_policy(...)`` over ``@require_GET`` |
| /api/clock/             | async plain Django view, ``@cors_policy(...)``                 |
| /api/partners/          | ``CorsAPIView`` with ``cors = "partners"`` (named policy)       |
| /api/embed/             | ``CorsAPIView``, ``cors = "embeds"``: origins from the database |
| /api/internal/          | ``CorsPolicy(enabled=False)``: never any CORS header           |
| /api/version/           | nothing: the fallback middleware covers it (``URLS_REGEX``)    |
| /api/boom/              | a deliberate 500, still readable by the page                   |
| /api/auth/...           | session login with CSRF, and tokens (see ``auth.py``)          |

Methods a route does not implement. A preflight is decided by the policy
alone, so a method the policy allows but the route lacks is granted and the
actual request gets a **405 the page can read**, with the route's CORS headers:
``PUT``/``DELETE`` on the notes list (the router maps only GET and POST there),
anything but GET on ``/api/search/`` (``@api_view(["GET"])``), on
``/api/export/`` and on ``/api/version/`` (Django's ``@require_GET``), and
``DELETE /api/auth/token/`` (DRF's token view takes POST only). A method outside
the policy is refused at the preflight: the ``"public"`` policy allows GET only,
so the browser never sends a POST to ``/api/notes/public/`` or ``/api/health/``.
``/api/search/`` exists apart from ``/api/stats/`` because a throttle runs
before DRF's method check: on ``/api/stats/`` a fourth call of the minute,
whatever its method, gets the 429 first.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from rest_framework import permissions, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

import drf_cors
from drf_cors import CorsAPIView, CorsAPIViewMixin, CorsPolicy, cors_policy

from .models import Note
from .pagination import CountedPagination
from .serializers import NoteSerializer


class IsOwner(permissions.BasePermission):
    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return bool(obj.owner_id == request.user.id)


class NoteViewSet(CorsAPIViewMixin, viewsets.ModelViewSet):
    """Your own notes: session cookie or token; paginated, total in ``X-Total-Count``."""

    serializer_class = NoteSerializer
    # Spelled out rather than left to DEFAULT_* settings, which DRF binds when
    # it is imported. Token first: an anonymous request then gets 401 with
    # WWW-Authenticate rather than 403, and the page shows a 401 stays readable.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsOwner]
    pagination_class = CountedPagination
    # The class policy. Origins are inherited from REST_FRAMEWORK["CORS"] (the
    # page); this adds what the notes need: cookies, the header the page sends
    # with its edits, and the pagination total. Lists replace the defaults,
    # so allow_headers repeats the ones still wanted.
    cors = CorsPolicy(
        allow_credentials=True,
        allow_headers=["accept", "authorization", "content-type", "x-csrftoken", "x-demo-client"],
        expose_headers=["X-Total-Count"],
    )

    def get_queryset(self) -> QuerySet[Note]:
        return Note.objects.filter(owner_id=self.request.user.id)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(owner=self.request.user)

    # The per-action override: the public feed is readable from any origin,
    # without credentials. "*" with credentials would be refused by the checks.
    @cors_policy("public")
    @action(detail=False, permission_classes=[permissions.AllowAny])
    def public(self, request: Request) -> Response:
        """Everyone's public notes, paginated."""
        page = self.paginate_queryset(Note.objects.filter(public=True).select_related("owner"))
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class StatsThrottle(UserRateThrottle):
    scope = "stats"

    def get_rate(self) -> str | None:
        # DRF copies DEFAULT_THROTTLE_RATES onto the class at import time;
        # read the setting now, so it is the one in force (tests override it).
        rate: str | None = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return rate


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@throttle_classes([StatsThrottle])
# Below @api_view, DRF's convention for policy decorators (above works too).
# Retry-After is exposed so the page can read it on the 429.
@cors_policy(expose_headers=["Retry-After"])
def stats(request: Request) -> Response:
    """Counts of notes; three calls a minute."""
    return Response(
        {"notes": Note.objects.count(), "public": Note.objects.filter(public=True).count()}
    )


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@cors_policy(expose_headers=["X-Total-Count"])
def search(request: Request) -> Response:
    """Public notes whose title or body contains ``?q=``; the total in ``X-Total-Count``.

    GET only: any other method the policy allows (the global defaults allow
    them all) passes its preflight and gets DRF's 405, readable by the page.
    """
    query = request.query_params.get("q", "")
    notes = Note.objects.filter(public=True).filter(
        Q(title__icontains=query) | Q(body__icontains=query)
    )
    response = Response({"results": [note.title for note in notes[:20]]})
    response["X-Total-Count"] = str(notes.count())
    return response


@cors_policy("public")
def health(request: HttpRequest) -> HttpResponse:
    """A plain Django view with a named policy: any origin may check the API is up."""
    return JsonResponse({"status": "ok"})


# @cors_policy above @require_GET, so that without the middleware the decorator
# still sees the preflight (the middleware answers it first anyway) and adds the
# route's headers to the 405 that @require_GET returns for any other method.
# @csrf_exempt as DRF's own views are: a read-only API route has no cookie-
# authenticated write to protect, and Django's CSRF check would otherwise
# answer any other method with 403 (readable too) before @require_GET's 405.
@csrf_exempt
@cors_policy(expose_headers=["Content-Disposition"])
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The public notes as a JSON download; the page reads the file name it is given."""
    notes = list(Note.objects.filter(public=True).values("title", "body"))
    response = JsonResponse({"notes": notes})
    response["Content-Disposition"] = 'attachment; filename="public-notes.json"'
    return response


@cors_policy(expose_headers=["X-Served-By"])
async def clock(request: HttpRequest) -> HttpResponse:
    """An async Django view: the decorator serves it without a thread hop."""
    public = await Note.objects.filter(public=True).acount()
    response = JsonResponse({"public_notes": public})
    response["X-Served-By"] = "async view"
    return response


class PartnerFeed(CorsAPIView):
    """For a partner's site only: the named policy does not list the demo page."""

    cors = "partners"
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"partner_feed": []})


class EmbedWidget(CorsAPIView):
    """The embeddable widget's data: for the customer sites listed in the admin, no login."""

    cors = "embeds"
    authentication_classes: list[type] = []  # anonymous: no cookie, no token
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        titles = Note.objects.filter(public=True).values_list("title", flat=True)
        return Response({"widget": "public notes", "titles": list(titles[:5])})


class InternalMetrics(CorsAPIView):
    """Server-to-server only: no CORS header ever, not even from the middleware."""

    cors = CorsPolicy(enabled=False)
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"notes": Note.objects.count()})


@csrf_exempt  # read-only, as export() above
@require_GET
def version(request: HttpRequest) -> HttpResponse:
    """No policy of its own: the fallback middleware gives it the global defaults.

    GET only: another method passes its preflight (the global defaults allow
    it) and gets Django's 405, to which the middleware adds the CORS headers.
    """
    return JsonResponse({"drf_cors": drf_cors.__version__})


class Boom(CorsAPIView):
    """A deliberate 500: Django answers it, the middleware adds this route's headers."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("deliberate error: the page checks that a 500 stays readable")
