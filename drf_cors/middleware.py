"""The fallback middleware: routes without a policy, Django's own 404/500/CSRF responses.

It answers a preflight first thing, before the rest of the middleware chain
(sessions, CSRF, authentication: each a thread hop under ASGI), with the
policy of the route the path resolves to (class attribute, action,
decorator). The path is resolved against ``request.urlconf`` if a middleware
above set it, else ``ROOT_URLCONF``; a path that resolves only later (a
middleware below sets the URLconf) is answered in ``process_view``. On the way
out it adds headers to any response not already handled: a view's 500, a CSRF
failure, Django's 404.
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

_ROUTE = "_drf_cors_route"


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
            # An async process_view keeps Django from running ours in a thread.
            self.process_view = self._aprocess_view  # type: ignore[method-assign, assignment]

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        answer = self._early_preflight(request)
        if answer is not None:
            return answer
        response = self.get_response(request)
        self._finish(request, response)  # type: ignore[arg-type]
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        answer = self._early_preflight(request)
        if answer is not None:
            return answer
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        self._finish(request, response)
        return response

    def _early_preflight(self, request: HttpRequest) -> HttpResponseBase | None:
        meta = request.META
        if not _engine.is_preflight(request.method, meta):
            return None
        route = self._resolve_route(request)
        if route is None:
            return None
        setattr(request, _ROUTE, route)
        return self._answer(request, route)

    @classmethod
    def _answer(cls, request: HttpRequest, route: _routes.Route) -> HttpResponseBase | None:
        meta = request.META
        policy = cls._policy(request, route, meta["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
        if policy is None or not policy.enabled:
            return None
        return _engine.preflight(meta, policy, request.path_info)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        route = _routes.route(view_func)
        setattr(request, _ROUTE, route)
        if route.serves or not _engine.is_preflight(request.method, request.META):
            return None
        return self._answer(request, route)

    async def _aprocess_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        return CorsMiddleware.process_view(self, request, view_func, view_args, view_kwargs)

    @staticmethod
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

    @staticmethod
    def _resolve_route(request: HttpRequest) -> _routes.Route | None:
        """The route of a request that ``process_view`` has not seen (yet).

        For an early preflight, and for a response a middleware below gave
        before ``process_view``: ``FetchFromCacheMiddleware`` answers a cache
        hit in ``process_request``, and without this a cached page of a route
        whose policy only the middleware applies would get the global
        defaults, granting origins its policy refuses.
        """
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
        return _routes.route(match.func)

    def _finish(self, request: HttpRequest, response: HttpResponseBase) -> None:
        if getattr(response, _engine.MARK, False):
            return
        route = getattr(request, _ROUTE, None)
        if route is None:
            route = self._resolve_route(request)
        policy = self._policy(request, route, request.method or "GET")
        if policy is None:
            return
        if _engine.has_header(response, "access-control-allow-origin"):
            # Someone else (a view, another library) already answered CORS.
            setattr(response, _engine.MARK, True)
            return
        _engine.finish(request.META.get("HTTP_ORIGIN"), response, policy)
