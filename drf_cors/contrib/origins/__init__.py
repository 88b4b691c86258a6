"""Origins the admins manage: ``AllowedOrigin`` rows served as an ``ALLOWED_ORIGINS_SOURCE``.

Select it with one setting, next to the app in ``INSTALLED_APPS``::

    INSTALLED_APPS = [..., "drf_cors", "drf_cors.contrib.origins"]
    REST_FRAMEWORK = {"CORS": {"ALLOWED_ORIGINS_SOURCE": "drf_cors.contrib.origins.source"}}

Django imports this package while it loads the apps, before models can be
imported: the model is imported inside the read, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from django.core.exceptions import ImproperlyConfigured

from drf_cors._snapshots import EVERY_HOST

#: This app's name in ``INSTALLED_APPS``.
APP = "drf_cors.contrib.origins"
#: The dotted path of :data:`source`, as written in ``ALLOWED_ORIGINS_SOURCE``.
SOURCE_PATH = "drf_cors.contrib.origins.source"

#: What a read returns: the origins, or host (``EVERY_HOST``, ``"*"``: every host) -> origins.
Entries: TypeAlias = list[str] | dict[str, list[str]]


class OriginsSource:
    """The ``AllowedOrigin`` table as a source: each policy scope reads its own rows."""

    def __init__(self) -> None:
        # drf_cors names a source object by __module__ and __qualname__: these
        # make the object and its dotted path one source, with one snapshot.
        self.__module__ = __name__
        self.__qualname__ = "source"

    def for_policy(self, name: str | None) -> Callable[[], Entries]:
        """The read for a source written in ``POLICIES[name]`` (``None``: anywhere else)."""
        policy = name or ""

        def read() -> Entries:
            return _read(policy)

        return read

    def __call__(self) -> Entries:
        return self.for_policy(None)()

    def __repr__(self) -> str:
        return SOURCE_PATH


def _read(policy: str) -> Entries:
    """The rows of ``policy``, in one query: a list, or a dict when some row names a host."""
    from django.apps import apps

    if not apps.is_installed(APP):
        raise ImproperlyConfigured(
            f"ALLOWED_ORIGINS_SOURCE {SOURCE_PATH!r} reads the AllowedOrigin table, but "
            f"{APP!r} is not in INSTALLED_APPS. Add it there and run 'manage.py migrate'."
        )
    from .models import AllowedOrigin

    rows = list(
        AllowedOrigin.objects.filter(policy=policy)
        .order_by("host", "origin")
        .values_list("host", "origin")
    )
    if not any(host for host, _origin in rows):
        return [origin for _host, origin in rows]
    by_host: dict[str, list[str]] = {EVERY_HOST: []}
    for host, origin in rows:
        by_host.setdefault(host or EVERY_HOST, []).append(origin)
    return by_host


#: The value of ``ALLOWED_ORIGINS_SOURCE`` (as the dotted path ``SOURCE_PATH`` or the object).
source = OriginsSource()
