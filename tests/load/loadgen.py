"""The load generator and the per-response checks: asyncio + httpx, bounded in count and time.

A run takes a list of :class:`Planned` requests, each carrying what its own
response must be (status, ``Access-Control-Allow-Origin``, credentials,
exposed headers, ``Vary``). ``concurrency`` workers share one connection pool
and pull from the list until it is exhausted or the deadline passes; every
response is checked against its own request, so a grant computed for one
request and served to another shows up as a mismatch.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

#: Every header of the CORS protocol; none may appear twice on one response.
CORS_HEADERS = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
        "access-control-max-age",
        "access-control-allow-private-network",
    }
)


@dataclass(frozen=True)
class Planned:
    """One request and what its response must carry."""

    route: str
    kind: str  # "actual" or "preflight"
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    #: the exact status (or one of a set); 0 means any status below 500
    status: int | frozenset[int]
    #: the exact Access-Control-Allow-Origin, or None for "absent"
    acao: str | None
    credentials: bool = False
    expose: str | None = None
    #: whether Vary must list Origin (every covered route)
    vary_origin: bool = True
    #: False for the server without drf_cors: no CORS header at all
    cors: bool = True
    body: bytes | None = None


@dataclass
class RunResult:
    label: str
    planned: int
    concurrency: int
    seconds: float = 0.0
    completed: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    transport_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def requests_per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "label": self.label,
            "planned": self.planned,
            "completed": self.completed,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(self.requests_per_second, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "kinds": dict(sorted(self.kinds.items())),
            "transport_errors": len(self.transport_errors),
            "problems": len(self.problems),
            "timed_out": self.timed_out,
        }


def _tokens(values: list[str]) -> set[str]:
    return {part.strip().lower() for value in values for part in value.split(",") if part.strip()}


def check(planned: Planned, status: int, items: list[tuple[str, str]]) -> list[str]:
    """What is wrong with one response, given its own request; ``[]`` when right."""
    problems: list[str] = []
    where = f"{planned.method} {planned.path} [{planned.route}/{planned.kind}]"
    origin = dict(planned.headers).get("Origin")
    if planned.status == 0:
        # Any answer but a server error (a preflight to a server without CORS).
        if status >= 500:
            problems.append(f"{where} Origin={origin!r}: status {status}")
    elif status != planned.status and not (
        isinstance(planned.status, frozenset) and status in planned.status
    ):
        problems.append(f"{where} Origin={origin!r}: status {status}, expected {planned.status}")
    seen = Counter(name.lower() for name, _ in items)
    for name in CORS_HEADERS:
        if seen[name] > 1:
            problems.append(f"{where}: {name} appears {seen[name]} times")
    values: dict[str, list[str]] = {}
    for name, value in items:
        values.setdefault(name.lower(), []).append(value)
    if not planned.cors:
        present = sorted(name for name in seen if name.startswith("access-control-"))
        if present:
            problems.append(f"{where}: CORS headers {present} from a server without drf_cors")
        return problems
    acao = values.get("access-control-allow-origin", [None])[0]
    if acao != planned.acao:
        problems.append(
            f"{where} Origin={origin!r}: Access-Control-Allow-Origin {acao!r}, "
            f"expected {planned.acao!r}"
        )
    acac = values.get("access-control-allow-credentials", [None])[0]
    want_acac = "true" if planned.credentials and planned.acao is not None else None
    if acac != want_acac:
        problems.append(f"{where} Origin={origin!r}: ACAC {acac!r}, expected {want_acac!r}")
    if planned.kind == "actual":
        expose = values.get("access-control-expose-headers", [None])[0]
        want_expose = planned.expose if planned.acao is not None else None
        if expose != want_expose:
            problems.append(f"{where} Origin={origin!r}: Expose {expose!r}, want {want_expose!r}")
    if planned.vary_origin and "origin" not in _tokens(values.get("vary", [])):
        problems.append(f"{where}: Vary {values.get('vary')!r} lacks Origin")
    return problems


async def _run(
    base_url: str,
    plan: list[Planned],
    result: RunResult,
    concurrency: int,
    deadline: float,
) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(30.0, pool=60.0)
    pending = iter(plan)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:

        async def worker() -> None:
            for planned in pending:
                if time.monotonic() > deadline:
                    result.timed_out = True
                    return
                try:
                    response = await client.request(
                        planned.method,
                        planned.path,
                        headers=list(planned.headers),
                        content=planned.body,
                    )
                except httpx.HTTPError as exc:
                    result.transport_errors.append(f"{planned.method} {planned.path}: {exc!r}")
                    continue
                result.completed += 1
                result.statuses[response.status_code] += 1
                result.kinds[planned.kind] += 1
                result.problems.extend(
                    check(planned, response.status_code, response.headers.multi_items())
                )

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def run(
    label: str,
    base_url: str,
    plan: list[Planned],
    *,
    concurrency: int = 32,
    time_limit: float = 240.0,
) -> RunResult:
    """Send every planned request at ``concurrency``; stops at ``time_limit`` seconds."""
    result = RunResult(label=label, planned=len(plan), concurrency=concurrency)
    started = time.perf_counter()
    asyncio.run(_run(base_url, plan, result, concurrency, time.monotonic() + time_limit))
    result.seconds = time.perf_counter() - started
    return result


def merge(results: list[RunResult]) -> RunResult:
    """Several runs of one server as one: counts added, seconds summed."""
    merged = RunResult(
        label=results[0].label,
        planned=sum(r.planned for r in results),
        concurrency=results[0].concurrency,
    )
    for result in results:
        merged.seconds += result.seconds
        merged.completed += result.completed
        merged.statuses.update(result.statuses)
        merged.kinds.update(result.kinds)
        merged.transport_errors.extend(result.transport_errors)
        merged.problems.extend(result.problems)
        merged.timed_out |= result.timed_out
    return merged
