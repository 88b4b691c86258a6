"""System checks: every configuration mistake at ``manage.py check``, with a fix.

Settings, every ``POLICIES`` entry and every policy attached to a view found
in the URLconf go through the same validator as ``CorsPolicy(...)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

from . import conf
from ._validation import Problem, credentials_with_all_origins, validate_fields
from .defaults import GLOBAL_ONLY_KEYS, POLICY_KEYS

SETTING = 'REST_FRAMEWORK["CORS"]'
MIDDLEWARE = "drf_cors.middleware.CorsMiddleware"
#: Middleware that can answer before ours and so must come after it.
MUST_FOLLOW = (
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
)


def _message(problem: Problem, obj: Any = None) -> CheckMessage:
    kind = Error if problem.is_error else Warning
    return kind(problem.message, hint=problem.hint, obj=obj, id=f"drf_cors.{problem.id}")


def _setting_namer(prefix: str) -> Any:
    return lambda key: f"{prefix}[{key.upper()!r}]".replace("'", '"')


def settings_problems() -> Iterator[Problem]:
    raw = conf.user_settings()
    if not isinstance(raw, Mapping):
        yield Problem("E001", f"{SETTING} must be a dict, not {type(raw).__name__}.", "Use a dict.")
        return
    unknown = sorted(set(raw) - set(POLICY_KEYS) - set(GLOBAL_ONLY_KEYS), key=str)
    for key in unknown:
        yield Problem(
            "E002",
            f"{SETTING} has an unknown key {key!r}.",
            f"Known keys: {', '.join((*POLICY_KEYS, *GLOBAL_ONLY_KEYS))}.",
        )
    values = {key.lower(): raw[key] for key in POLICY_KEYS if key in raw}
    yield from validate_fields(values, _setting_namer(SETTING))
    if "URLS_REGEX" in raw:
        source = raw["URLS_REGEX"]
        try:
            re.compile(source)
        except (re.error, TypeError) as exc:
            yield Problem(
                "E009",
                f'{SETTING}["URLS_REGEX"] {source!r} is not a valid regular expression: {exc}.',
                "Use a pattern string such as r'^/api/'.",
            )
    yield from _policies_problems(raw.get("POLICIES", {}))


def _policies_problems(policies: object) -> Iterator[Problem]:
    if not isinstance(policies, Mapping):
        yield Problem(
            "E011",
            f'{SETTING}["POLICIES"] must be a dict of name -> dict, not {type(policies).__name__}.',
            'Write "POLICIES": {"partners": {"ALLOWED_ORIGINS": [...]}}.',
        )
        return
    for name, entry in policies.items():
        prefix = f'{SETTING}["POLICIES"][{name!r}]'
        if not isinstance(name, str) or not isinstance(entry, Mapping):
            yield Problem("E011", f"{prefix} must map a str name to a dict.", "Use a dict of keys.")
            continue
        for key in sorted(set(entry) - set(POLICY_KEYS), key=str):
            yield Problem(
                "E011",
                f"{prefix} has an unknown key {key!r}.",
                f"A policy may set: {', '.join(POLICY_KEYS)}.",
            )
        values = {key.lower(): entry[key] for key in POLICY_KEYS if key in entry}
        namer = _setting_namer(prefix)
        problems = list(validate_fields(values, namer))
        yield from problems
        merged = {**_global_bools(), **values}
        if (
            not any(p.id == "E005" for p in problems)
            and merged.get("allow_all_origins") is True
            and merged.get("allow_credentials") is True
        ):
            yield credentials_with_all_origins(namer)


def _global_bools() -> dict[str, Any]:
    raw = conf.user_settings()
    return {
        key.lower(): raw[key]
        for key in ("ALLOW_ALL_ORIGINS", "ALLOW_CREDENTIALS")
        if isinstance(raw, Mapping) and key in raw
    }


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [_message(p) for p in settings_problems()]


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        return [
            Warning(
                f"{MIDDLEWARE} is not in MIDDLEWARE: Django's own 404, 500 and CSRF "
                "responses, and routes without a policy, will lack CORS headers.",
                hint=f"Add {MIDDLEWARE!r} near the top of MIDDLEWARE.",
                id="drf_cors.W001",
            )
        ]
    position = middleware.index(MIDDLEWARE)
    return [
        Error(
            f"{MIDDLEWARE} comes after {name} in MIDDLEWARE; {name} can answer "
            "first and its responses would lack CORS headers.",
            hint=f"Move {MIDDLEWARE!r} above {name!r}.",
            id="drf_cors.E012",
        )
        for name in middleware[:position]
        if name in MUST_FOLLOW
    ]


def _patterns(patterns: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def route_specs(callback: Any) -> Iterator[tuple[str, Any, Any]]:
    """``(where, view spec, action spec)`` for every policy a view function carries."""
    from . import _routes

    route = _routes.Route(callback)
    name = getattr(route.cls, "__qualname__", getattr(callback, "__qualname__", repr(callback)))
    if route.func_spec is not conf.UNSET:
        yield name, route.func_spec, None
        return
    if route.cls is None or (not route.explicit and route.implemented is None):
        return
    for method in sorted(route.implemented or ()):
        view, action = _routes.specs(route.cls, route.override, route.actions, method)
        if route.explicit or action is not None:
            yield f"{name} ({method})", view, action


def check_views(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    seen: set[tuple[Any, Any]] = set()
    try:
        patterns = get_resolver().url_patterns
    except Exception:  # noqa: BLE001 - Django's own URL checks report this
        return []
    for path, callback in _patterns(patterns):
        for where, view, action in route_specs(callback):
            key = (view, action)
            if key in seen:
                continue
            seen.add(key)
            try:
                values = conf.effective_values(view, action)
            except ImproperlyConfigured as exc:
                messages.append(
                    Error(
                        f"{where} at {path!r}: {exc}",
                        hint='Define it in REST_FRAMEWORK["CORS"]["POLICIES"] or fix the name.',
                        obj=where,
                        id="drf_cors.E010",
                    )
                )
                continue
            if values["allow_all_origins"] is True and values["allow_credentials"] is True:
                messages.append(
                    _message(credentials_with_all_origins(lambda k: f"{k} (effective)"), where)
                )
    return messages
