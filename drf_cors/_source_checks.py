"""System checks for ``ALLOWED_ORIGINS_SOURCE``, ``ORIGINS_REFRESH`` and ``ORIGINS_CACHE``.

Registered by ``apps.py`` with the others (``checks.py``). They import the
sources to see that they are callables, and never call them: a check never
queries the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from . import conf
from .policy import CorsPolicy

SETTING = 'REST_FRAMEWORK["CORS"]'
#: Cache backends that do not share anything between processes.
PER_PROCESS: Final = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def configured() -> Iterator[tuple[Any, str]]:
    """``(value, where)`` for every ``ALLOWED_ORIGINS_SOURCE`` written in the settings or a view."""
    raw = conf.user_settings()
    if not isinstance(raw, Mapping):
        return
    if raw.get("ALLOWED_ORIGINS_SOURCE") is not None:
        yield raw["ALLOWED_ORIGINS_SOURCE"], f'{SETTING}["ALLOWED_ORIGINS_SOURCE"]'
    policies = raw.get("POLICIES", {})
    if isinstance(policies, Mapping):
        for name, entry in policies.items():
            if isinstance(entry, Mapping) and entry.get("ALLOWED_ORIGINS_SOURCE") is not None:
                where = f'{SETTING}["POLICIES"][{name!r}]["ALLOWED_ORIGINS_SOURCE"]'
                yield entry["ALLOWED_ORIGINS_SOURCE"], where
    yield from _on_views()


def _on_views() -> Iterator[tuple[Any, str]]:
    from .management import inventory

    try:
        endpoints = inventory.endpoints()
    except Exception:  # noqa: BLE001 - a broken URLconf is Django's own check's to report
        return
    seen: set[int] = set()
    for endpoint in endpoints:
        found = endpoint.resolution
        for spec, where in ((found.view, found.view_label), (found.action, found.where)):
            if isinstance(spec, CorsPolicy) and id(spec) not in seen:
                seen.add(id(spec))
                value = spec.allowed_origins_source
                if isinstance(value, str):  # a callable given as itself is one already
                    yield value, f"{where}'s allowed_origins_source"


def _import_problem(value: Any, where: str) -> Error | None:
    if not isinstance(value, str):
        return None  # a callable, or a type the settings check reports (E001)
    try:
        found = import_string(value)
    except ImportError as exc:
        return Error(
            f"{where} is {value!r}, which does not import: {exc}.",
            hint="Give the dotted path of a function that takes no argument and returns "
            "origins, e.g. 'myproject.cors.tenant_origins'.",
            id="drf_cors.E025",
        )
    if not callable(found):
        return Error(
            f"{where} is {value!r}, which is a {type(found).__name__}, not a callable.",
            hint="Point it at the function that returns the origins, not at its result.",
            id="drf_cors.E025",
        )
    return None


def check_sources(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    raw = conf.user_settings()
    raw = raw if isinstance(raw, Mapping) else {}
    messages: list[CheckMessage] = []
    if "ORIGINS_REFRESH" in raw and not conf.valid_refresh(raw["ORIGINS_REFRESH"]):
        messages.append(
            Error(
                f'{SETTING}["ORIGINS_REFRESH"] is {raw["ORIGINS_REFRESH"]!r}; it must be a '
                "whole number of seconds, at least 1.",
                hint="Use e.g. 10: each process looks at a source at most once per interval.",
                id="drf_cors.E027",
            )
        )
    used = list(configured())
    messages += [m for value, where in used if (m := _import_problem(value, where)) is not None]
    alias = raw.get("ORIGINS_CACHE", "default")
    if not used and "ORIGINS_CACHE" not in raw:
        return messages
    caches = getattr(settings, "CACHES", None) or {}
    if not isinstance(alias, str) or alias not in caches:
        messages.append(
            Error(
                f'{SETTING}["ORIGINS_CACHE"] is {alias!r}, which CACHES does not define: '
                "processes cannot share the sources' results or learn of refresh_origins().",
                hint=f"Name one of {sorted(caches)} (a shared backend such as Redis), "
                "or add it to CACHES.",
                id="drf_cors.E026",
            )
        )
    elif used and caches[alias].get("BACKEND") in PER_PROCESS:
        backend = caches[alias]["BACKEND"].rsplit(".", 1)[-1]
        messages.append(
            Warning(
                f'{SETTING}["ORIGINS_CACHE"] {alias!r} is a {backend}, which each process '
                "keeps for itself: every process reads each origins source itself (one read "
                "per ORIGINS_REFRESH per process), and refresh_origins() reaches only the "
                "process that calls it: the others see a change within 2 x ORIGINS_REFRESH.",
                hint="Use a shared cache (Redis, Memcached, the database cache) for "
                "ORIGINS_CACHE; a single-process server can silence drf_cors.W014.",
                id="drf_cors.W014",
            )
        )
    return messages
