"""The URLconf ``AltUrlconfMiddleware`` switches to for ``/alt/`` paths."""

from django.urls import path

from . import views

urlpatterns = [path("alt/plain/", views.plain)]
