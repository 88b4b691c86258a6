"""``@cors_policy``: one decorator for function views, view classes and viewset actions.

It stamps where DRF reads (handlers, classes) and wraps only where nothing
else would serve CORS (plain Django function views). ``@api_view`` copies a
fixed list of attributes from the function it wraps, so below it the
decorator needs its own way through: the wrapper's docstring is a ``str``
whose ``__set_name__`` runs when ``@api_view`` builds its class with
``{'__doc__': func.__doc__}``, and puts ``CorsAPIViewMixin`` in that class's
bases. Tests pin both orders.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views import View
from rest_framework.request import Request
from rest_framework.views import APIView

from . import _engine, conf
from ._routes import SERVES, STAMP
from .apps import ensure_installed
from .conf import PolicySpec
from .policy import CompiledPolicy, CorsPolicy
from .views import CorsAPIViewMixin

F = TypeVar("F", bound=Callable[..., Any])

_USAGE = """Use it as one of:
    @cors_policy(allowed_origins=["https://app.example.com"])   # fields
    @cors_policy("partners")                                     # a name in POLICIES
    @cors_policy(CorsPolicy(...))                                # a policy object"""


@overload
def cors_policy(spec: str | CorsPolicy, /) -> Callable[[F], F]: ...
@overload
def cors_policy(**fields: Any) -> Callable[[F], F]: ...
def cors_policy(*args: Any, **fields: Any) -> Callable[[F], F]:
    """Attach a CORS policy to a view, a view class or a viewset action.

    Takes ``CorsPolicy``'s keywords, a policy name or a ``CorsPolicy``.
    Works below and above ``@api_view``, on sync and async Django views.
    """
    spec = _spec_from_args(args, fields)

    def decorator(target: F) -> F:
        ensure_installed(f"@cors_policy on {getattr(target, '__qualname__', target)!r}")
        applied: F = _apply(target, spec)
        return applied

    return decorator


def _spec_from_args(args: tuple[Any, ...], fields: dict[str, Any]) -> PolicySpec:
    if len(args) > 1 or (args and fields):
        raise TypeError(
            "@cors_policy takes either one policy (a name or a CorsPolicy) or "
            f"keyword fields, not both.\n{_USAGE}"
        )
    if not args:
        return CorsPolicy(**fields)
    (spec,) = args
    if isinstance(spec, (str, CorsPolicy)):
        return spec
    if callable(spec):
        raise TypeError(
            f"@cors_policy must be called: write @cors_policy(...), not @cors_policy.\n{_USAGE}"
        )
    raise TypeError(f"@cors_policy got {spec!r}.\n{_USAGE}")


def _apply(target: Any, spec: PolicySpec) -> Any:
    if isinstance(target, type):
        return _apply_to_class(target, spec)
    if isinstance(target, (staticmethod, classmethod, property)) or not callable(target):
        raise TypeError(
            f"@cors_policy cannot serve {target!r}. Put it on a function view, a "
            "view class or a viewset action (a plain method):\n"
            "    @cors_policy(...)\n    def list(self, request): ..."
        )
    cls = getattr(target, "cls", None)
    if isinstance(cls, type) and issubclass(cls, APIView):
        return _apply_to_view_function(target, cls, spec)
    if getattr(target, "view_class", None) is not None:
        view_class: Any = _apply_to_class(target.view_class, spec)
        return view_class.as_view(**getattr(target, "view_initkwargs", {}))
    if not hasattr(target, "__qualname__") or not hasattr(target, "__code__"):
        raise TypeError(f"@cors_policy cannot serve {target!r}: it is not a function.\n{_USAGE}")
    if _is_method(target):
        # A handler or viewset action: stamped, read by the mixin or the
        # middleware. Works above and below @action, which returns its function.
        setattr(target, STAMP, spec)
        return target
    return _wrap_function(target, spec)


def _is_method(func: Callable[..., Any]) -> bool:
    """Defined in a class body: ``Cls.name`` (``f.<locals>.name`` is a function)."""
    parts = func.__qualname__.split(".")
    return len(parts) > 1 and parts[-2] != "<locals>"


def _apply_to_class(cls: type, spec: PolicySpec) -> type:
    if issubclass(cls, CorsAPIViewMixin):
        if "cors" in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} sets `cors` in its body and has @cors_policy: keep one."
            )
        return type(cls.__name__, (cls,), _class_namespace(cls, spec))
    if issubclass(cls, APIView):
        return type(cls.__name__, (CorsAPIViewMixin, cls), _class_namespace(cls, spec))
    if issubclass(cls, View):
        return type(cls.__name__, (CorsViewMixin, cls), _class_namespace(cls, spec))
    raise TypeError(
        f"@cors_policy cannot serve the class {cls.__qualname__}: it is not a Django "
        "or DRF view. For DRF views, prefer the mixin:\n"
        f"    class {cls.__name__}(CorsAPIViewMixin, APIView):\n        cors = ..."
    )


def _class_namespace(cls: type, spec: PolicySpec) -> dict[str, Any]:
    return {
        "cors": spec,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
    }


def _apply_to_view_function(view: Any, cls: type[APIView], spec: PolicySpec) -> Any:
    """Above ``@api_view`` (or on ``as_view()``): rebuild the view with the mixin."""
    new_cls: Any = type(cls.__name__, (CorsAPIViewMixin, cls), _class_namespace(cls, spec))
    initkwargs = dict(getattr(view, "initkwargs", {}))
    actions = getattr(view, "actions", None)
    if actions is not None:
        return new_cls.as_view(actions, **initkwargs)
    return new_cls.as_view(**initkwargs)


class _UpgradeDoc(str):
    """The wrapper's ``__doc__``: when ``@api_view`` builds its class, adds the mixin."""

    spec: PolicySpec

    def __set_name__(self, owner: type, name: str) -> None:
        if (
            name == "__doc__"
            and issubclass(owner, APIView)
            and not issubclass(owner, CorsAPIViewMixin)
        ):
            owner.__bases__ = (CorsAPIViewMixin, *owner.__bases__)
            owner.cors = self.spec  # type: ignore[attr-defined]


def _wrap_function(func: F, spec: PolicySpec) -> F:
    """A plain Django function view (sync or async) that serves CORS itself."""

    def preflight(request: HttpRequest, policy: CompiledPolicy) -> HttpResponseBase | None:
        if policy.enabled and _engine.is_preflight(request.method, request.META):
            return _engine.preflight(request, policy, func.__qualname__)
        return None

    wrapper: Callable[..., Any]
    if iscoroutinefunction(func):

        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if isinstance(request, Request):  # pragma: no cover - DRF has no async api_view
                return await func(request, *args, **kwargs)
            policy = conf.compiled(spec)
            if policy.source is not None:
                await _sources_ready(request, policy)
            early = preflight(request, policy)
            if early is not None:
                return early
            response = await func(request, *args, **kwargs)
            _engine.finish(request, response, policy)
            return response

        wrapper = markcoroutinefunction(async_wrapper)
    else:

        def sync_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if isinstance(request, Request):  # inside @api_view: the mixin serves
                return func(request, *args, **kwargs)
            policy = conf.compiled(spec)
            early = preflight(request, policy)
            if early is not None:
                return early
            response = func(request, *args, **kwargs)
            _engine.finish(request, response, policy)
            return response

        wrapper = sync_wrapper
    functools.update_wrapper(wrapper, func)
    doc = _UpgradeDoc(func.__doc__ or "")
    doc.spec = spec
    wrapper.__doc__ = doc
    setattr(wrapper, STAMP, spec)
    setattr(wrapper, SERVES, True)
    return wrapper  # type: ignore[return-value]


class CorsViewMixin(View):
    """For plain Django class-based views decorated with ``@cors_policy``."""

    cors: PolicySpec = None
    _drf_cors_serves = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        policy = conf.compiled(self.cors)
        if policy.enabled and _engine.is_preflight(request.method, request.META):
            return self._preflight(request, policy)
        response: Any = super().dispatch(request, *args, **kwargs)
        if self.view_is_async:

            async def finish_later() -> HttpResponseBase:
                done: HttpResponseBase = await response
                await _sources_ready(request, policy)
                _engine.finish(request, done, policy)
                return done

            return finish_later()
        _engine.finish(request, response, policy)
        return response

    def _preflight(self, request: HttpRequest, policy: CompiledPolicy) -> Any:
        if not self.view_is_async:
            return _engine.preflight(request, policy, type(self).__qualname__)

        async def answer() -> HttpResponseBase:
            await _sources_ready(request, policy)
            return _engine.preflight(request, policy, type(self).__qualname__)

        return answer()


async def _sources_ready(request: HttpRequest, policy: CompiledPolicy) -> None:
    """Under ASGI: a due look at the policy's origins source, in a thread, before deciding."""
    if policy.source is not None and "HTTP_ORIGIN" in request.META:
        await policy.source.ready()
