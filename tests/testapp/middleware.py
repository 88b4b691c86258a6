"""Middleware for tests: a spy below drf_cors, and one that switches the URLconf."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import CALLS


class SpyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        CALLS.append("middleware")
        return self.get_response(request)


class AltUrlconfMiddleware:
    """Routes ``/alt/`` paths through ``tests.testapp.urls_alt``, as django-hosts would."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/alt/"):
            request.urlconf = "tests.testapp.urls_alt"
        return self.get_response(request)


try:
    from django_hosts.middleware import HostsRequestMiddleware
except ImportError:  # pragma: no cover - the dev extra installs django-hosts
    pass
else:

    class OwnHostsMiddleware(HostsRequestMiddleware):
        """A project's own subclass of django-hosts' middleware (system check E028)."""
