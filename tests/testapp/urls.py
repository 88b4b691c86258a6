from django.urls import include, path
from rest_framework.routers import DefaultRouter

from drf_cors import CorsPolicy

from . import views

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/spy/", views.SpyView.as_view()),
    path("api/partner/", views.PartnerView.as_view()),
    path("api/disabled/", views.DisabledView.as_view()),
    path(
        "api/configured/",
        views.ConfigurableView.as_view(
            cors=CorsPolicy(allowed_origins=["https://configured.example"])
        ),
    ),
    path("api/plain-api/", views.PlainAPIView.as_view()),
    path("api/plain-post/", views.PlainPostView.as_view()),
    path("api/errors/", views.ErrorView.as_view()),
    path("api/stats-below/", views.stats_below),
    path("api/stats-above/", views.stats_above),
    path("api/health/", views.health),
    path("api/async-health/", views.async_health),
    path("api/decorated-boom/", views.decorated_boom),
    path("api/csrf/", views.csrf_protected),
    path("api/disabled-function/", views.disabled_function),
    path("api/plain/", views.plain),
    path("api/decorated-read-only/", views.decorated_read_only),
    path("api/plain-read-only/", views.plain_read_only),
    path("api/async-plain/", views.async_plain),
    path("api/plain-boom/", views.plain_boom),
    path("api/already-answered/", views.already_answered),
    path("api/decorated-class/", views.DecoratedAPIView.as_view()),
    path("api/cbv/", views.DjangoCBV.as_view()),
    path("api/async-cbv/", views.AsyncDjangoCBV.as_view()),
    path("api/method-policy/", views.MethodPolicyView.as_view()),
    path("api/throttled/", views.ThrottledView.as_view()),
    path("api/head-policy/", views.HeadPolicyView.as_view()),
    path("outside/plain/", views.plain),
]
