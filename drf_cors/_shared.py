"""How a source's result travels between processes through ``ORIGINS_CACHE``.

Three keys per source (and scope), under one hashed name:

- ``NAME``: ``{"version", "started", "skipped"}``, a few bytes: what every
  process reads once per ``ORIGINS_REFRESH``;
- ``NAME:entries``: ``{"version", "entries": {host: [entry, ...]}}``: fetched
  only by a process that lacks that version;
- ``NAME:read``: the claim of the one process reading the source now
  (``cache.add``), released when the read ends.

Every function raises what the cache backend raises: the caller
(``_sources.Source``) turns it into "the cache is unreachable", once.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final, NamedTuple

_PREFIX: Final = "drf_cors:origins:"


def _cache(alias: str) -> Any:
    from django.core.cache import caches

    return caches[alias]


def key_for(source: str, scope: str | None) -> str:
    """A cache key for a source that is the same in every process (any backend's charset)."""
    digest = hashlib.sha256(f"{source}\0{scope or ''}".encode()).hexdigest()[:24]
    return f"{_PREFIX}{digest}"


class Meta(NamedTuple):
    """What the small key says: which read is current, and when it started."""

    version: str
    started: float
    skipped: int


def meta(alias: str, key: str) -> Meta | None:
    """The current read's version and age; ``None`` when missing or not ours."""
    stored = _cache(alias).get(key)
    try:
        return Meta(str(stored["version"]), float(stored["started"]), int(stored["skipped"]))
    except (KeyError, TypeError, ValueError):
        return None


def entries(alias: str, key: str, version: str) -> dict[str, list[str]] | None:
    """The entries of ``version``; ``None`` when they are gone or being replaced."""
    payload = _cache(alias).get(key + ":entries")
    if not isinstance(payload, dict) or payload.get("version") != version:
        return None
    found = payload.get("entries")
    return found if isinstance(found, dict) else None


def publish(
    alias: str, key: str, current: Meta, values: dict[str, list[str]], changed: bool
) -> bool:
    """Share a read: its entries (when new to this process, or not what the cache
    holds), then its version and age.

    Nothing is written, and ``False`` returned, when a read that started later
    was published meanwhile (a slow read never replaces a newer one).
    """
    cache = _cache(alias)
    stored = meta(alias, key)
    if stored is not None and stored.started > current.started:
        return False
    if changed or stored is None or stored.version != current.version:
        cache.set(key + ":entries", {"version": current.version, "entries": values}, timeout=None)
    cache.set(key, current._asdict(), timeout=None)
    return True


def claim(alias: str, key: str, timeout: float) -> bool:
    """Whether this process reads the source now (one reader at a time)."""
    return bool(_cache(alias).add(key + ":read", 1, timeout))


def release(alias: str, key: str) -> None:
    _cache(alias).delete(key + ":read")
