"""The fallback middleware: routes without a policy, Django's own 404/500/CSRF responses.

It answers a preflight first thing, before the rest of the middleware chain
(sessions, CSRF, authentication: each a thread hop under ASGI), with the
policy of the route the path resolves to (class attribute, action,
decorator). The path is resolved against ``request.urlconf`` if a middleware
above set it (django-hosts, django-tenants: system check E028 keeps them
above), else ``ROOT_URLCONF``. On the way out it adds headers to any response
not already handled (a view's 500, a CSRF failure, Django's 404), finding the
route through ``request.resolver_match``, which Django sets when it resolves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from . import _engine, _routes, conf
from .apps import ensure_installed
from .policy import CompiledPolicy


class CorsMiddleware:
    """Sync and async capable; place it above ``CommonMiddleware`` and CSRF."""

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        ensure_installed("drf_cors.middleware.CorsMiddleware (in MIDDLEWARE)")
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        meta = request.META
        if (
            request.method == "OPTIONS"
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta
            and "HTTP_ORIGIN" in meta
        ):
            policy = _early_policy(request)
            if policy is not None:
                return _engine.preflight(request, policy, request.path_info)
        response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
        if getattr(response, _engine.MARK, False):
            return response  # a view with its own policy answered
        policy = _response_policy(request, response)
        return response if policy is None else _finish(request, response, policy)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        if (
            request.method == "OPTIONS"
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta
            and "HTTP_ORIGIN" in meta
        ):
            policy = _early_policy(request)
            if policy is not None:
                if policy.source is not None:
                    await policy.source.ready()  # a due look at the source, off the loop
                return _engine.preflight(request, policy, request.path_info)
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        if getattr(response, _engine.MARK, False):
            return response
        policy = _response_policy(request, response)
        if policy is None:
            return response
        if policy.source is not None and "HTTP_ORIGIN" in meta:
            await policy.source.ready()
        return _finish(request, response, policy)


def _early_policy(request: HttpRequest) -> CompiledPolicy | None:
    """The enabled policy that answers this preflight before the chain, if any."""
    route = _resolve_route(request)
    if route is None:
        return None
    policy = route.policy(request.META["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
    if policy is None:
        policy = conf.fallback(request.path_info)
    return policy if policy is not None and policy.enabled else None


def _response_policy(request: HttpRequest, response: HttpResponseBase) -> CompiledPolicy | None:
    """The policy for a response no view handled, or ``None`` to leave it alone."""
    match = request.resolver_match
    route = _routes.route(match.func) if match is not None else _resolve_route(request)
    policy = route.policy(request.method or "GET") if route is not None else None
    if policy is None:
        policy = conf.fallback(request.path_info)
        if policy is None:
            return None
    if _engine.has_header(response, "access-control-allow-origin"):
        # Someone else (a view, another library) already answered CORS.
        setattr(response, _engine.MARK, True)
        return None
    return policy


def _finish(
    request: HttpRequest, response: HttpResponseBase, policy: CompiledPolicy
) -> HttpResponseBase:
    if (
        policy.enabled
        and request.resolver_match is not None
        and _engine.is_preflight(request.method, request.META)
    ):
        # A preflight the early answer could not place (a middleware below
        # set the URLconf): it reached the view, but the browser still gets
        # the preflight answer of the route Django resolved.
        return _engine.preflight(request, policy, request.path_info)
    _engine.finish(request, response, policy)
    return response


#: ``(urlconf, path) -> route`` of the paths resolved here: preflights repeat
#: their paths, and resolving is most of what answering one costs. Bounded
#: (paths are the client's to choose) and emptied when the settings change.
_resolved: dict[tuple[Any, str], _routes.Route | None] = {}
_RESOLVED_MAX = 1024


@conf.on_clear
def _forget_resolved() -> None:
    _resolved.clear()


def _resolve_route(request: HttpRequest) -> _routes.Route | None:
    """The route of a request Django has not resolved (yet).

    For an early preflight, and for a response a middleware below gave before
    resolution: ``FetchFromCacheMiddleware`` answers a cache hit in
    ``process_request``, and without this a cached page of a route whose
    policy only the middleware applies would get the global defaults,
    granting origins its policy refuses.
    """
    # As Django's handler resolves: the request's URLconf, else ROOT_URLCONF
    # (read per request, as Django does: the key must follow it).
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    key = (urlconf, request.path_info)
    try:
        return _resolved[key]
    except KeyError:
        pass
    try:
        route: _routes.Route | None = _routes.route(resolve(request.path_info, urlconf).func)
    except Resolver404:
        route = None
    if len(_resolved) >= _RESOLVED_MAX:
        _resolved.clear()
    _resolved[key] = route
    return route
