"""A source outage seen by two processes that share ``ORIGINS_CACHE``: who logs the recovery.

Two :class:`drf_cors._sources.Source` objects for the same dotted path stand for
the same source in two processes; the test settings' ``LocMemCache`` is the
shared cache between them (Redis, in production), and the engine's clocks are
replaced. Both processes read the failing source and log the outage once;
then process A reads it again with success and publishes the result, and
process B takes that result from the cache.

Found by ``tests/load/test_sources_multiprocess.py`` (the table renamed away
under five real server processes: every process logged the outage at ERROR,
only the one that read the repaired table logged the recovery at INFO): a good
result taken from the cache now ends a process's outage too, so B logs the
recovery, stops reporting the old error (``cors_report``) and logs a later
outage again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from drf_cors import _sources

KEY = "tests.test_sources_recovery.flaky"
ORIGIN = "https://tenant.example"
REFRESH = 10

STATE: dict[str, bool] = {"fail": False}


def flaky() -> list[str]:
    if STATE["fail"]:
        raise RuntimeError("database is down")
    return [ORIGIN]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_sources, "_clock", lambda: fake.now)
    monkeypatch.setattr(_sources, "_wall", lambda: fake.now + 1_700_000_000)
    STATE["fail"] = False
    return fake


def settle(*processes: _sources.Source) -> None:
    deadline = time.monotonic() + 5
    while any(p._busy for p in processes):
        assert time.monotonic() < deadline, "a background read did not finish"
        time.sleep(0.005)


def look(process: _sources.Source) -> bool:
    """One request from ``ORIGIN`` in ``process``, its background read waited for."""
    allowed = process.allows(ORIGIN, None)
    settle(process)
    return allowed


def records(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[Any]:
    return [r for r in caplog.records if r.levelno == level and text in r.getMessage()]


def outage_then_recovery_through_the_cache(clock: Clock) -> tuple[Any, Any]:
    a = _sources.Source(KEY, flaky, None, REFRESH, "default")
    b = _sources.Source(KEY, flaky, None, REFRESH, "default")
    assert look(a)  # A reads and publishes
    assert look(b)  # B takes A's result from the cache
    STATE["fail"] = True
    clock.advance(REFRESH + 1)
    assert look(a)  # A reads, fails, logs the outage; serves the last good origins
    assert look(b)  # B reads (the shared entry is stale), fails, logs the outage
    STATE["fail"] = False
    clock.advance(REFRESH + 1)
    assert look(a)  # A reads with success: recovered, published
    assert look(b)  # B takes A's fresh result from the cache
    return a, b


def test_every_process_that_logged_the_outage_logs_the_recovery(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="drf_cors")
    _a, b = outage_then_recovery_through_the_cache(clock)
    assert len(records(caplog, logging.ERROR, "failed (RuntimeError: database is down)")) == 2
    recovered = records(caplog, logging.INFO, "recovered")
    assert b.describe()["error"] is None, f"B still reports {b.describe()['error']!r}"
    assert len(recovered) == 2, [r.getMessage() for r in recovered]


def test_a_second_outage_is_logged_by_every_process(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="drf_cors")
    a, b = outage_then_recovery_through_the_cache(clock)
    caplog.clear()
    STATE["fail"] = True
    clock.advance(REFRESH + 1)
    assert look(b)  # B reads first this time, and fails
    assert look(a)  # so does A
    errors = records(caplog, logging.ERROR, "failed (RuntimeError: database is down)")
    assert len(errors) == 2, f"{len(errors)} of the 2 processes logged the second outage"


def test_the_shared_result_serves_both_processes_through_the_outage(clock: Clock) -> None:
    """What does hold: both keep the last good origins, and both serve the recovered read."""
    a, b = outage_then_recovery_through_the_cache(clock)
    assert a.snapshot is not None
    assert b.snapshot is not None
    assert a.snapshot.version == b.snapshot.version
    assert b.allows(ORIGIN, None)
