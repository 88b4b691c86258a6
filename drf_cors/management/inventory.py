"""Every route of the URLconf with the policy that serves it, per method.

The system checks, ``cors_report`` and ``cors_explain`` all read routes
through here, and here reads them through ``_routes`` exactly as the mixin
and the middleware do, so what the tools say is what requests get.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from .. import _routes, conf
from ..policy import UNSET, CompiledPolicy, CorsPolicy

#: The order methods are listed in (then any others, alphabetically).
METHOD_ORDER: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

_GROUP = re.compile(r"\(\?P<(\w+)>")


@dataclass(frozen=True)
class Resolution:
    """Which policy serves one method of one route, and why.

    ``kind`` is ``"action"``, ``"view"``, ``"named"`` (a ``POLICIES`` entry),
    ``"global"`` (the global defaults), ``"disabled"``, ``"not covered"`` (no
    policy on the route and ``URLS_REGEX`` does not match it) or ``"invalid"``
    (``error`` says why; the route grants nothing).
    """

    kind: str
    view_label: str
    handler: str | None
    view: Any = None
    action: Any = None
    policy_name: str | None = None
    error: str | None = None

    @property
    def policy(self) -> CompiledPolicy | None:
        """The compiled policy requests get (``None``: no CORS headers at all)."""
        if self.kind == "not covered":
            return None
        return conf.compiled(self.view, self.action)

    @property
    def where(self) -> str:
        """``ArticleViewSet.update``, ``SpyView.get``, ``health``."""
        return f"{self.view_label}.{self.handler}" if self.handler else self.view_label

    @property
    def source(self) -> str:
        """Where the policy came from, in words: ``"policy 'partners' (action)"``."""
        if self.kind == "named":
            level = "action" if self.action is not None else "view"
            return f"policy {self.policy_name!r} ({level})"
        if self.kind == "global":
            return "global defaults"
        if self.kind == "invalid":
            return f"invalid: {self.error}"
        return self.kind


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern and the methods that share one resolution."""

    path: str
    name: str | None
    methods: tuple[str, ...]
    resolution: Resolution


def view_name(callback: Callable[..., Any]) -> str:
    """A readable name: ``ArticleViewSet``, ``stats_below`` (``@api_view``), ``health``."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if isinstance(cls, type):
        # @api_view names its class after the function but keeps the qualname.
        tail = cls.__qualname__.rsplit(".", 1)[-1]
        return cls.__qualname__ if tail == cls.__name__ else cls.__name__
    return str(getattr(callback, "__qualname__", None) or repr(callback))


def humanize(pattern: Any) -> str:
    """A URL pattern as a path: ``^articles/(?P<pk>[^/.]+)/$`` -> ``articles/<pk>/``."""
    text = str(pattern)
    if not isinstance(pattern, RegexPattern):
        return text
    text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    out: list[str] = []
    index = 0
    while index < len(text):
        found = _GROUP.match(text, index)
        if found is not None:
            # A named group becomes <name>; its own regex is skipped.
            out.append(f"<{found.group(1)}>")
            depth, index = 1, found.end()
            while index < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[index], 0)
                index += 2 if text[index] == "\\" else 1
        elif text[index] == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out).replace("/?", "/")


def url_patterns(urlconf: Any = None) -> Iterator[tuple[str, URLPattern]]:
    """``("/path/", pattern)`` for every pattern, includes flattened."""

    def walk(patterns: Any, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + humanize(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + humanize(pattern.pattern), pattern

    yield from walk(get_resolver(urlconf).url_patterns, "/")


def sample_path(path: str) -> str:
    """A concrete path for ``URLS_REGEX``: every ``<param>`` becomes ``1``."""
    return re.sub(r"<[^>]*>", "1", path)


def _valid_spec(spec: Any) -> bool:
    return spec is None or isinstance(spec, (str, CorsPolicy))


def resolve(route: _routes.Route | None, callback: Any, method: str, path: str) -> Resolution:
    """The policy the mixin, the decorator or the middleware uses for ``method``."""
    name = view_name(callback) if callback is not None else path
    view: Any = None
    action: Any = None
    handler = None
    if route is None:
        explicit = False
    elif route.func_spec is not UNSET:
        view, explicit = route.func_spec, True
    elif route.cls is not None:
        view, action = _routes.specs(route.cls, route.override, _actions(route), method)
        handler = handler_name(route, method)
        explicit = route.explicit or action is not None
    else:
        explicit = route.explicit
    if not explicit:
        kind = "global" if conf.urls_regex().match(sample_path(path)) else "not covered"
        return Resolution(kind, name, handler)
    deciding = action if action is not None else view
    named = deciding if isinstance(deciding, str) else None
    if not (_valid_spec(view) and _valid_spec(action)):
        bad = action if not _valid_spec(action) else view
        error = f"{bad!r} is not a CorsPolicy, a policy name or None"
        return Resolution("invalid", name, handler, view, action, named, error)
    try:
        values = conf.effective_values(view, action)
    except ImproperlyConfigured as exc:
        return Resolution("invalid", name, handler, view, action, named, str(exc))
    if values["allow_all_origins"] is True and values["allow_credentials"] is True:
        error = "credentials with all origins after inheritance"
        return Resolution("invalid", name, handler, view, action, named, error)
    if values.get("enabled") is False:
        kind = "disabled"
    elif named is not None:
        kind = "named"
    elif deciding is None:
        kind = "global"
    else:
        kind = "action" if action is not None else "view"
    return Resolution(kind, name, handler, view, action, named)


def handler_name(route: _routes.Route, method: str) -> str | None:
    """The handler ``method`` reaches: ``update`` on a viewset, ``get`` on a view."""
    lowered = method.lower()
    actions = _actions(route)
    if actions is not None:
        return actions.get(lowered)
    names = getattr(route.cls, "http_method_names", ())
    if lowered == "head" and not hasattr(route.cls, "head"):
        lowered = "get"
    return lowered if lowered in names and hasattr(route.cls, lowered) else None


def _actions(route: _routes.Route) -> Mapping[str, str] | None:
    """A viewset's action map as DRF completes it on the first request: HEAD is GET's."""
    actions = route.actions
    if actions is not None and "get" in actions and "head" not in actions:
        return {**actions, "head": actions["get"]}
    return actions


def implemented(route: _routes.Route | None) -> frozenset[str] | None:
    """The methods the route's view implements (``None``: it answers any method).

    Only reports use this: whether a preflight is granted depends on the
    policy alone, so a method the view lacks gets a readable 405.
    """
    if route is None or route.cls is None or not hasattr(route.cls, "http_method_names"):
        return None
    if route.actions is not None:
        names = {*route.actions, "options"}
    else:
        names = {m for m in route.cls.http_method_names if hasattr(route.cls, m)}
    if "get" in names:
        names.add("head")
    return frozenset(m.upper() for m in names)


def methods_of(route: _routes.Route) -> tuple[str, ...]:
    """The methods a route answers, in ``METHOD_ORDER``; ``()`` means any."""
    methods = implemented(route)
    if methods is None:
        return ()
    return tuple(sorted(methods, key=lambda m: (m not in METHOD_ORDER, _order(m), m)))


def _order(method: str) -> int:
    return METHOD_ORDER.index(method) if method in METHOD_ORDER else 0


def endpoints(urlconf: Any = None) -> list[Endpoint]:
    """Every URL pattern, split by method where the methods' policies differ."""
    found: list[Endpoint] = []
    for path, pattern in url_patterns(urlconf):
        route = _routes.Route(pattern.callback)
        methods = methods_of(route)
        rows: list[tuple[list[str], Resolution]] = []
        for method in methods or ("GET",):
            resolution = resolve(route, pattern.callback, method, path)
            key = _group_key(resolution)
            for listed, other in rows:
                if _group_key(other) == key:
                    listed.append(method)
                    break
            else:
                rows.append(([method], resolution))
        for listed, resolution in rows:
            found.append(Endpoint(path, pattern.name, tuple(listed) if methods else (), resolution))
    return found


def _group_key(resolution: Resolution) -> tuple[Any, ...]:
    handler = resolution.handler if resolution.action is not None else None
    return resolution.kind, resolution.view, resolution.action, handler
