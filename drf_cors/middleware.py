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
        if _engine.is_preflight(request.method, request.META):
            policy = self._early_policy(request)
            if policy is not None:
                return _engine.preflight(request, policy, request.path_info)
        response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
        policy = self._response_policy(request, response)
        return response if policy is None else self._finish(request, response, policy)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if _engine.is_preflight(request.method, request.META):
            policy = self._early_policy(request)
            if policy is not None:
                if policy.source is not None:
                    await policy.source.ready()  # a due look at the source, off the loop
                return _engine.preflight(request, policy, request.path_info)
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        policy = self._response_policy(request, response)
        if policy is None:
            return response
        if policy.source is not None and "HTTP_ORIGIN" in request.META:
            await policy.source.ready()
        return self._finish(request, response, policy)

    def _early_policy(self, request: HttpRequest) -> CompiledPolicy | None:
        """The enabled policy that answers this preflight before the chain, if any."""
        route = _resolve_route(request)
        if route is None:
            return None
        policy = _policy(request, route, request.META["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
        return policy if policy is not None and policy.enabled else None

    @staticmethod
    def _response_policy(request: HttpRequest, response: HttpResponseBase) -> CompiledPolicy | None:
        """The policy for a response no view handled, or ``None`` to leave it alone."""
        if getattr(response, _engine.MARK, False):
            return None
        match = request.resolver_match
        route = _routes.route(match.func) if match is not None else _resolve_route(request)
        policy = _policy(request, route, request.method or "GET")
        if policy is not None and _engine.has_header(response, "access-control-allow-origin"):
            # Someone else (a view, another library) already answered CORS.
            setattr(response, _engine.MARK, True)
            return None
        return policy

    @staticmethod
    def _finish(
        request: HttpRequest, response: HttpResponseBase, policy: CompiledPolicy
    ) -> HttpResponseBase:
        if (
            policy.enabled
            and request.resolver_match is not None
            and _engine.is_preflight(request.method, request.META)
        ):
            # A preflight the early answer could not place (a middleware below
            # set the URLconf): it reached the view, but the browser still
            # gets the preflight answer of the route Django resolved.
            return _engine.preflight(request, policy, request.path_info)
        _engine.finish(request, response, policy)
        return response


def _policy(
    request: HttpRequest, route: _routes.Route | None, method: str
) -> CompiledPolicy | None:
    if route is not None:
        policy = route.policy(method)
        if policy is not None:
            return policy
    if conf.urls_regex().match(request.path_info):
        return conf.compiled(None)
    return None


def _resolve_route(request: HttpRequest) -> _routes.Route | None:
    """The route of a request Django has not resolved (yet).

    For an early preflight, and for a response a middleware below gave before
    resolution: ``FetchFromCacheMiddleware`` answers a cache hit in
    ``process_request``, and without this a cached page of a route whose
    policy only the middleware applies would get the global defaults,
    granting origins its policy refuses.
    """
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return _routes.route(match.func)
