"""The load project's routes with drf_cors, one way of attaching a policy per route.

The policies are mirrored, independently of drf_cors' code, by the oracle in
``tests/load/plan.py``: change one, change the other.
"""

from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIViewMixin, CorsPolicy, cors_policy

from . import views

PRIVATE = CorsPolicy(
    allowed_origins=["https://app.example.com", "https://*.example.org"],
    allow_credentials=True,
    expose_headers=["X-Total-Count"],
)


class ItemsView(CorsAPIViewMixin, views.ItemsView):
    cors = PRIVATE


class ItemDetailView(CorsAPIViewMixin, views.ItemDetailView):
    cors = PRIVATE


class PartnerView(CorsAPIViewMixin, views.PartnerView):
    cors = "partners"


class ThrottledView(CorsAPIViewMixin, views.ThrottledView):
    """The global defaults, through the mixin."""


class DisabledView(CorsAPIViewMixin, views.DisabledView):
    cors = CorsPolicy(enabled=False)


class FeedViewSet(CorsAPIViewMixin, views.FeedViewSet):
    cors = CorsPolicy(allowed_origins=["https://app.example.com"])

    @cors_policy("public")
    def public(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().public(request)


public = cors_policy("public")(views.public)
async_view = cors_policy(
    allowed_origins=["http://localhost:*"],
    allowed_origin_regexes=[r"https://pr-\d+\.preview\.example\.net"],
)(views.async_view)
BoomView = cors_policy(allowed_origins=["https://app.example.com"], allow_credentials=True)(
    views.BoomView
)

urlpatterns = [
    path("api/items/", ItemsView.as_view()),
    path("api/items/<int:pk>/", ItemDetailView.as_view()),
    path("api/partners/", PartnerView.as_view()),
    path("api/public/", public),
    path("api/fallback/", views.FallbackView.as_view()),
    path("api/async/", async_view),
    path("api/async-fallback/", views.async_fallback),
    path("api/throttled/", ThrottledView.as_view()),
    path("api/boom/", BoomView.as_view()),
    path("api/disabled/", DisabledView.as_view()),
    path("api/feed/", FeedViewSet.as_view({"get": "list"})),
    path("api/feed/public/", FeedViewSet.as_view({"get": "public"})),
    path("api/slow/", views.slow),
    path("api/echo/", views.echo),
]
