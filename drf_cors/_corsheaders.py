"""What drf_cors knows about django-cors-headers: its settings, old names and defaults.

Read from django-cors-headers' own source and changelog (``conf.py``,
``checks.py``, ``middleware.py``, ``signals.py``; CHANGELOG 1.x to 4.x):

- :data:`SETTINGS`: every name its ``conf.py`` reads, in drf_cors' key order,
  with the drf_cors key it becomes and the old name it falls back to. 3.5
  renamed three settings and kept the old names as aliases; the new name wins
  when both are set (``getattr(settings, new, getattr(settings, old, ...))``).
- :data:`REMOVED`: names it once read and its system checks still refuse.
- Its app label, its middleware (:func:`is_middleware` also knows subclasses),
  and the receivers of its ``check_request_enabled`` signal (:func:`receivers`).

Only those names count: a project's own ``CORS_SOMETHING`` setting is not
django-cors-headers' and is left alone. Used by the checks (``drf_cors.W012``,
``drf_cors.E024``) and by ``cors_migrate``; django-cors-headers need not be
installed (it is imported only to find receivers and middleware subclasses,
and every such import is guarded).
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Iterable
from typing import Any, Final, NamedTuple

APP: Final = "corsheaders"
MIDDLEWARE: Final = "corsheaders.middleware.CorsMiddleware"
#: ``corsheaders.defaults`` (4.0 removed accept-encoding, dnt and origin:
#: forbidden request headers, which no script can set).
DEFAULT_METHODS: Final = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
DEFAULT_HEADERS: Final = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)


class Setting(NamedTuple):
    name: str
    key: str
    default: Any
    alias: str | None = None


SETTINGS: Final = (
    Setting("CORS_ALLOWED_ORIGINS", "ALLOWED_ORIGINS", (), "CORS_ORIGIN_WHITELIST"),
    Setting(
        "CORS_ALLOWED_ORIGIN_REGEXES", "ALLOWED_ORIGIN_REGEXES", (), "CORS_ORIGIN_REGEX_WHITELIST"
    ),
    Setting("CORS_ALLOW_ALL_ORIGINS", "ALLOW_ALL_ORIGINS", False, "CORS_ORIGIN_ALLOW_ALL"),
    Setting("CORS_ALLOW_CREDENTIALS", "ALLOW_CREDENTIALS", False),
    Setting("CORS_ALLOW_METHODS", "ALLOW_METHODS", DEFAULT_METHODS),
    Setting("CORS_ALLOW_HEADERS", "ALLOW_HEADERS", DEFAULT_HEADERS),
    Setting("CORS_EXPOSE_HEADERS", "EXPOSE_HEADERS", ()),
    Setting("CORS_PREFLIGHT_MAX_AGE", "PREFLIGHT_MAX_AGE", 86400),
    Setting("CORS_ALLOW_PRIVATE_NETWORK", "ALLOW_PRIVATE_NETWORK", False),
    Setting("CORS_URLS_REGEX", "URLS_REGEX", r"^.*$"),
)

#: Removed settings, with what replaces them (both have no drf_cors key).
REMOVED: Final = {
    "CORS_MODEL": (
        "removed from django-cors-headers in 3.0 (its check refuses it); to keep allowed "
        "origins in a model, point ALLOWED_ORIGINS_SOURCE at a function that reads it"
    ),
    "CORS_REPLACE_HTTPS_REFERER": (
        "removed from django-cors-headers in 4.0; Django's CSRF_TRUSTED_ORIGINS is what lets "
        "a cross-origin POST pass the CSRF check"
    ),
}

#: Every name django-cors-headers reads or refuses, old aliases included.
NAMES: Final = (
    *(s.name for s in SETTINGS),
    *(s.alias for s in SETTINGS if s.alias),
    *REMOVED,
)


def in_force(settings: Any) -> list[str]:
    """The django-cors-headers settings that are set, in :data:`NAMES` order."""
    return [name for name in NAMES if _has(settings, name)]


def _has(settings: Any, name: str) -> bool:
    try:
        getattr(settings, name)
    except AttributeError:
        return False
    return True


class Found(NamedTuple):
    """The settings in force: ``values`` by current name, as django-cors-headers reads them."""

    values: dict[str, Any]
    #: current name -> the name its value was read from (itself, or the old alias).
    source: dict[str, str]
    #: (alias, name): both set; django-cors-headers reads ``name`` and ignores ``alias``.
    shadowed: list[tuple[str, str]]
    removed: list[str]


def read(settings: Any) -> Found:
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    shadowed: list[tuple[str, str]] = []
    for setting in SETTINGS:
        names = [setting.name] + ([setting.alias] if setting.alias else [])
        present = [name for name in names if _has(settings, name)]
        if present:
            values[setting.name] = getattr(settings, present[0])
            source[setting.name] = present[0]
        if len(present) == 2:
            shadowed.append((present[1], present[0]))
    return Found(values, source, shadowed, [name for name in REMOVED if _has(settings, name)])


def receivers() -> list[str]:
    """``module.qualname`` of each live receiver of ``check_request_enabled``.

    Empty when django-cors-headers is not installed. Each truthy answer of a
    receiver allowed the request's origin, and covered its path.
    """
    try:
        signal = importlib.import_module("corsheaders.signals").check_request_enabled
        entries = list(signal.receivers)
    except Exception:  # noqa: BLE001 - not installed, or a changed signal internals
        return []
    found = []
    for entry in entries:
        try:
            receiver = entry[1]
            if isinstance(receiver, weakref.ReferenceType):
                receiver = receiver()
        except Exception:  # noqa: BLE001 - Django's private tuple layout changed
            continue
        if receiver is None:
            continue
        module = getattr(receiver, "__module__", None) or "?"
        name = getattr(receiver, "__qualname__", None) or type(receiver).__qualname__
        found.append(f"{module}.{name}")
    return found


def is_middleware(path: object) -> bool:
    """Whether a ``MIDDLEWARE`` entry is django-cors-headers' middleware or a subclass of it."""
    if path == MIDDLEWARE:
        return True
    if not isinstance(path, str) or path.startswith("drf_cors.") or "." not in path:
        return False
    try:
        theirs = importlib.import_module("corsheaders.middleware").CorsMiddleware
        module, _, name = path.rpartition(".")
        found = getattr(importlib.import_module(module), name)
        return isinstance(found, type) and issubclass(found, theirs)
    except Exception:  # noqa: BLE001 - not installed, or an entry that does not import
        return False


def middleware_in(middleware: Iterable[object]) -> list[str]:
    return [str(path) for path in middleware if is_middleware(path)]
