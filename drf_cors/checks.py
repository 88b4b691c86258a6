"""System checks: every configuration mistake at ``manage.py check``, with a fix.

The global defaults, every ``POLICIES`` entry and every policy attached to a
view, viewset or action found in the URLconf go through the same validator as
``CorsPolicy(...)``; a combination (credentials with all origins...) is judged
after inheritance and reported where it is written. Ids: README, "System checks".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import _corsheaders, conf
from ._routes import hashable_key
from ._validation import Namer, Problem, validate_fields
from .defaults import DEFAULTS, GLOBAL_ONLY_KEYS, POLICY_KEYS
from .policy import CorsPolicy

SETTING = 'REST_FRAMEWORK["CORS"]'
MIDDLEWARE = "drf_cors.middleware.CorsMiddleware"
#: Middleware that can answer instead of the view (redirects, 403s, a locale
#: redirect of a 404) and so must come after ours, or its responses lack CORS
#: headers and the browser hides them from the script.
MUST_FOLLOW = (
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
)


#: Middleware that set ``request.urlconf`` (host and tenant routing) and so
#: must come before ours: its early preflight answer resolves the path against
#: the URLconf set by then, and would otherwise find ROOT_URLCONF's route (and
#: policy) at the same path.
MUST_PRECEDE = (
    "django_hosts.middleware.HostsRequestMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django_tenants.middleware.TenantMainMiddleware",
    "django_tenants.middleware.subfolder.TenantSubfolderMiddleware",
    "django_tenants.middleware.default.DefaultTenantMiddleware",
    "django_tenants.middleware.suspicious.SuspiciousTenantMiddleware",
    "tenant_schemas.middleware.TenantMiddleware",
)


def _sets_urlconf(name: str) -> bool:
    """``name`` is, or subclasses, a middleware of ``MUST_PRECEDE``."""
    if name in MUST_PRECEDE:
        return True
    try:
        cls = import_string(name)
    except ImportError:
        return False
    for known in MUST_PRECEDE:
        try:
            base = import_string(known)
        except ImportError:
            continue
        if isinstance(cls, type) and isinstance(base, type) and issubclass(cls, base):
            return True
    return False


def _message(problem: Problem, obj: Any = None) -> CheckMessage:
    kind = Error if problem.is_error else Warning
    return kind(problem.message, hint=problem.hint, obj=obj, id=f"drf_cors.{problem.id}")


def _setting_namer(prefix: str) -> Namer:
    return lambda key: f"{prefix}[{key.upper()!r}]".replace("'", '"')


def _close(key: object, known: tuple[str, ...], upper: bool = True) -> str:
    match = difflib.get_close_matches(str(key).upper() if upper else str(key), known, n=1)
    return f"Did you mean {match[0]!r}? " if match else ""


def settings_problems() -> Iterator[Problem]:
    """Problems in ``REST_FRAMEWORK["CORS"]`` and its ``POLICIES``."""
    raw = conf.user_settings()
    if not isinstance(raw, Mapping):
        yield Problem("E001", f"{SETTING} must be a dict, not {type(raw).__name__}.", "Use a dict.")
        return
    known = (*POLICY_KEYS, *GLOBAL_ONLY_KEYS)
    for key in sorted(set(raw) - set(known), key=str):
        yield Problem(
            "E002",
            f"{SETTING} has an unknown key {key!r}; it is ignored.",
            f"{_close(key, known)}Known keys: {', '.join(known)}.",
        )
    values = {key.lower(): raw[key] for key in POLICY_KEYS if key in raw}
    yield from validate_fields(values, _setting_namer(SETTING))
    if "URLS_REGEX" in raw:
        yield from _urls_regex(raw["URLS_REGEX"])
    inherited = {key.lower(): raw.get(key, DEFAULTS[key]) for key in POLICY_KEYS}
    yield from _policies_problems(raw.get("POLICIES", {}), inherited)


def _urls_regex(source: object) -> Iterator[Problem]:
    name = f'{SETTING}["URLS_REGEX"]'
    if not isinstance(source, (str, re.Pattern)):
        yield Problem(
            "E001",
            f"{name} must be a regex string, not {type(source).__name__}.",
            "Use a pattern string such as r'^/api/'.",
        )
        return
    try:
        re.compile(source)
    except re.error as exc:
        yield Problem(
            "E009",
            f"{name} {source!r} is not a valid regular expression: {exc}.",
            "Fix the pattern, e.g. r'^/api/'; until then the middleware covers no path.",
        )


def _policies_problems(policies: object, inherited: Mapping[str, Any]) -> Iterator[Problem]:
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
            yield Problem(
                "E011",
                f"{prefix} must map a str name to a dict, not {type(entry).__name__}.",
                'Write "POLICIES": {"partners": {"ALLOWED_ORIGINS": [...]}}.',
            )
            continue
        for key in sorted(set(entry) - set(POLICY_KEYS), key=str):
            yield Problem(
                "E011",
                f"{prefix} has an unknown key {key!r}; the policy is refused.",
                f"{_close(key, POLICY_KEYS)}A policy may set: {', '.join(POLICY_KEYS)}.",
            )
        values = {key.lower(): entry[key] for key in POLICY_KEYS if key in entry}
        # A named policy stands on its own over the global defaults.
        yield from validate_fields(values, _setting_namer(prefix), inherited)


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
    messages: list[CheckMessage] = [
        Error(
            f"{MIDDLEWARE} comes after {name} in MIDDLEWARE; {name} can answer "
            "first and its responses would lack CORS headers.",
            hint=f"Move {MIDDLEWARE!r} above {name!r}.",
            id="drf_cors.E012",
        )
        for name in middleware[:position]
        if name in MUST_FOLLOW
    ]
    messages += [
        Error(
            f"{name} comes after {MIDDLEWARE} in MIDDLEWARE; it sets the request's URLconf "
            "(host or tenant routing), so a preflight drf_cors answers before it would be "
            "matched to ROOT_URLCONF's route at that path and get that route's policy.",
            hint=f"Move {name!r} above {MIDDLEWARE!r} (and CommonMiddleware below both).",
            id="drf_cors.E028",
        )
        for name in middleware[position + 1 :]
        if isinstance(name, str) and _sets_urlconf(name)
    ]
    return messages


def check_switching(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """What a switch from django-cors-headers leaves behind.

    Its middleware while drf_cors is installed is an error (E024): it answers
    every preflight itself, before any drf_cors view sees it, and overwrites
    the headers of drf_cors' responses with its own global policy. Its
    settings without its middleware are a warning (W012): nothing reads them,
    so whatever they allowed is silently not allowed any more.
    """
    middleware = getattr(settings, "MIDDLEWARE", None)
    if not isinstance(middleware, (list, tuple)):
        middleware = []  # Django's own checks report the setting itself
    theirs = _corsheaders.middleware_in(middleware)
    if theirs:
        also = "while drf_cors is used"
        if MIDDLEWARE in middleware:
            also = f"together with {MIDDLEWARE}"
        return [
            Error(
                f"{theirs[0]} (django-cors-headers) is in MIDDLEWARE {also}: two libraries "
                "answer CORS, so it answers preflights before drf_cors' policies see them and "
                "responses get duplicate or conflicting CORS headers.",
                hint=f"Remove {theirs[0]!r} from MIDDLEWARE and 'corsheaders' from "
                "INSTALLED_APPS; `python manage.py cors_migrate` translates its settings.",
                id="drf_cors.E024",
            )
        ]
    leftover = _corsheaders.in_force(settings)
    if not leftover:
        return []
    return [
        Warning(
            f"django-cors-headers settings are set, and drf_cors ignores them: "
            f"{', '.join(leftover)}.",
            hint='Run `python manage.py cors_migrate`: it prints the REST_FRAMEWORK["CORS"] '
            "that replaces them and what changes; then remove them.",
            id="drf_cors.W012",
        )
    ]


def view_problems() -> Iterator[tuple[Problem, str]]:
    """``(problem, where)`` for every policy attached to a view, viewset or action."""
    from .management import inventory

    seen: set[Any] = set()
    for endpoint in inventory.endpoints():
        found = endpoint.resolution
        levels = (
            (found.view_label, found.view, None, "view"),
            (found.where, found.action, found.view, "action"),
        )
        for where, spec, base, level in levels:
            key = (
                level,
                hashable_key(spec),
                hashable_key(base),
                where if isinstance(spec, str) else None,
            )
            if spec is None or key in seen:
                continue
            seen.add(key)
            yield from ((p, where) for p in _spec_problems(spec, base, where, level))


def _spec_problems(spec: Any, base: Any, where: str, level: str) -> Iterator[Problem]:
    if isinstance(spec, str):
        raw = conf.user_settings()
        policies = raw.get("POLICIES", {}) if isinstance(raw, Mapping) else None
        if not isinstance(policies, Mapping):
            return  # the settings check reports the broken setting itself
        if spec not in policies:
            defined = sorted(str(name) for name in policies)
            yield Problem(
                "E010",
                f'{where} names the CORS policy {spec!r}, which {SETTING}["POLICIES"] does '
                "not define; the route is served with a policy that grants nothing.",
                f"{_close(spec, tuple(defined), upper=False)}Define it in POLICIES or fix the name "
                f"(defined: {', '.join(map(repr, defined)) or 'none'}).",
            )
        return
    if not isinstance(spec, CorsPolicy):
        attribute = "@cors_policy" if level == "action" else "cors"
        yield Problem(
            "E001",
            f"{where} {attribute} is {spec!r}, not a CorsPolicy, a policy name or None.",
            "Write cors = CorsPolicy(...) or cors = 'name-in-POLICIES'.",
        )
        return
    try:
        inherited = conf.effective_values(base if _valid(base) else None)
    except ImproperlyConfigured:
        return  # the settings or the base's own name are reported on their own
    namer: Callable[[str], str] = lambda key: f"{where}'s {key}"  # noqa: E731
    yield from validate_fields(spec.explicit(), namer, inherited)


def _valid(spec: Any) -> bool:
    return spec is None or isinstance(spec, (str, CorsPolicy))


def check_views(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        found = list(view_problems())
    except Exception:  # noqa: BLE001 - a broken URLconf is Django's own check's to report
        return []
    return [_message(problem, where) for problem, where in found]
