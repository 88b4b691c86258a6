"""The source the servers use: the admins' table, with every read recorded per process.

Each call appends one JSON line to ``$SOURCES_READS_FILE`` (one ``os.write`` on
an ``O_APPEND`` descriptor, so lines of concurrent processes never interleave)
and logs ``SOURCE READ`` to the server log. A read that runs on an event loop
thread also logs ``SOURCE ON LOOP`` at ERROR: drf_cors promises it never does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from .origins import inner_source

logger = logging.getLogger("sourceproject")


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _record(event: str, policy: str | None, started: float, **extra: Any) -> None:
    line = {
        "event": event,
        "pid": os.getpid(),
        "label": os.environ.get("SOURCES_LABEL", "?"),
        "policy": policy,
        "started": started,
        "ended": time.time(),
        "thread": threading.current_thread().name,
        "on_loop": _on_event_loop(),
        **extra,
    }
    path = os.environ.get("SOURCES_READS_FILE")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
        finally:
            os.close(fd)
    logger.info("SOURCE %s pid=%d policy=%s", event.upper(), line["pid"], policy)
    if line["on_loop"]:
        logger.error("SOURCE ON LOOP pid=%d thread=%s", line["pid"], line["thread"])


class CountedSource:
    """Delegates to the real source (``for_policy`` included) and records each read."""

    def __init__(self, inner: Any, policy: str | None = None) -> None:
        # drf_cors names a source by its dotted path: this object's is
        # ``tests.load.sourceproject.counting.source``, the same in every process.
        self.__module__ = __name__
        self.__qualname__ = "source"
        self._inner = inner
        self._policy = policy

    def for_policy(self, name: str | None) -> Callable[[], Any]:
        return CountedSource(self._inner.for_policy(name), name)

    def __call__(self) -> Any:
        started = time.time()
        try:
            result = self._inner()
        except Exception as exc:
            _record("fail", self._policy, started, error=f"{type(exc).__name__}: {exc}")
            raise
        count = sum(len(v) for v in result.values()) if isinstance(result, dict) else len(result)
        _record("read", self._policy, started, entries=count)
        return result


source = CountedSource(inner_source)
