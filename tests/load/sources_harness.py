"""The harness of ``test_sources_multiprocess.py``: the stack, the third process, the samplers.

A :class:`Stack` is a real Redis, one SQLite file, and real servers of the
source project (``tests/load/sourceproject``) on loopback. A :class:`Sampler`
sends requests to them from a thread of its own (asyncio + httpx, one new
connection per request so that every gunicorn worker gets its share), bounded
in count and time, and keeps one :class:`Sample` per response: which process
answered (``X-Worker-Pid``) and whether it granted the origin.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import servers
from .redis_server import RedisServer

THIRD = "tests.load.sourceproject.third"
REDIS_SETTINGS = "tests.load.sourceproject.settings"
LOCMEM_SETTINGS = "tests.load.sourceproject.settings_locmem"


@dataclass(frozen=True)
class Target:
    """One kind of request to one server."""

    kind: str
    server: servers.Server
    route: str
    origin: str
    preflight: bool = False
    host: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"Origin": self.origin, "Connection": "close"}
        if self.preflight:
            headers["Access-Control-Request-Method"] = "GET"
        if self.host is not None:
            headers["Host"] = f"{self.host}:{self.server.port}"
        return headers


@dataclass(frozen=True)
class Sample:
    target: Target
    start: float
    end: float
    status: int  # 0: a transport error
    pid: int
    granted: bool
    error: str = ""

    @property
    def worker(self) -> tuple[str, int]:
        return (self.target.kind, self.pid)


class Sampler:
    """Requests to ``targets`` from a background thread until :meth:`stop`, a count or a deadline.

    ``per_server`` coroutines per server, each sending one request every
    ``interval`` seconds (paced from a schedule, so slow answers do not lower
    the rate), cycling through its server's targets.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        per_server: int = 3,
        interval: float = 0.02,
        max_requests: int = 100_000,
        max_seconds: float = 60.0,
    ) -> None:
        self.targets = list(targets)
        self.per_server = per_server
        self.interval = interval
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self.started = 0.0
        self.ended = 0.0

    def __enter__(self) -> Sampler:
        self.started = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=self.max_seconds + 30)
        return self.samples

    def wait(self, seconds: float) -> None:
        """Sleep, but not past the end of the run (its count or its deadline)."""
        self._thread.join(timeout=seconds)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def _run(self) -> None:
        asyncio.run(self._main())
        self.ended = time.time()

    async def _main(self) -> None:
        by_server: dict[str, list[Target]] = defaultdict(list)
        for target in self.targets:
            by_server[target.server.url].append(target)
        deadline = time.monotonic() + self.max_seconds
        budget = [self.max_requests]
        limits = httpx.Limits(max_keepalive_connections=0, max_connections=1000)
        timeout = httpx.Timeout(10.0)
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            workers = [
                self._worker(client, group, index, deadline, budget)
                for group in by_server.values()
                for index in range(self.per_server)
            ]
            await asyncio.gather(*workers)

    async def _worker(
        self,
        client: httpx.AsyncClient,
        targets: list[Target],
        index: int,
        deadline: float,
        budget: list[int],
    ) -> None:
        position = index
        # Spread the coroutines' schedules over one interval.
        next_at = time.monotonic() + self.interval * index / max(self.per_server, 1)
        while not self._stop.is_set() and time.monotonic() < deadline and budget[0] > 0:
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if budget[0] <= 0 or self._stop.is_set():
                break  # spent by the other coroutines meanwhile
            next_at = max(next_at + self.interval, time.monotonic() - self.interval)
            budget[0] -= 1
            target = targets[position % len(targets)]
            position += 1
            self.samples.append(await _send(client, target))


async def _send(client: httpx.AsyncClient, target: Target) -> Sample:
    method = "OPTIONS" if target.preflight else "GET"
    start = time.time()
    try:
        response = await client.request(
            method, target.server.url + target.route, headers=target.headers()
        )
    except httpx.HTTPError as exc:
        return Sample(target, start, time.time(), 0, 0, False, f"{type(exc).__name__}: {exc}")
    end = time.time()
    granted = response.headers.get("access-control-allow-origin") == target.origin
    pid = int(response.headers.get("x-worker-pid", "0") or 0)
    return Sample(target, start, end, response.status_code, pid, granted)


def targets(
    stack: Stack,
    origins: Iterable[str],
    routes: dict[str, list[tuple[str, bool]]],
    hosts: Iterable[str | None] = (None,),
) -> list[Target]:
    return [
        Target(kind, server, route, origin, preflight, host)
        for kind, server in stack.servers.items()
        for route, preflight in routes[kind]
        for origin in origins
        for host in hosts
    ]


# -- what the samples say ------------------------------------------------------


@dataclass
class Switch:
    """When one worker switched to the wanted answer for one origin, after ``done``."""

    worker: tuple[str, int]
    #: seconds from ``done`` to the start of the first request from which on
    #: every answer was the wanted one (the switch happened before it)
    latency: float | None
    #: seconds from ``done`` to the start of the last request with the old answer
    last_old: float | None
    #: wanted answer, then the old one again (must never happen)
    flips: int
    samples: int
    #: the requests around each flip: (route, preflight, start, end, granted), times from done
    flip_detail: list[tuple[str, bool, float, float, bool]] = field(default_factory=list)


def switches(
    samples: Iterable[Sample], done: float, want: Callable[[Sample], bool]
) -> dict[tuple[str, int], Switch]:
    """Per worker: how long after ``done`` its answers became ``want`` for good."""
    by_worker: dict[tuple[str, int], list[Sample]] = defaultdict(list)
    for sample in samples:
        if sample.start > done and sample.status:
            by_worker[sample.worker].append(sample)
    found = {}
    for worker, group in by_worker.items():
        group.sort(key=lambda s: s.start)
        wrong = [i for i, s in enumerate(group) if not want(s)]
        last_wrong = wrong[-1] if wrong else -1
        stable = group[last_wrong + 1] if last_wrong + 1 < len(group) else None
        flips, detail = _flips(group, done, want)
        found[worker] = Switch(
            worker=worker,
            latency=None if stable is None else stable.start - done,
            last_old=None if last_wrong < 0 else group[last_wrong].start - done,
            flips=flips,
            samples=len(group),
            flip_detail=detail,
        )
    return found


def _flips(
    group: list[Sample], done: float, want: Callable[[Sample], bool]
) -> tuple[int, list[tuple[str, bool, float, float, bool]]]:
    """Old answers to requests that started after a wanted answer had been sent (one worker).

    Per origin, host and policy (the tenants' route or a global one). The order
    of two requests' decisions is known only when one ended before the other
    started: two requests in flight at once may be decided in either order.
    """
    by_target: dict[tuple[str, str | None, bool], list[Sample]] = defaultdict(list)
    for sample in group:
        target = sample.target
        by_target[(target.origin, target.host, target.route == "/api/tenant/")].append(sample)
    flips = 0
    detail = []
    for samples in by_target.values():
        right: Sample | None = None  # the wanted answer that ended first
        for sample in samples:
            if want(sample):
                if right is None or sample.end < right.end:
                    right = sample
            elif right is not None and right.end < sample.start:
                flips += 1
                for one in (right, sample):
                    detail.append(
                        (
                            f"{one.target.route} {one.target.origin} {one.target.host}",
                            one.target.preflight,
                            round(one.start - done, 4),
                            round(one.end - done, 4),
                            one.granted,
                        )
                    )
    return flips, detail


def latency_figures(found: dict[tuple[str, int], Switch]) -> dict[str, Any]:
    """Per server kind: each worker's latency, and their max and median."""
    by_kind: dict[str, dict[str, float | None]] = defaultdict(dict)
    for (kind, pid), switch in sorted(found.items()):
        by_kind[kind][str(pid)] = None if switch.latency is None else round(switch.latency, 3)
    figures: dict[str, Any] = {}
    for kind, workers in by_kind.items():
        values = [v for v in workers.values() if v is not None]
        figures[kind] = {
            "workers": workers,
            "max": max(values) if values else None,
            "median": round(statistics.median(values), 3) if values else None,
        }
    return figures


def server_errors(samples: Iterable[Sample]) -> list[str]:
    return [
        f"{s.target.kind} {s.target.route} {s.status} {s.error}"
        for s in samples
        if s.status == 0 or s.status >= 500
    ]


def statuses(samples: Iterable[Sample]) -> dict[str, int]:
    return dict(Counter(str(s.status) for s in samples))


# -- the stack -----------------------------------------------------------------


@dataclass
class Stack:
    """A Redis, a database, the servers of one settings module, and where they log."""

    directory: Path
    settings: str
    redis: RedisServer
    db: Path
    reads_file: Path
    servers: dict[str, servers.Server] = field(default_factory=dict)
    #: kind -> the pids that answered during the warm-up
    pids: dict[str, set[int]] = field(default_factory=dict)
    #: before each server's kind in ``SOURCES_LABEL`` (its reads' label)
    label_prefix: str = ""

    def env(self, label: str, settings: str | None = None) -> dict[str, str]:
        return {
            "SOURCES_DB": str(self.db),
            "SOURCES_REDIS_URL": self.redis.url,
            "SOURCES_READS_FILE": str(self.reads_file),
            "SOURCES_LABEL": label,
            "DJANGO_SETTINGS_MODULE": settings or self.settings,
        }

    def app(self, kind: str, extra_env: dict[str, str] | None = None) -> servers.App:
        return servers.App(
            settings=self.settings,
            wsgi="tests.load.sourceproject.wsgi:application",
            asgi="tests.load.sourceproject.asgi:application",
            env={**self.env(self.label_prefix + kind), **(extra_env or {})},
        )

    def manage(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(servers.ROOT), **self.env("manage")}
        env.pop("COVERAGE_PROCESS_START", None)
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=env,
            cwd=servers.ROOT,
            check=True,
            timeout=120,
            capture_output=True,
        )

    def third(self, *args: str) -> dict[str, Any]:
        """Run the third process (``sourceproject/third.py``); its JSON line, with its log."""
        env = {**os.environ, "PYTHONPATH": str(servers.ROOT), **self.env("third")}
        env.pop("COVERAGE_PROCESS_START", None)
        result = subprocess.run(
            [sys.executable, "-m", THIRD, *args],
            env=env,
            cwd=servers.ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (
            f"third process {args} exited {result.returncode}:\n{result.stderr}"
        )
        out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        out["log"] = result.stderr
        return out

    def reads(self, since: float = 0.0, until: float = float("inf")) -> list[dict[str, Any]]:
        """The recorded source calls (reads and failures) that started in ``[since, until]``."""
        if not self.reads_file.exists():
            return []
        rows = [json.loads(line) for line in self.reads_file.read_text().splitlines() if line]
        return [row for row in rows if since <= row["started"] <= until]

    def log_marks(self) -> dict[str, int]:
        return {kind: server.log.stat().st_size for kind, server in self.servers.items()}

    def logs_since(self, marks: dict[str, int]) -> dict[str, str]:
        out = {}
        for kind, server in self.servers.items():
            with server.log.open("rb") as fh:
                fh.seek(marks.get(kind, 0))
                out[kind] = fh.read().decode(errors="replace")
        return out

    def all_pids(self) -> set[tuple[str, int]]:
        return {(kind, pid) for kind, pids in self.pids.items() for pid in pids}


LOG_LINE = re.compile(r"^LOG (?P<level>[A-Z]+) (?P<logger>\S+) pid=(?P<pid>\d+) (?P<message>.*)$")


def log_lines(
    logs: dict[str, str], level: str, contains: str, logger: str = "drf_cors"
) -> Counter[tuple[str, int]]:
    """How many records of ``logger`` at ``level`` containing ``contains``, per worker."""
    found: Counter[tuple[str, int]] = Counter()
    for kind, text in logs.items():
        for line in text.splitlines():
            match = LOG_LINE.match(line)
            if (
                match
                and match["level"] == level
                and match["logger"] == logger
                and contains in match["message"]
            ):
                found[(kind, int(match["pid"]))] += 1
    return found


def unexpected(logs: dict[str, str]) -> list[str]:
    """drf_cors errors, tracebacks, reads on an event loop: what no healthy run logs."""
    bad = []
    for kind, text in logs.items():
        bad += [f"{kind}: {line}" for line in servers.drf_cors_errors(text)]
        bad += [f"{kind}: {line}" for line in text.splitlines() if "SOURCE ON LOOP" in line]
        bad += [f"{kind}: {line}" for line in text.splitlines() if "Traceback" in line]
    return bad


def reads_per_worker(rows: Iterable[dict[str, Any]], event: str = "read") -> Counter[Any]:
    """Source calls per (server kind, pid, policy), the third process left out."""
    return Counter(
        (row["label"], row["pid"], row["policy"] or "")
        for row in rows
        if row["event"] == event and row["label"] != "third"
    )


def process_resources(pids: Iterable[int], db: Path) -> dict[int, dict[str, int]]:
    """Per process (Linux ``/proc``): its threads, and its open descriptors on the database
    files (the SQLite file, its ``-wal`` and ``-shm``)."""
    found = {}
    for pid in pids:
        links = []
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue  # closed meanwhile
        found[pid] = {
            "threads": len(os.listdir(f"/proc/{pid}/task")),
            "db_files": sum(link.startswith(str(db)) for link in links),
        }
    return found


def redis_info(port: int) -> dict[str, Any]:
    """``INFO`` of the Redis on ``port``: commands by name, clients, connections received."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
    try:
        info = client.info("all")
    finally:
        client.close()
    commands = {
        name.removeprefix("cmdstat_"): int(value["calls"])
        for name, value in info.items()
        if name.startswith("cmdstat_")
    }
    return {
        "commands": commands,
        "connected_clients": int(info["connected_clients"]),
        "connections_received": int(info["total_connections_received"]),
    }
