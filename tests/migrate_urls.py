"""The URLconf of the migration tests: routes without a policy of their own, so the
middleware's global defaults (the migrated settings) decide, as django-cors-headers'
did; and nothing else for the system checks to report on."""

from django.urls import path

from tests.testapp import views

urlpatterns = [
    path("api/plain/", views.plain),
    path("outside/plain/", views.plain),
]
