"""Finding a route's policy: from a view instance (the mixin) or a resolved view (the middleware).

A policy can sit on a view class (``cors``), on ``as_view(cors=...)`` or
``@action(cors=...)`` initkwargs, on a handler (``@cors_policy`` stamps it),
or on a decorated function. Both adapters ask the same two questions here, so
a 500 seen by the middleware gets exactly the policy the view would have sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from . import conf
from .conf import PolicySpec
from .policy import UNSET, CompiledPolicy

#: Attribute ``@cors_policy`` sets on handlers and wrapped functions.
STAMP: Final = "_drf_cors_policy"
#: Attribute on callables and classes that answer CORS themselves.
SERVES: Final = "_drf_cors_serves"


def handler_spec(cls: type, action_map: Mapping[str, str] | None, method: str) -> PolicySpec:
    """The policy on the handler ``method`` reaches (``@cors_policy`` or ``@action(cors=)``)."""
    name: str | None
    lowered = method.lower()
    if action_map is not None:
        name = action_map.get(lowered)
        if name is None and lowered == "head":
            # DRF adds "head" to a route's action map only on its first request.
            name = action_map.get("get")
        if name is None:
            return _unmapped_spec(cls, action_map)
    elif lowered in getattr(cls, "http_method_names", ()):
        name = "get" if lowered == "head" and not hasattr(cls, "head") else lowered
    else:
        name = None
    if name is None:
        return None
    return _handler_policy(cls, name)


def _handler_policy(cls: type, name: str) -> PolicySpec:
    handler = getattr(cls, name, None)
    stamped: PolicySpec = getattr(handler, STAMP, None)
    return stamped if stamped is not None else _action_kwarg(handler)


def _unmapped_spec(cls: type, action_map: Mapping[str, str]) -> PolicySpec:
    """The policy of a method the route does not map (DRF answers it 405).

    A route whose handlers all carry one policy (an extra action's route) is
    that policy's, so the 405 and its preflight get it; a route whose
    handlers differ (list + create, retrieve + update) falls back to the class's.
    """
    found = {hashable_key(_handler_policy(cls, name)) for name in set(action_map.values())}
    if len(found) != 1:
        return None
    return _handler_policy(cls, next(iter(action_map.values())))


def hashable_key(spec: object) -> object:
    """``spec`` itself as a dict key, or its id when it cannot be one.

    Policies are hashable (frozen); a broken ``cors`` value (a dict) may not be.
    """
    try:
        hash(spec)
    except TypeError:
        return id(spec)
    return spec


def _action_kwarg(handler: Any) -> PolicySpec:
    kwargs = getattr(handler, "kwargs", None)
    return kwargs.get("cors") if isinstance(kwargs, dict) else None


def specs(
    cls: type, override: Any, action_map: Mapping[str, str] | None, method: str
) -> tuple[PolicySpec, PolicySpec]:
    """``(view spec, action spec)`` for a request; ``override`` is the initkwargs ``cors``.

    ``@action(cors=X)`` reaches the instance through initkwargs as well; then
    ``X`` is the policy of the whole route (every method the router mapped to
    it, and a plain ``OPTIONS``) as an action policy, and the class attribute
    stays the view's. Any other override (``as_view(cors=...)``) is the view's.
    """
    action = handler_spec(cls, action_map, method)
    view: PolicySpec = getattr(cls, "cors", None)
    if override is UNSET:
        return view, action
    if action_map is not None and any(
        _action_kwarg(getattr(cls, name, None)) is override for name in action_map.values()
    ):
        return view, (action if action is not None else override)
    return override, action


class Route:
    """What the middleware knows of a resolved view function; built once per view."""

    __slots__ = (
        "_by_method",
        "actions",
        "cls",
        "explicit",
        "func_spec",
        "override",
        "serves",
    )

    def __init__(self, view_func: Callable[..., Any]) -> None:
        cls = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        initkwargs = (
            getattr(view_func, "initkwargs", None)
            or getattr(view_func, "view_initkwargs", None)
            or {}
        )
        self.cls: type | None = cls if isinstance(cls, type) else None
        self.serves = bool(getattr(view_func, SERVES, False) or getattr(self.cls, SERVES, False))
        self.override = initkwargs.get("cors", UNSET)
        self.actions: Mapping[str, str] | None = getattr(view_func, "actions", None)
        self.func_spec: Any = getattr(view_func, STAMP, UNSET)
        self.explicit = (
            self.serves
            or self.func_spec is not UNSET
            or self.override is not UNSET
            or (self.cls is not None and hasattr(self.cls, "cors"))
        )
        #: ``policy()``'s answers: it reads only this route and the compiled
        #: cache, and both are dropped together on ``setting_changed``.
        self._by_method: dict[str, CompiledPolicy | None] = {}

    def policy(self, method: str) -> CompiledPolicy | None:
        """The route's explicit policy for ``method``, or ``None`` (global, if covered)."""
        try:
            return self._by_method[method]
        except KeyError:
            pass
        since = conf.generation()
        policy = self._policy(method)
        # Any string can arrive as a method: remember only a bounded few; and
        # never a policy read from settings that changed meanwhile.
        if len(self._by_method) < 16:
            conf.remember(self._by_method, method, policy, since)
        return policy

    def _policy(self, method: str) -> CompiledPolicy | None:
        if self.func_spec is not UNSET:
            return conf.compiled(self.func_spec)
        if self.cls is None:
            return conf.compiled(None) if self.explicit else None
        view, action = specs(self.cls, self.override, self.actions, method)
        if action is None and not self.explicit:
            return None
        return conf.compiled(view, action)


_routes: dict[Callable[..., Any], Route] = {}
#: ``(view class, method) -> policy`` for mixin views built without
#: ``as_view(cors=...)`` and without a viewset action map (a plain APIView):
#: their policy depends on nothing else, so ``specs()`` need not run on every
#: response. Dropped with the routes on ``setting_changed``.
_class_policies: dict[tuple[type, str], CompiledPolicy] = {}


def class_policy(cls: type, method: str) -> CompiledPolicy:
    """``conf.compiled(*specs(cls, UNSET, None, method))``, memoised."""
    key = (cls, method)
    policy = _class_policies.get(key)
    if policy is None:
        since = conf.generation()
        policy = conf.compiled(*specs(cls, UNSET, None, method))
        # Any string can arrive as a method: keep the memo bounded.
        if len(_class_policies) < 1024:
            conf.remember(_class_policies, key, policy, since)
    return policy


def route(view_func: Callable[..., Any]) -> Route:
    found = _routes.get(view_func)
    if found is None:
        found = _routes[view_func] = Route(view_func)
    return found


@conf.on_clear
def clear() -> None:
    _routes.clear()
    _class_policies.clear()
