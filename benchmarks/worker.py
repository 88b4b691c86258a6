"""The benchmark worker: every configuration and variant in one process, driven over stdin/stdout.

``python -m benchmarks.worker CONFIG...`` configures Django, builds one WSGI
handler (and, for the default size, one ASGI handler) per configuration and
variant, checks that every variant decides alike, then answers the parent
line by line:

- ``{"cmd": "round", "seed": N}`` times one batch per (scenario, variant), in
  an order shuffled by ``seed``, and prints ``{"times": {cell: ns_per_request}}``;
- ``{"cmd": "quit"}`` exits.

Settings are process-global, so the variants differ only in what Django
lets differ per handler: each handler is built with its own ``MIDDLEWARE``
(``BaseHandler.load_middleware`` reads it once, at construction) and each
variant has its own one-route URLconf, selected by setting ``ROOT_URLCONF``
before its batch (Django reads it on every request). Every route has the same
path, so URL resolution costs the same for every variant.

The configuration sizes (3 origins, 1,000 + 50 regexes, 10,000) share the
process too, so "flat in the number of origins" compares figures taken side
by side: before a batch the worker switches both libraries to its cell's
configuration (``use_config``), and the untimed request that opens every
batch slice lets drf_cors compile the first time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import random
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

from .scenarios import (
    CONFIGS,
    DRF_CORS_VARIANTS,
    REFERENCE,
    REFERENCE_SUFFIX,
    SCENARIOS,
    Config,
    Scenario,
    variants_for,
)

#: The process's CPU time (all threads: ASGI hops to one) by default: on a shared machine, time
#: spent preempted by other processes is not the request's cost, and wall
#: time would charge it to whichever variant was running (``--clock wall``).
CLOCKS: dict[str, Callable[[], int]] = {"cpu": time.process_time_ns, "wall": time.perf_counter_ns}
CLOCK = CLOCKS["cpu"]
PATH = "/api/items/"
HOST = "api.example.com"
COMMON = "django.middleware.common.CommonMiddleware"
MIDDLEWARE: dict[str, list[str]] = {
    "baseline": [COMMON],
    "baseline-fn": [COMMON],
    "django-cors-headers": ["corsheaders.middleware.CorsMiddleware", COMMON],
    "drf_cors middleware": ["drf_cors.middleware.CorsMiddleware", COMMON],
    "drf_cors view": ["drf_cors.middleware.CorsMiddleware", COMMON],
    "drf_cors function": ["drf_cors.middleware.CorsMiddleware", COMMON],
}
for _variant in DRF_CORS_VARIANTS:
    MIDDLEWARE[_variant + REFERENCE_SUFFIX] = MIDDLEWARE[_variant]


def cors_settings(config: Config) -> dict[str, Any]:
    """Both libraries get the same origins, regexes and (default) everything else."""
    origins, regexes = list(config.origins), list(config.regexes)
    return {
        "CORS_ALLOWED_ORIGINS": origins,
        "CORS_ALLOWED_ORIGIN_REGEXES": regexes,
        "REST_FRAMEWORK": {"CORS": {"ALLOWED_ORIGINS": origins, "ALLOWED_ORIGIN_REGEXES": regexes}},
    }


_current: list[Config] = []
#: Per configuration: drf_cors' compiled caches as that configuration left them.
_caches: dict[str, tuple[Any, ...]] = {}
_CACHE_NAMES = (("conf", "_compiled"), ("conf", "_state"), ("_routes", "_routes"))
_CACHE_NAMES += (("_routes", "_class_policies"),)


def use_config(config: Config) -> None:
    """Give both libraries ``config``'s settings, drf_cors its compiled caches.

    django-cors-headers reads its settings on every request: assigning them
    is all it needs. drf_cors compiles on first use and keeps the result
    until ``setting_changed``; recompiling at every switch would free and
    rebuild 10,000-entry structures, which measurably slowed the requests
    after it (heap and cache effects, nothing a steady process pays). So the
    worker keeps each configuration's caches (private names, pinned by the
    smoke test) and swaps them in: each variant runs with exactly what a
    process configured that way holds after its first request.
    """
    if _current and _current[0] is config:
        return
    from django.conf import settings

    from drf_cors import _routes, conf

    modules = {"conf": conf, "_routes": _routes}
    if _current:
        _caches[_current[0].name] = tuple(
            getattr(modules[module], name) for module, name in _CACHE_NAMES
        )
    for name, value in cors_settings(config).items():
        setattr(settings, name, value)
    fresh = tuple({} for _ in _CACHE_NAMES)
    for (module, name), cache in zip(_CACHE_NAMES, _caches.get(config.name, fresh), strict=True):
        setattr(modules[module], name, cache)
    _current[:] = [config]


def configure(config: Config) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmarks-only-not-secret",
        ALLOWED_HOSTS=[HOST],
        USE_TZ=True,
        ROOT_URLCONF="benchmarks._urls_default_wsgi_baseline",
        DATABASES={},
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "corsheaders",
            "drf_cors",
        ],
        MIDDLEWARE=[],
        **cors_settings(config),
    )
    import django

    django.setup()
    _current[:] = [config]


def build_views(config: Config) -> dict[tuple[str, str], Callable[..., Any]]:
    """``(interface, variant) -> view``: one DRF view shape per variant, same work."""
    from django.http import HttpRequest, JsonResponse
    from rest_framework.decorators import api_view
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from drf_cors import CorsAPIViewMixin, CorsPolicy, cors_policy

    fields: dict[str, Any] = {
        "allowed_origins": list(config.origins),
        "allowed_origin_regexes": list(config.regexes),
    }

    class Items(APIView):
        def get(self, request: Request) -> Response:
            return Response({"ok": True})

        def post(self, request: Request) -> Response:
            return Response({"ok": True})

    class CorsItems(CorsAPIViewMixin, Items):
        cors = CorsPolicy(**fields)

    @api_view(["GET", "POST"])
    def items(request: Request) -> Response:
        return Response({"ok": True})

    @api_view(["GET", "POST"])
    @cors_policy(**fields)
    def cors_items(request: Request) -> Response:
        return Response({"ok": True})

    async def async_items(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"ok": True})

    @cors_policy(**fields)
    async def cors_async_items(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"ok": True})

    plain = Items.as_view()
    return {
        ("wsgi", "baseline"): plain,
        ("wsgi", "baseline-fn"): items,
        ("wsgi", "django-cors-headers"): plain,
        ("wsgi", "drf_cors middleware"): plain,
        ("wsgi", "drf_cors view"): CorsItems.as_view(),
        ("wsgi", "drf_cors function"): cors_items,
        ("asgi", "baseline"): async_items,
        ("asgi", "django-cors-headers"): async_items,
        ("asgi", "drf_cors middleware"): async_items,
        ("asgi", "drf_cors function"): cors_async_items,
    }


def urlconf_for(config: str, interface: str, variant: str, view: Callable[..., Any]) -> str:
    from django.urls import path

    slug = variant.replace(" ", "_").replace("-", "_")
    name = f"benchmarks._urls_{config}_{interface}_{slug}"
    module = types.ModuleType(name)
    module.urlpatterns = [path(PATH.strip("/") + "/", view)]  # type: ignore[attr-defined]
    sys.modules[name] = module
    return name


def build_handler(interface: str, variant: str) -> Any:
    from django.conf import settings
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    saved = settings.MIDDLEWARE
    settings.MIDDLEWARE = MIDDLEWARE[variant]
    try:
        return ASGIHandler() if interface == "asgi" else WSGIHandler()
    finally:
        settings.MIDDLEWARE = saved


def environ(scenario: Scenario) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": scenario.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT": "application/json",
        "HTTP_USER_AGENT": "drf-cors-benchmarks",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in scenario.headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def scope(scenario: Scenario) -> dict[str, Any]:
    headers = [
        (b"host", HOST.encode()),
        (b"accept", b"application/json"),
        (b"user-agent", b"drf-cors-benchmarks"),
        *((k.lower().encode(), v.encode()) for k, v in scenario.headers.items()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": scenario.method,
        "scheme": "https",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": (HOST, 443),
    }


class Cell:
    """One (scenario, variant): a handler, its URLconf and a request to replay."""

    def __init__(self, scenario: Scenario, variant: str, handler: Any, urlconf: str) -> None:
        self.key = f"{scenario.name}|{variant}"
        # Only the middleware reads the global settings: the view and
        # function variants carry their (3-origin) policy themselves.
        if variant == "drf_cors middleware" + REFERENCE_SUFFIX:
            self.config = REFERENCE
        else:
            self.config = CONFIGS[scenario.config]
        self.scenario = scenario
        self.variant = variant
        self.handler = handler
        self.urlconf = urlconf
        self.iterations = 1
        self.loop: asyncio.AbstractEventLoop | None = None
        if scenario.interface == "asgi":
            self.scope = scope(scenario)
        else:
            self.environ = environ(scenario)

    def run(self, n: int) -> tuple[int, dict[str, str], int]:
        """Serve ``n`` requests; ``(elapsed ns, last response headers, last status)``."""
        from django.conf import settings

        use_config(self.config)
        settings.ROOT_URLCONF = self.urlconf
        if self.scenario.interface == "asgi":
            assert self.loop is not None
            return self.loop.run_until_complete(self._run_asgi(n))
        handler, base = self.handler, self.environ
        seen: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen[:] = [status, headers]

        start = CLOCK()
        for _ in range(n):
            # A fresh environ per request, as a WSGI server gives; the body
            # is empty and never read, so the BytesIO can be shared.
            response = handler(dict(base), start_response)
            response.close()  # the server's job: fires request_finished
        elapsed = CLOCK() - start
        return elapsed, dict(seen[1]), int(seen[0].split()[0])

    async def _run_asgi(self, n: int) -> tuple[int, dict[str, str], int]:
        # ASGIHandler.handle() also reads the body, sends request_started and
        # runs each request in a fresh ThreadSensitiveContext, whose executor
        # thread costs hundreds of µs and varies by as much: identical for
        # every variant, free of CORS code, and enough to drown it. The
        # handler's own create_request() and get_response_async() (the async
        # middleware chain, URL resolution and the view) are what is timed.
        handler, base = self.handler, self.scope
        response: Any = None
        start = CLOCK()
        for _ in range(n):
            request, _ = handler.create_request(dict(base), io.BytesIO(b""))
            response = await handler.get_response_async(request)
            response.close()  # the handler's job after sending: request_finished
        elapsed = CLOCK() - start
        return elapsed, dict(response.items()), int(response.status_code)


def build_cells(configs: list[Config]) -> list[Cell]:
    cells = []
    loop = asyncio.new_event_loop()
    for config in configs:
        views = build_views(config)
        if config.name == "10k":
            for (interface, variant), view in build_views(REFERENCE).items():
                views[interface, variant + REFERENCE_SUFFIX] = view
        handlers: dict[tuple[str, str], tuple[Any, str]] = {}
        for scenario in SCENARIOS:
            if scenario.config != config.name:
                continue
            for variant in variants_for(scenario):
                key = (scenario.interface, variant)
                if key not in handlers:
                    urlconf = urlconf_for(config.name, *key, views[key])
                    handlers[key] = (build_handler(*key), urlconf)
                cell = Cell(scenario, variant, *handlers[key])
                cell.loop = loop
                cells.append(cell)
    return cells


def check(cell: Cell) -> dict[str, Any]:
    """What the variant answered; the parent refuses to time variants that disagree."""
    _, headers, status = cell.run(1)
    lower = {k.lower(): v for k, v in headers.items()}
    return {
        "status": status,
        "acao": lower.get("access-control-allow-origin"),
        "vary": lower.get("vary"),
    }


def calibrate(cells: list[Cell], batch_ms: float) -> None:
    """Pick each cell's batch size so one batch takes about ``batch_ms``."""
    for cell in cells:
        cell.run(3)  # warm caches (compiled policies, resolvers, re cache)
        n = 1
        while True:
            elapsed, _, _ = cell.run(n)
            if elapsed >= batch_ms * 1e6 / 4 or n >= 1 << 20:
                break
            n *= 2
        cell.iterations = max(1, round(n * batch_ms * 1e6 / max(elapsed, 1)))


def run_round(cells: list[Cell], seed: int, slices: int) -> dict[str, float]:
    """One batch per cell; a scenario's variants run side by side, in slices.

    Scenarios come in a shuffled order; within one, each variant's batch is
    cut into ``slices`` parts served in turn (A B C, C A B, ...), so whatever
    the machine does meanwhile (other processes, frequency changes) falls on
    every variant of the scenario alike, and the paired differences the
    parent takes are between batches a few milliseconds apart.
    """
    rng = random.Random(seed)
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.scenario.name, []).append(cell)
    order = list(groups.values())
    rng.shuffle(order)
    times: dict[str, float] = {}
    for group in order:
        elapsed = dict.fromkeys((cell.key for cell in group), 0)
        served = dict.fromkeys(elapsed, 0)
        for _ in range(slices):
            rng.shuffle(group)
            for cell in group:
                # As timeit does: no collection inside a timed slice, or which
                # slice pays for a (full) collection would depend on its size
                # and on the heap, a bias of tens of µs unrelated to the
                # variant. DRF's view and request refer to each other, so
                # every request leaves a cycle: collect before each slice to
                # keep the heap from growing, then serve one untimed request,
                # since collecting (and the cell before: 10,000 urlsplit()
                # calls) evicted this cell's code and data from the caches.
                gc.collect()
                cell.run(1)
                n = max(1, cell.iterations // slices)
                gc.disable()
                try:
                    elapsed[cell.key] += cell.run(n)[0]
                finally:
                    gc.enable()
                served[cell.key] += n
        for key, ns in elapsed.items():
            times[key] = ns / served[key]
        times.update(flat_pairs(group))
    return times


def flat_pairs(group: list[Cell]) -> dict[str, float]:
    """10,000 origins against 3, one request each in turn, timed one by one.

    The difference sought (a set lookup in a larger set) is far below what
    two batches apart can resolve on a shared machine, so each pair of
    requests is compared directly: ``{"<10k cell>|vs3": median ns difference}``.
    """
    by_variant = {cell.variant: cell for cell in group}
    pairs = [
        (by_variant[v], by_variant[v + REFERENCE_SUFFIX])
        for v in DRF_CORS_VARIANTS
        if v + REFERENCE_SUFFIX in by_variant
    ]
    result: dict[str, float] = {}
    for big, small in pairs:
        gc.collect()
        big.run(1)
        small.run(1)
        # The request served first of a pair costs about 1 µs more (a cell
        # compared with itself shows it), so the order alternates and the
        # two orders' medians are averaged: the position cost cancels.
        first: list[int] = []
        second: list[int] = []
        gc.disable()
        try:
            for i in range(max(2, big.iterations)):
                if i % 2:
                    t_small = small.run(1)[0]
                    second.append(big.run(1)[0] - t_small)
                else:
                    t_big = big.run(1)[0]
                    first.append(t_big - small.run(1)[0])
        finally:
            gc.enable()
        result[big.key + "|vs3"] = (statistics.median(first) + statistics.median(second)) / 2
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("configs", nargs="+", choices=sorted(CONFIGS))
    parser.add_argument("--batch-ms", type=float, default=20.0)
    parser.add_argument("--slices", type=int, default=5)
    parser.add_argument(
        "--iterations", type=int, default=0, help="fixed batch size (no calibration)"
    )
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = CLOCKS[args.clock]
    configs = [CONFIGS[name] for name in args.configs]
    configure(configs[0])
    import logging

    # Nothing listens on drf_cors' logger in a default project; say so
    # explicitly so a developer's environment cannot change the figures.
    logging.getLogger("drf_cors").setLevel(logging.WARNING)
    cells = build_cells(configs)
    checks = {cell.key: check(cell) for cell in cells}
    if args.iterations:
        for cell in cells:
            cell.iterations = args.iterations
    else:
        calibrate(cells, args.batch_ms)
    # Startup objects (settings, compiled policies, 10,000 origins) never
    # die; keep them out of every later collection.
    gc.collect()
    gc.freeze()
    out = sys.stdout
    ready = {"ready": True, "checks": checks, "iterations": {c.key: c.iterations for c in cells}}
    out.write(json.dumps(ready) + "\n")
    out.flush()
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        out.write(json.dumps({"times": run_round(cells, command["seed"], args.slices)}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
