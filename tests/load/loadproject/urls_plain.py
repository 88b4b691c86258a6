"""The load project's routes without drf_cors (``settings_plain``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/items/", views.ItemsView.as_view()),
    path("api/items/<int:pk>/", views.ItemDetailView.as_view()),
    path("api/partners/", views.PartnerView.as_view()),
    path("api/public/", views.public),
    path("api/fallback/", views.FallbackView.as_view()),
    path("api/async/", views.async_view),
    path("api/async-fallback/", views.async_fallback),
    path("api/throttled/", views.ThrottledView.as_view()),
    path("api/boom/", views.BoomView.as_view()),
    path("api/disabled/", views.DisabledView.as_view()),
    path("api/feed/", views.FeedViewSet.as_view({"get": "list"})),
    path("api/feed/public/", views.FeedViewSet.as_view({"get": "public"})),
    path("api/slow/", views.slow),
    path("api/echo/", views.echo),
]
