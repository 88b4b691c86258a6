"""``CorsPolicy`` (what the user wrote) and ``CompiledPolicy`` (what requests read)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from . import _sources
from ._origins import OriginMatcher, parse_entry
from ._validation import validate_fields


class _Unset:
    """The sentinel of a field left unset: it inherits."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()

_LIST_FIELDS: Final = frozenset(
    {
        "allowed_origins",
        "allowed_origin_regexes",
        "allow_methods",
        "allow_headers",
        "expose_headers",
    }
)


@dataclass(frozen=True, repr=False, eq=True)
class CorsPolicy:
    """An immutable CORS policy; every field left unset inherits.

    An action's policy inherits from its view's, a view's from the global
    defaults in ``REST_FRAMEWORK["CORS"]``. Lists replace, they never merge.
    Building an invalid policy raises ``ImproperlyConfigured`` naming every
    problem, so a mistake fails at import time, not on a request.
    """

    allowed_origins: Iterable[str] | _Unset = UNSET
    allowed_origin_regexes: Iterable[str | re.Pattern[str]] | _Unset = UNSET
    allow_all_origins: bool | _Unset = UNSET
    allow_credentials: bool | _Unset = UNSET
    allow_methods: Iterable[str] | _Unset = UNSET
    allow_headers: Iterable[str] | _Unset = UNSET
    expose_headers: Iterable[str] | _Unset = UNSET
    preflight_max_age: int | _Unset = UNSET
    allow_private_network: bool | _Unset = UNSET
    #: A callable (or its dotted path) returning origins kept in data; see
    #: ``ALLOWED_ORIGINS_SOURCE``. One of the origin keys: inherited with them.
    allowed_origins_source: str | Callable[[], Any] | _Unset | None = UNSET
    #: ``False``: the route never sends CORS headers, the middleware included.
    #: Unset inherits; the global default is ``True``.
    enabled: bool | _Unset = UNSET
    _hash: int = field(init=False, compare=False, default=0)

    def __post_init__(self) -> None:
        for name in _LIST_FIELDS:
            value = getattr(self, name)
            # Lists become tuples: the policy is hashable and cannot change.
            if isinstance(value, (list, tuple)):
                object.__setattr__(self, name, tuple(value))
        problems = [p for p in validate_fields(self.explicit(), _kwarg_name) if p.is_error]
        if problems:
            raise ImproperlyConfigured(
                "Invalid CorsPolicy:\n" + "\n".join(f"- {p.message} {p.hint}" for p in problems)
            )
        object.__setattr__(self, "_hash", hash(tuple(self.explicit().items())))
        if self.allowed_origins_source:
            # So refresh_origins() knows it in a process that has not served it yet.
            _sources.declare(self.allowed_origins_source)

    def __hash__(self) -> int:
        # Computed once: the hot path keys its cache on policies.
        return self._hash

    def explicit(self) -> dict[str, Any]:
        """The fields this policy sets, by lower-case key."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.init and getattr(self, f.name) is not UNSET
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.explicit().items())
        return f"CorsPolicy({args})"


def _kwarg_name(key: str) -> str:
    return f"CorsPolicy({key}=...)"


def _validated(headers: dict[str, str]) -> dict[str, tuple[str, str]]:
    """``headers`` as ``ResponseHeaders`` stores them; ``BadHeaderError`` if one is invalid."""
    from django.http.response import ResponseHeaders

    store = getattr(ResponseHeaders(headers), "_store", None)
    return dict(store) if isinstance(store, dict) else {}


_PREFLIGHT_VARY: Final = (
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
)
_PREFLIGHT_VARY_PN: Final = (*_PREFLIGHT_VARY, "Access-Control-Request-Private-Network")


class CompiledPolicy:
    """The effective policy of a route, in the form the hot path reads.

    Invariants: ``star`` implies not ``credentials``; header values are
    pre-joined strings (``None`` when the header is not sent); ``source`` is
    ``None`` unless origins also come from ``ALLOWED_ORIGINS_SOURCE`` (and never
    with all origins allowed: then there is nothing to add).
    """

    __slots__ = (
        "any_header",
        "credentials",
        "enabled",
        "error",
        "expose_value",
        "headers",
        "headers_value",
        "label",
        "listed",
        "matcher",
        "max_age_value",
        "methods",
        "methods_order",
        "methods_value",
        "preflight_headers",
        "preflight_store",
        "private_network",
        "source",
        "star",
        "vary_preflight",
    )

    def __init__(
        self,
        values: Mapping[str, Any],
        label: str,
        error: str | None = None,
        source: _sources.Source | None = None,
    ) -> None:
        self.label = label
        self.error = error
        self.enabled: bool = values.get("enabled", True) is not False
        allow_all = bool(values["allow_all_origins"])
        self.matcher = OriginMatcher(
            (parse_entry(e) for e in values["allowed_origins"]),
            (re.compile(r) if isinstance(r, str) else r for r in values["allowed_origin_regexes"]),
            allow_all,
        )
        self.credentials = bool(values["allow_credentials"])
        self.star = allow_all and not self.credentials
        self.methods_order: tuple[str, ...] = tuple(dict.fromkeys(values["allow_methods"]))
        methods = set(self.methods_order)
        if "GET" in methods:
            methods.add("HEAD")  # Django answers HEAD with the GET handler
        self.methods = frozenset(methods)
        self.methods_value = ", ".join(self.methods_order)
        headers = [h.lower() for h in values["allow_headers"]]
        self.any_header = "*" in headers
        self.headers = frozenset(h for h in headers if h != "*")
        self.headers_value = ", ".join(dict.fromkeys(headers)) if headers else None
        expose = values["expose_headers"]
        self.expose_value = ", ".join(expose) if expose else None
        age = values["preflight_max_age"]
        self.max_age_value = str(age) if age else None
        self.private_network = bool(values["allow_private_network"])
        self.source = None if allow_all else source
        #: Whether ``matcher`` can allow anything (it cannot for a policy whose
        #: origins all come from its source).
        self.listed = bool(
            allow_all or self.matcher.exact or self.matcher.patterns or self.matcher.allow_all
        )
        #: A preflight answer varies on what decides it (Fetch, "CORS protocol and HTTP caches").
        self.vary_preflight = ", ".join(
            _PREFLIGHT_VARY_PN if self.private_network else _PREFLIGHT_VARY
        )
        #: The headers every granted preflight of this policy carries, whatever
        #: the request: written in one step (``Access-Control-Allow-Origin`` and,
        #: for ``"*"`` in ``allow_headers``, ``Access-Control-Allow-Headers``
        #: depend on the request and are added to them).
        constant = {"Vary": self.vary_preflight}
        if self.credentials:
            constant["Access-Control-Allow-Credentials"] = "true"
        constant["Access-Control-Allow-Methods"] = self.methods_value
        if not self.any_header and self.headers_value is not None:
            constant["Access-Control-Allow-Headers"] = self.headers_value
        if self.max_age_value is not None:
            constant["Access-Control-Max-Age"] = self.max_age_value
        constant["Content-Length"] = "0"
        self.preflight_headers = constant
        # Django's own validation (no newline, encodable), once: the engine
        # then copies these into each answer as they are.
        self.preflight_store = _validated(constant)
        if self.expose_value is not None:
            _validated({"Access-Control-Expose-Headers": self.expose_value})

    def allows(self, origin: str, request: HttpRequest | None) -> bool:
        """Whether ``origin`` is allowed: listed, matched, or given by the source.

        ``Source.allows`` inlined: a due look, then the snapshot's common
        matcher; these few calls are all a source adds to a request.
        """
        source = self.source
        if source is None:
            return self.matcher.allows(origin)
        # A policy whose origins all come from its source skips the empty matcher.
        if self.listed and self.matcher.allows(origin):
            return True
        if _sources._clock() >= source.due:
            source.check()
        snapshot = source.snapshot
        if snapshot is None:
            return False
        common = snapshot.common
        if common is not None and common.allows(origin):
            return True
        return snapshot.host_allows(origin, request)

    def __repr__(self) -> str:
        return f"<CompiledPolicy {self.label}>"


def deny_all(label: str, error: str) -> CompiledPolicy:
    """The policy served in place of a misconfigured one: it grants nothing."""
    values: dict[str, Any] = {
        "allowed_origins": (),
        "allowed_origin_regexes": (),
        "allow_all_origins": False,
        "allow_credentials": False,
        "allow_methods": (),
        "allow_headers": (),
        "expose_headers": (),
        "preflight_max_age": 0,
        "allow_private_network": False,
        "allowed_origins_source": None,
    }
    return CompiledPolicy(values, label, error)
