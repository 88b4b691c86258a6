"""The only reader of ``REST_FRAMEWORK["CORS"]``, and the compiled-policy cache.

Settings are read and compiled on first use, then served from a dict until
``setting_changed`` fires for ``REST_FRAMEWORK`` (``override_settings`` in
tests), which empties the cache. Nothing is bound at import time.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from . import _sources
from ._validation import inherit
from .defaults import DEFAULTS, ORIGIN_KEYS, POLICY_KEYS
from .policy import UNSET, CompiledPolicy, CorsPolicy, deny_all

logger = logging.getLogger("drf_cors")

#: What a view, an action or a decorator may name as its policy.
PolicySpec: TypeAlias = CorsPolicy | str | None

_compiled: dict[tuple[PolicySpec, PolicySpec], CompiledPolicy] = {}
_state: dict[str, Any] = {}
#: Bumped by :func:`clear`. A value built from settings is cached only if no
#: ``clear()`` ran while it was built: a request that read the old settings
#: while ``override_settings`` swapped them must not cache the old policy
#: after the cache was emptied (it would be served until the next change).
_generation = 0
_lock = threading.Lock()


def generation() -> int:
    return _generation


def remember(cache: dict[Any, Any], key: Any, value: Any, since: int) -> None:
    """``cache[key] = value`` unless the settings changed since generation ``since``."""
    with _lock:
        if since == _generation:
            cache[key] = value


def user_settings() -> Any:
    """``REST_FRAMEWORK["CORS"]`` exactly as written (``{}`` when absent)."""
    rest_framework = getattr(settings, "REST_FRAMEWORK", None) or {}
    if not isinstance(rest_framework, Mapping):
        return {}
    return rest_framework.get("CORS", {})


def global_values() -> dict[str, Any]:
    """The global defaults by lower-case key, user settings over ``DEFAULTS``."""
    values = _state.get("global")
    if values is None:
        since = _generation
        raw = user_settings()
        if not isinstance(raw, Mapping):
            raise ImproperlyConfigured('REST_FRAMEWORK["CORS"] must be a dict.')
        values = {key.lower(): raw.get(key, DEFAULTS[key]) for key in POLICY_KEYS}
        values["enabled"] = True
        remember(_state, "global", values, since)
    return values


def named_policy(name: str) -> CorsPolicy:
    """``POLICIES[name]`` as a ``CorsPolicy``; ``ImproperlyConfigured`` if absent."""
    policies = _state.get("policies")
    if policies is None:
        since = _generation
        raw = user_settings()
        policies = raw.get("POLICIES", {}) if isinstance(raw, Mapping) else {}
        policies = policies if isinstance(policies, Mapping) else {}
        remember(_state, "policies", policies, since)
    try:
        entry = policies[name]
    except KeyError:
        raise ImproperlyConfigured(
            f'CORS policy {name!r} is not defined in REST_FRAMEWORK["CORS"]["POLICIES"].'
        ) from None
    if not isinstance(entry, Mapping):
        raise ImproperlyConfigured(f'REST_FRAMEWORK["CORS"]["POLICIES"][{name!r}] must be a dict.')
    unknown = sorted(set(entry) - set(POLICY_KEYS))
    if unknown:
        raise ImproperlyConfigured(
            f'REST_FRAMEWORK["CORS"]["POLICIES"][{name!r}] has unknown keys {unknown}.'
        )
    return CorsPolicy(**{key.lower(): value for key, value in entry.items()})


def urls_regex() -> re.Pattern[str]:
    pattern = _state.get("urls_regex")
    if pattern is None:
        since = _generation
        raw = user_settings()
        source = raw.get("URLS_REGEX", DEFAULTS["URLS_REGEX"]) if isinstance(raw, Mapping) else ""
        try:
            pattern = re.compile(source)
        except (re.error, TypeError):
            logger.error(
                "drf_cors: URLS_REGEX %r is invalid; the middleware covers no path.", source
            )
            pattern = re.compile(r"(?!)")
        remember(_state, "urls_regex", pattern, since)
    return pattern


#: ``URLS_REGEX`` values that cover every path: no match needed per request.
_EVERY_PATH: Final = frozenset({"", "^", ".*", "^.*", "^.*$", r"^.*\Z", ".*$"})


def fallback(path: str) -> CompiledPolicy | None:
    """The middleware's own policy (the global defaults) if ``URLS_REGEX`` covers ``path``."""
    found = _state.get("fallback")
    if found is None:
        since = _generation
        raw = user_settings()
        source = raw.get("URLS_REGEX", DEFAULTS["URLS_REGEX"]) if isinstance(raw, Mapping) else ""
        found = (None if source in _EVERY_PATH else urls_regex(), compiled(None))
        remember(_state, "fallback", found, since)
    pattern, policy = found
    if pattern is None or pattern.match(path):
        return policy
    return None


def describe(spec: PolicySpec) -> str:
    if spec is None:
        return "the global defaults"
    if isinstance(spec, str):
        return f"policy {spec!r}"
    return repr(spec)


#: Key of ``effective_values``' result: the ``POLICIES`` name the origin keys
#: were written in (``None``: the global defaults or a ``CorsPolicy``). A source
#: that serves per policy (``for_policy``) is bound to it.
ORIGINS_SCOPE = "origins_scope"


def effective_values(view: PolicySpec, action: PolicySpec = None) -> dict[str, Any]:
    """The fields of a route after inheritance (action > view > global).

    A named policy stands on its own over the global defaults, wherever it is
    named. The origin keys are inherited as one field (``_validation.inherit``).
    Raises ``ImproperlyConfigured`` for an unknown name.
    """
    values = {**global_values(), ORIGINS_SCOPE: None}
    for spec in (view, action):
        if spec is None:
            continue
        if isinstance(spec, str):
            explicit = named_policy(spec).explicit()
            values = inherit({**global_values(), ORIGINS_SCOPE: None}, explicit)
            if _ORIGIN_FIELDS & explicit.keys():
                values[ORIGINS_SCOPE] = spec
        elif isinstance(spec, CorsPolicy):
            explicit = spec.explicit()
            values = inherit(values, explicit)
            if _ORIGIN_FIELDS & explicit.keys():
                values[ORIGINS_SCOPE] = None
        else:
            raise ImproperlyConfigured(
                f"A CORS policy must be a CorsPolicy, the name of a policy in POLICIES, "
                f"or None; got {spec!r}."
            )
    return values


_ORIGIN_FIELDS = frozenset(key.lower() for key in ORIGIN_KEYS)


def _global_setting(key: str, valid: Callable[[Any], bool]) -> Any:
    """A global-only key, or its default (logged once) when it is not valid."""
    value = _state.get(key)
    if value is None:
        since = _generation
        raw = user_settings()
        value = raw.get(key, DEFAULTS[key]) if isinstance(raw, Mapping) else DEFAULTS[key]
        if not valid(value):
            logger.error(
                'drf_cors: REST_FRAMEWORK["CORS"][%r] is %r; using %r.', key, value, DEFAULTS[key]
            )
            value = DEFAULTS[key]
        remember(_state, key, value, since)
    return value


def valid_refresh(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def origins_refresh() -> int:
    """``ORIGINS_REFRESH``: seconds between two looks at a source (or the shared cache)."""
    refresh: int = _global_setting("ORIGINS_REFRESH", valid_refresh)
    return refresh


def origins_cache() -> str:
    """``ORIGINS_CACHE``: the cache alias through which processes share sources."""
    alias: str = _global_setting("ORIGINS_CACHE", lambda v: isinstance(v, str) and bool(v))
    return alias


def _source(values: Mapping[str, Any]) -> _sources.Source | None:
    value = values.get("allowed_origins_source")
    if value is None or values["allow_all_origins"] is True:
        return None
    return _sources.source_for(value, values[ORIGINS_SCOPE], origins_refresh(), origins_cache())


def configured_sources() -> list[_sources.Source]:
    """Every source the settings name, written in code (``CorsPolicy``), or already in use."""
    found = {id(s): s for s in _sources.known()}
    raw = user_settings()
    raw = raw if isinstance(raw, Mapping) else {}
    candidates: list[tuple[Any, str | None]] = [(raw.get("ALLOWED_ORIGINS_SOURCE"), None)]
    policies = raw.get("POLICIES", {})
    if isinstance(policies, Mapping):
        candidates += [
            (entry.get("ALLOWED_ORIGINS_SOURCE"), name)
            for name, entry in policies.items()
            if isinstance(entry, Mapping) and isinstance(name, str)
        ]
    candidates += _sources.declared()
    for value, scope in candidates:
        if value is not None and (isinstance(value, str) or callable(value)):
            source = _sources.source_for(value, scope, origins_refresh(), origins_cache())
            found[id(source)] = source
    return list(found.values())


def refresh_origins() -> None:
    """Read every origins source now: this process serves the result at once, and
    publishes it through ``ORIGINS_CACHE`` to the others (within ``ORIGINS_REFRESH``).

    Call it after the data behind a source changed, once the change is committed
    (``transaction.on_commit``). It never raises because a source or the cache
    fails: those are logged, and the last good origins stay in force.
    """
    try:
        _import_urlconf()
        sources = configured_sources()
    except Exception:
        logger.exception("drf_cors: refresh_origins() could not list the origins sources.")
        sources = _sources.known()
    _sources.refresh(sources)


def _import_urlconf() -> None:
    """Views' ``CorsPolicy(allowed_origins_source=...)`` are declared when imported."""
    from importlib import import_module

    urlconf = getattr(settings, "ROOT_URLCONF", None)
    if isinstance(urlconf, str):
        import_module(urlconf)


def compiled(view: PolicySpec, action: PolicySpec = None) -> CompiledPolicy:
    """The compiled effective policy for a route; built once, then cached.

    A policy that cannot be served (unknown name, credentials with all
    origins after inheritance, broken settings) is replaced by one that grants
    nothing, and the reason is logged once at ERROR: the system checks report
    it at startup; a running site keeps serving, never with a wider grant.
    """
    key = (view, action)
    try:
        policy = _compiled.get(key)
    except TypeError:  # an unhashable ``cors`` value, e.g. a dict: refused below
        key, policy = ("<unhashable>", repr(view), repr(action)), None  # type: ignore[assignment]
    if policy is None:
        since = _generation
        label = describe(action if action is not None else view)
        try:
            values = effective_values(view, action)
            if values["allow_all_origins"] is True and values["allow_credentials"] is True:
                raise ImproperlyConfigured(
                    f"{label} combines allow_credentials with allow_all_origins after "
                    "inheritance; it is refused."
                )
            policy = CompiledPolicy(values, label, source=_source(values))
        except (ImproperlyConfigured, KeyError, TypeError, ValueError, re.error) as exc:
            logger.error("drf_cors: %s cannot be served and grants nothing: %s", label, exc)
            policy = deny_all(label, str(exc))
        remember(_compiled, key, policy, since)
    return policy


#: What else caches values derived from settings (``_routes``' memos...):
#: each registers its own ``clear`` here, so this module imports none of them.
_dependents: list[Callable[[], None]] = []


def on_clear(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` whenever the settings change; usable as a decorator."""
    _dependents.append(callback)
    return callback


def clear() -> None:
    global _generation
    with _lock:
        _generation += 1
        _compiled.clear()
        _state.clear()
    _sources.clear()
    for callback in _dependents:
        callback()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("REST_FRAMEWORK", "ROOT_URLCONF", "DEBUG", "CACHES"):
        clear()


__all__ = ["UNSET", "PolicySpec", "compiled", "effective_values", "global_values", "urls_regex"]
