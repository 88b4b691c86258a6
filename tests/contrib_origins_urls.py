"""The test URLconf plus Django's admin, for ``tests/test_contrib_origins.py``."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tests.testapp.urls")),
]
