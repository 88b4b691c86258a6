"""Origins that live in data (``ALLOWED_ORIGINS_SOURCE``): read rarely, matched like listed ones.

A source is a callable that returns ``ALLOWED_ORIGINS``-style entries, or a
mapping of request host -> entries (``"*"``: entries every host gets). Each
process keeps one :class:`Source` per (callable, scope). Its result is checked
entry by entry with the system checks' rules (a refused entry is skipped and
logged once, never matched loosely), compiled into the ``OriginMatcher`` that
static origins use, and swapped in whole as a :class:`Snapshot`: a request only
reads the snapshot it finds.

Freshness, with ``R = ORIGINS_REFRESH``:

- A process checks a source at most once per ``R`` seconds, failures included:
  the first request to find the check due reads the shared entry in
  ``ORIGINS_CACHE`` (a cache read, not a query) before it is answered, so every
  request started more than ``R`` seconds after ``refresh_origins()`` returned
  (which publishes a new entry) is answered from the new data.
- When the shared entry is missing or older than ``R``, one process (elected
  with ``cache.add``) reads the source again: in this process's background
  thread while its snapshot is recent (read within ``2 R``), inline (off the
  event loop) when there is none or it is older. So a change made without
  ``refresh_origins()`` shows within ``2 R`` plus one read, also for the first
  request of a process that was idle; a request never waits on the source while
  a recent snapshot exists.
- When the source raises or the cache is unreachable, the last good snapshot
  stays (never a wider one), the outage is logged at ERROR once and the
  recovery at INFO; a source that never succeeded allows nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from django.http import HttpRequest
from django.utils.module_loading import import_string

from . import _background, _shared
from ._origins import OriginError
from ._snapshots import EVERY_HOST, Snapshot, canonical, validate, version_of
from ._validation import Problem

logger = logging.getLogger("drf_cors")

#: Skipped entries are logged once each; past this many, no more are remembered.
_REPORTED_LIMIT: Final = 1000

#: Clocks, replaceable by tests: ``_clock`` for deadlines, ``_wall`` for ages
#: shared between processes.
_clock: Callable[[], float] = time.monotonic
_wall: Callable[[], float] = time.time


class Source:
    """One source in this process: its snapshot and when to look again."""

    def __init__(
        self, key: str, value: Any, scope: str | None, refresh: float, cache_alias: str
    ) -> None:
        self.key = key
        self.value = value
        self.scope = scope
        self.refresh = refresh
        self.cache_alias = cache_alias
        self.label = key if scope is None else f"{key} (policy {scope!r})"
        #: Shared between processes only when ``key`` names the same callable everywhere.
        self.shared = "<" not in key
        self.cache_key = _shared.key_for(key, scope)
        self.snapshot: Snapshot | None = None
        #: ``_clock()`` value from which a request checks again; 0: at once.
        self.due = 0.0
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._busy = False
        self._source_down = False
        self._failed_at = 0.0
        self._cache_down = False
        self._reported: set[str] = set()

    # -- the request path ---------------------------------------------------

    def allows(self, origin: str, request: HttpRequest | None) -> bool:
        """Whether this source gives ``origin``, after a due look (what
        ``CompiledPolicy.allows`` does inline, with fewer calls per request)."""
        if _clock() >= self.due:
            self.check()
        snapshot = self.snapshot
        return snapshot is not None and snapshot.allows(origin, request)

    async def ready(self) -> None:
        """For async callers: a due check runs in a thread, never on the event loop."""
        if _clock() >= self.due:
            await asyncio.to_thread(self._check, close_db=True, inline=False)

    def check(self) -> None:
        """Take a newer shared result, or have the source read; at most once per ``refresh``."""
        if _background.on_event_loop():
            # Not even the cache is read on the event loop: this request keeps
            # the snapshot it has (async adapters call ``ready()`` first).
            self._spawn(lambda: self._check(close_db=True, inline=True))
            return
        self._check(close_db=False, inline=False)

    def _check(self, *, close_db: bool, inline: bool) -> None:
        with self._lock:
            now = _clock()
            if now < self.due:
                return  # another thread checked meanwhile
            self.due = now + self.refresh
            shared = self._fetch()
            if shared is not None and _wall() - shared.started < self.refresh:
                return
            claimed = self._claim()
            if not self._good():
                # Nothing good to serve meanwhile (the first read, or a
                # snapshot past its freshness bound after a quiet spell): the
                # read happens now, even while another process holds the claim.
                self._read(close_db=close_db, claimed=claimed)
            elif not claimed:
                return  # another process is reading it: its result comes next check
            elif inline:
                self._read(close_db=close_db, claimed=True)
            elif not self._spawn(lambda: self._read(close_db=True, claimed=True)):
                self._release()  # a read of this process is still running

    def _good(self) -> bool:
        """A snapshot a request may be answered from while a new read runs.

        One read at most ``2 * refresh`` seconds ago: then any change made
        more than ``2 * refresh`` (plus one read) ago is in it. An older one
        (a process that was idle, a source that kept failing) is not served
        without looking again first.
        """
        snapshot = self.snapshot
        return snapshot is not None and _wall() - snapshot.started < 2 * self.refresh

    def _spawn(self, job: Callable[[], None]) -> bool:
        """Hand ``job`` to this process's worker thread, unless this source has one queued."""
        if self._busy:
            return False
        self._busy = True

        def run() -> None:
            try:
                job()
            finally:
                self._busy = False

        _background.submit(run)
        return True

    # -- reading and sharing -------------------------------------------------

    def refresh_now(self) -> None:
        """Read the source, serve and publish the result (``refresh_origins``).

        Not under the lock: a request that finds its check due meanwhile waits
        for a cache read at most, never for this query.
        """
        self._read(close_db=False, claimed=False)
        self.due = _clock() + self.refresh

    def _read(self, close_db: bool, claimed: bool) -> None:
        started = _wall()
        current = self.snapshot
        try:
            result = canonical(self._call())
            version = version_of(result)
            if current is not None and current.version == version:
                # What the last read gave: nothing to check or compile again.
                snapshot = dataclasses.replace(current, started=started)
            else:
                entries, skipped = validate(result, self.label, self._skip)
                snapshot = Snapshot.build(entries, skipped, version, started)
        except Exception as exc:  # noqa: BLE001 - a source may fail in any way
            self._source_failed(exc)
            return
        finally:
            if claimed:
                self._release()
            if close_db:
                from django.db import connections

                connections.close_all()  # this thread's own connections
        self._install(snapshot)
        if self._source_down:
            self._recovered(f"read {snapshot.count} entries")
        self._publish(snapshot, changed=current is None or current.version != snapshot.version)

    def _call(self) -> Any:
        func = self.value
        if isinstance(func, str):
            func = import_string(func)
        for_policy = getattr(func, "for_policy", None)
        if for_policy is not None:
            func = for_policy(self.scope)
        if not callable(func):
            raise TypeError(f"{func!r} is not callable")
        return func()

    def _skip(self, what: str, problem: Problem) -> None:
        if what in self._reported or len(self._reported) >= _REPORTED_LIMIT:
            return
        self._reported.add(what)
        text = f"{problem.message} {problem.hint}".strip()
        logger.warning("drf_cors: skipped %s: drf_cors.%s: %s", what, problem.id, text)

    def _install(self, snapshot: Snapshot) -> None:
        current = self.snapshot
        # A read that started before the one serving now (a slow background
        # read racing refresh_origins) never replaces it.
        if current is None or snapshot.started >= current.started:
            self.snapshot = snapshot

    def _fetch(self) -> Snapshot | None:
        """The shared result, installed if newer; ``None`` when missing or unreachable."""
        if not self.shared:
            return None
        current = self.snapshot
        values = None
        try:
            stored = _shared.meta(self.cache_alias, self.cache_key)
            if stored is not None and (current is None or stored.version != current.version):
                values = _shared.entries(self.cache_alias, self.cache_key, stored.version)
        except Exception as exc:  # noqa: BLE001 - any cache backend error is an outage
            self._cache_failed(exc)
            return None
        self._cache_recovered()
        if stored is None:
            return None
        if current is not None and stored.version == current.version:
            # The same data, read again by another process: only its age moves.
            snapshot = dataclasses.replace(current, started=max(stored.started, current.started))
        elif values is None:
            return None  # being replaced, or evicted: read again
        else:
            try:
                snapshot = Snapshot.from_texts(
                    values, stored.skipped, stored.version, stored.started
                )
            except (OriginError, TypeError, AttributeError):
                return None  # not what drf_cors writes: ignored, read again
        self._install(snapshot)
        if self._source_down and snapshot.started > self._failed_at:
            self._recovered(f"took a newer read from ORIGINS_CACHE: {snapshot.count} entries")
        return snapshot

    def _recovered(self, how: str) -> None:
        self._source_down = False
        self.last_error = None
        logger.info("drf_cors: origins source %s recovered (%s).", self.label, how)

    def _publish(self, snapshot: Snapshot, changed: bool) -> None:
        if not self.shared:
            return
        meta = _shared.Meta(snapshot.version, snapshot.started, snapshot.skipped)
        values = {host: list(entries) for host, entries in snapshot.entries.items()}
        try:
            _shared.publish(self.cache_alias, self.cache_key, meta, values, changed)
        except Exception as exc:  # noqa: BLE001 - any cache backend error is an outage
            self._cache_failed(exc)
        else:
            self._cache_recovered()

    def _claim(self) -> bool:
        """Whether this process reads the source now: one reader at a time across processes.

        The claim is released when the read ends; its timeout only frees it
        if the reader died mid-read.
        """
        if not self.shared or self._cache_down:
            return True
        try:
            return _shared.claim(self.cache_alias, self.cache_key, self.refresh)
        except Exception as exc:  # noqa: BLE001
            self._cache_failed(exc)
            return True

    def _release(self) -> None:
        if self.shared and not self._cache_down:
            try:
                _shared.release(self.cache_alias, self.cache_key)
            except Exception as exc:  # noqa: BLE001
                self._cache_failed(exc)

    # -- faults ---------------------------------------------------------------

    def _source_failed(self, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        self._failed_at = _wall()
        if self._source_down:
            return
        self._source_down = True
        serving = self.snapshot
        kept = (
            f"serving the last good origins ({serving.count} entries)"
            if serving is not None
            else "it allows nothing until a read succeeds"
        )
        logger.error(
            "drf_cors: origins source %s failed (%s); %s. Retried every %s s.",
            self.label,
            self.last_error,
            kept,
            self.refresh,
        )

    def _cache_failed(self, exc: BaseException) -> None:
        if self._cache_down:
            return
        self._cache_down = True
        logger.error(
            "drf_cors: ORIGINS_CACHE %r is unreachable (%s: %s); origins source %s is read "
            "by this process itself until it answers again.",
            self.cache_alias,
            type(exc).__name__,
            exc,
            self.label,
        )

    def _cache_recovered(self) -> None:
        if self._cache_down:
            self._cache_down = False
            logger.info("drf_cors: ORIGINS_CACHE %r answers again.", self.cache_alias)

    def describe(self) -> dict[str, Any]:
        """What ``cors_report`` shows of this source."""
        snapshot = self.snapshot
        return {
            "source": self.label,
            "entries": snapshot.count if snapshot is not None else 0,
            "hosts": len([h for h in snapshot.entries if h != EVERY_HOST]) if snapshot else 0,
            "skipped": snapshot.skipped if snapshot is not None else 0,
            "read_at": snapshot.started if snapshot is not None else None,
            "error": self.last_error,
        }


def source_key(value: Any) -> str:
    """A name for a source that is the same in every process (a dotted path)."""
    if isinstance(value, str):
        return value
    module = getattr(value, "__module__", None) or "?"
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(qualname, str):
        # An instance (a partial, a callable object): two of them share a
        # type, not a name. Named by identity, so never shared between
        # processes; give it a ``__qualname__`` to share it.
        return f"{module}.{type(value).__qualname__}#{id(value)}"
    if "<" in qualname:  # a lambda or a closure: not the same object elsewhere
        return f"{module}.{qualname}#{id(value)}"
    return f"{module}.{qualname}"


_registry: dict[tuple[str, str | None], Source] = {}
_declared: dict[tuple[str, str | None], Any] = {}
_registry_lock = threading.Lock()


def declare(value: Any, scope: str | None = None) -> None:
    """Remember a source written in code (``CorsPolicy``), for ``refresh_origins``."""
    _declared.setdefault((source_key(value), scope), value)


def declared() -> list[tuple[Any, str | None]]:
    return [(value, scope) for (_key, scope), value in list(_declared.items())]


def source_for(value: Any, scope: str | None, refresh: float, cache_alias: str) -> Source:
    """This process's :class:`Source` for ``value`` written in ``scope`` (created once)."""
    key = (source_key(value), scope)
    found = _registry.get(key)
    if found is None:
        with _registry_lock:
            found = _registry.get(key)
            if found is None:
                found = _registry[key] = Source(key[0], value, scope, refresh, cache_alias)
    return found


def known() -> list[Source]:
    return list(_registry.values())


def refresh(sources: Iterable[Source]) -> None:
    """Read each source now and publish it; never raises (it runs in save handlers)."""
    for source in sources:
        try:
            if _background.on_event_loop():
                worker = threading.Thread(target=source.refresh_now, daemon=True)
                worker.start()
                worker.join()
            else:
                source.refresh_now()
        except Exception:
            logger.exception("drf_cors: refreshing origins source %s failed.", source.label)


def clear() -> None:
    """Forget every source (the settings changed: refresh interval, cache, the sources)."""
    with _registry_lock:
        _registry.clear()


def _after_fork() -> None:
    # A lock held at fork time would never be released in the child.
    for source in list(_registry.values()):
        source._lock = threading.Lock()
        source._busy = False


os.register_at_fork(after_in_child=_after_fork)
