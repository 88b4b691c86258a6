"""The one background thread of a process, for reads of the origins sources.

One long-lived thread rather than one per read: Django's caches are per
thread, so a thread per read would open (and handshake) a new connection to
the shared cache each time. It is started on first use and again in a forked
child (gunicorn's workers), which inherits no thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
from collections.abc import Callable

logger = logging.getLogger("drf_cors")

_jobs: queue.SimpleQueue[Callable[[], None]] | None = None
_lock = threading.Lock()


def on_event_loop() -> bool:
    """Whether this thread runs an event loop (where a source must never run)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def submit(job: Callable[[], None]) -> None:
    """Run ``job`` in this process's background thread, after those queued before it."""
    global _jobs
    with _lock:
        if _jobs is None:
            jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
            worker = threading.Thread(target=_work, args=(jobs,), name="drf_cors-origins")
            worker.daemon = True
            worker.start()
            _jobs = jobs
        _jobs.put(job)


def _work(jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
    while True:
        job = jobs.get()
        try:
            job()
        except Exception:
            logger.exception("drf_cors: a background origins job failed.")


def _after_fork() -> None:
    global _jobs, _lock
    _jobs, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
