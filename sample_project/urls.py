from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .notes import auth, views

# The admin's "View site" link: the API's root (the site has no other page).
admin.site.site_url = "/api/"

router = DefaultRouter()
router.register("notes", views.NoteViewSet, basename="note")

urlpatterns = [
    # Outside URLS_REGEX (^/api/): the admin sends no CORS header at all.
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/stats/", views.stats, name="stats"),
    path("api/search/", views.search, name="search"),
    path("api/health/", views.health, name="health"),
    path("api/export/", views.export, name="export"),
    path("api/clock/", views.clock, name="clock"),
    path("api/partners/", views.PartnerFeed.as_view(), name="partners"),
    path("api/embed/", views.EmbedWidget.as_view(), name="embed"),
    path("api/internal/", views.InternalMetrics.as_view(), name="internal"),
    path("api/version/", views.version, name="version"),
    path("api/boom/", views.Boom.as_view(), name="boom"),
    path("api/auth/csrf/", auth.CsrfTokenView.as_view(), name="csrf"),
    path("api/auth/login/", auth.LoginView.as_view(), name="login"),
    path("api/auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("api/auth/me/", auth.MeView.as_view(), name="me"),
    path("api/auth/token/", auth.TokenView.as_view(), name="token"),
]
