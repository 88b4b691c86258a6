"""The benchmark worker: every configuration and variant in one process, driven over stdin/stdout.

``python -m benchmarks.worker CONFIG...`` configures Django, builds one WSGI
handler (and, where a configuration has ASGI scenarios, one ASGI handler) per
configuration and variant, records what every variant answers (twice, in two
orders), then answers the parent line by line:

- ``{"cmd": "round", "seed": N}`` times one batch per (scenario, variant), in
  an order shuffled by ``seed``, plus the request pairs (``scenarios.PAIRS``),
  the regex engine alone and the origins source's refresh, and prints
  ``{"times": {key: ns}}``;
- ``{"cmd": "quit"}`` exits.

Settings are process-global, so the variants differ only in what Django
lets differ per handler: each handler is built with its own ``MIDDLEWARE``
(``BaseHandler.load_middleware`` reads it once, at construction) and each
variant has its own one-route URLconf, selected by setting ``ROOT_URLCONF``
before its batch (Django reads it on every request). Every route has the same
path, so URL resolution costs the same for every variant.

The configurations (``scenarios.CONFIGS``: sizes, wildcards, regexes, ``*``
headers, an origins source) share the process too, so a request and its twin
are compared in figures taken side by side: before a batch the worker
switches both libraries to its cell's configuration (``use_config``), and the
untimed request that opens every batch slice lets drf_cors compile the first
time.

Every request gets fresh header strings, decoded from bytes as a WSGI server
does: a ``str`` caches its hash, and replaying one object would hide what
hashing an 8 KB ``Origin`` costs a server that builds it per request.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import random
import re
import statistics
import sys
import threading
import time
import types
from collections.abc import Callable
from typing import Any

from .scenarios import (
    CONFIGS,
    DEFAULT_HEADERS,
    DRF_CORS_VARIANTS,
    PAIRS,
    REFERENCE,
    REFERENCE_SUFFIX,
    SCENARIOS,
    SOURCE_REFRESH_S,
    Config,
    Pair,
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


_settings: dict[str, dict[str, Any]] = {}


def cors_settings(config: Config) -> dict[str, Any]:
    """Both libraries get the same origins, regexes and (default) everything else.

    drf_cors' ``*.`` patterns reach django-cors-headers as the regexes its
    users write instead (``scenarios.wildcard_regex``); an origins source
    exists for drf_cors only. Built once per configuration: ``use_config``
    assigns the same objects at every switch, since building them (10,000
    strings read, lists copied) right before a timed request would evict
    that request's code and data from the CPU caches.
    """
    found = _settings.get(config.name)
    if found is None:
        found = _settings[config.name] = _build_settings(config)
    return found


def _build_settings(config: Config) -> dict[str, Any]:
    cors: dict[str, Any]
    if config.source is not None:
        cors = {"ALLOWED_ORIGINS_SOURCE": config.source, "ORIGINS_REFRESH": SOURCE_REFRESH_S}
    else:
        cors = {
            "ALLOWED_ORIGINS": list(config.origins),
            "ALLOWED_ORIGIN_REGEXES": [*config.regexes],
        }
    headers = config.allow_headers
    if headers is not None:
        cors["ALLOW_HEADERS"] = list(headers)
    return {
        "CORS_ALLOWED_ORIGINS": list(config.dch_origins),
        "CORS_ALLOWED_ORIGIN_REGEXES": list(config.dch_regexes),
        "CORS_ALLOW_HEADERS": list(DEFAULT_HEADERS if headers is None else headers),
        "REST_FRAMEWORK": {"CORS": cors},
    }


_current: list[Config] = []
#: Per configuration: drf_cors' compiled caches as that configuration left them.
_caches: dict[str, tuple[Any, ...]] = {}
#: drf_cors' per-process caches derived from settings (private names, pinned
#: by tests/test_benchmarks_smoke.py): compiled policies, settings values,
#: routes' memos and the origins sources (``_sources._registry``: one
#: ``Source`` per callable, with its snapshot and refresh deadline).
CACHE_NAMES = (
    ("conf", "_compiled"),
    ("conf", "_state"),
    ("_routes", "_routes"),
    ("_routes", "_class_policies"),
    ("_sources", "_registry"),
)


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

    from drf_cors import _routes, _sources, conf

    modules = {"conf": conf, "_routes": _routes, "_sources": _sources}
    if _current:
        _caches[_current[0].name] = tuple(
            getattr(modules[module], name) for module, name in CACHE_NAMES
        )
    for name, value in cors_settings(config).items():
        setattr(settings, name, value)
    fresh = tuple({} for _ in CACHE_NAMES)
    for (module, name), cache in zip(CACHE_NAMES, _caches.get(config.name, fresh), strict=True):
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
        # ORIGINS_CACHE: a per-process cache, so this process reads the source
        # itself every ORIGINS_REFRESH (with a shared cache, one process of all).
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
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
    from django.utils.module_loading import import_string
    from rest_framework.decorators import api_view
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from drf_cors import CorsAPIViewMixin, CorsPolicy, cors_policy

    fields: dict[str, Any]
    if config.source is not None:
        # The callable itself: the same source (by dotted name) as the global setting's.
        fields = {"allowed_origins_source": import_string(config.source)}
    else:
        fields = {
            "allowed_origins": list(config.origins),
            "allowed_origin_regexes": list(config.regexes),
        }
    if config.allow_headers is not None:
        fields["allow_headers"] = list(config.allow_headers)

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


def wire(scenario: Scenario) -> list[tuple[str, bytes]]:
    """The scenario's own headers as a server receives them: ``(WSGI key, raw bytes)``."""
    return [
        ("HTTP_" + name.upper().replace("-", "_"), value.encode("utf-8"))
        for name, value in scenario.headers.items()
    ]


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
    for key, raw in wire(scenario):
        env[key] = raw.decode("latin-1")  # PEP 3333: header bytes as latin-1
    return env


def scope(scenario: Scenario) -> dict[str, Any]:
    headers = [
        (b"host", HOST.encode()),
        (b"accept", b"application/json"),
        (b"user-agent", b"drf-cors-benchmarks"),
        *((k.lower().encode(), v.encode("utf-8")) for k, v in scenario.headers.items()),
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
            self.wire = wire(scenario)

    def run(self, n: int) -> tuple[int, dict[str, str], int]:
        """Serve ``n`` requests; ``(elapsed ns, last response headers, last status)``."""
        from django.conf import settings

        use_config(self.config)
        settings.ROOT_URLCONF = self.urlconf
        if self.scenario.interface == "asgi":
            assert self.loop is not None
            return self.loop.run_until_complete(self._run_asgi(n))
        handler, base, raw_headers = self.handler, self.environ, self.wire
        seen: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen[:] = [status, headers]

        start = CLOCK()
        for _ in range(n):
            # A fresh environ per request, as a WSGI server gives, with fresh
            # header strings (none has its hash cached); the body is empty
            # and never read, so the BytesIO can be shared.
            env = dict(base)
            for key, raw in raw_headers:
                env[key] = raw.decode("latin-1")
            response = handler(env, start_response)
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
    acah = lower.get("access-control-allow-headers")
    return {
        "status": status,
        "acao": lower.get("access-control-allow-origin"),
        "vary": lower.get("vary"),
        # Echoed names can be 8 KB: the check keeps their count and size.
        "acah": acah
        if acah is None or len(acah) <= 80
        else f"<{acah.count(',') + 1} names, {len(acah)} bytes>",
    }


def check_all(cells: list[Cell]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every cell's answer, and the cells that answered otherwise in a second pass.

    The second pass runs in the reverse order, so every cell follows other
    configurations than in the first: a per-process cache that ``use_config``
    does not swap (say, a new one in drf_cors) shows up as a cell whose answer
    depends on which configuration ran before it.
    """
    first = {cell.key: check(cell) for cell in cells}
    second = {cell.key: check(cell) for cell in reversed(cells)}
    return first, [key for key in first if first[key] != second[key]]


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
    """One batch per cell; a group's cells run side by side, in slices.

    A group is a scenario with the scenarios judged against it (its
    adversarial twins, its source twin: ``Scenario.group``). Groups come in a
    shuffled order; within one, each cell's batch is cut into ``slices``
    parts served in turn (A B C, C A B, ...), so whatever the machine does
    meanwhile (other processes, frequency changes) falls on every variant
    alike, and the paired differences the parent takes are between batches a
    few milliseconds apart. Then the group's request pairs, and for its
    regex scenarios the regex engine alone.
    """
    rng = random.Random(seed)
    by_key = {cell.key: cell for cell in cells}
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.scenario.group, []).append(cell)
    order = list(groups.values())
    rng.shuffle(order)
    times: dict[str, float] = {}
    for group in order:
        names = {cell.scenario.name for cell in group}
        source_cells = [cell for cell in group if cell.scenario.kind == "source"]
        if source_cells:
            times[SOURCE_REFRESH_KEY] = refresh_cycle(source_cells[0])
        elapsed = dict.fromkeys((cell.key for cell in group), 0)
        served = dict.fromkeys(elapsed, 0)
        for index in range(slices):
            rng.shuffle(group)
            for cell in group:
                # A batch is cut into ``slices`` shares that add up to it: a
                # cell whose one request outlasts a slice (django-cors-headers
                # with 1,000 regexes) is served in fewer slices, not more.
                n = (cell.iterations * (index + 1)) // slices - (cell.iterations * index) // slices
                if n == 0:
                    continue
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
                gc.disable()
                try:
                    elapsed[cell.key] += cell.run(n)[0]
                finally:
                    gc.enable()
                served[cell.key] += n
        for key, ns in elapsed.items():
            times[key] = ns / served[key]
        for pair in PAIRS:
            if pair.scenario in names:
                times.update(run_pair(pair, by_key))
        for cell in group:
            if cell.scenario.kind == "regex" and cell.variant == "baseline":
                times.update(regex_engine(cell.scenario))
    return times


def run_pair(pair: Pair, by_key: dict[str, Cell]) -> dict[str, float]:
    """``{"<scenario>|<variant>|<label>": median ns difference}`` for each drf_cors variant."""
    result: dict[str, float] = {}
    for variant in DRF_CORS_VARIANTS:
        measured = by_key.get(f"{pair.scenario}|{variant}")
        reference = by_key.get(f"{pair.reference}|{variant}{pair.suffix}")
        if measured is None or reference is None:
            continue
        result[f"{measured.key}|{pair.label}"] = paired(measured, reference)
    return result


def paired(measured: Cell, reference: Cell) -> float:
    """Median cost difference of two cells, one request each in turn, timed one by one.

    The differences sought (a set lookup in a larger set, a source's snapshot
    next to a listed set) are far below what two batches apart can resolve on
    a shared machine, so each pair of requests is compared directly.
    """
    gc.collect()
    measured.run(1)
    reference.run(1)
    # The request served first of a pair costs about 1 µs more (a cell
    # compared with itself shows it), so the order alternates and the
    # two orders' medians are averaged: the position cost cancels.
    first: list[int] = []
    second: list[int] = []
    gc.disable()
    try:
        for i in range(max(2, measured.iterations)):
            if i % 2:
                t_reference = reference.run(1)[0]
                second.append(measured.run(1)[0] - t_reference)
            else:
                t_measured = measured.run(1)[0]
                first.append(t_measured - reference.run(1)[0])
    finally:
        gc.enable()
    return (statistics.median(first) + statistics.median(second)) / 2


#: Key of the source's refresh cycle in a round's times (ns).
SOURCE_REFRESH_KEY = "@source|refresh cycle"


def _join_readers() -> None:
    for thread in threading.enumerate():
        if thread.name == "drf_cors-origins":
            thread.join()


def refresh_cycle(cell: Cell) -> float:
    """CPU ns of what the origins source costs a process once per ``ORIGINS_REFRESH``.

    In steady state the first request after the deadline looks at the shared
    entry (``Source.check``: a cache read) and, the entry being as old as the
    interval, has the source read again in a background thread (call,
    validate every entry, compile, publish). A once-per-10-s event cannot show
    in a median of requests, and a background thread's CPU lands on whichever
    request runs beside it, so the cycle is timed here, whole, and the parent
    amortises it (``run.py``): ``refresh_origins()`` (exactly that read and
    publish), then the look at the shared entry. Done at the start of the
    source group, it also starts a new interval, so no read runs in the
    background while the group is timed.
    """
    from django.conf import settings

    import drf_cors
    from drf_cors import _sources

    use_config(cell.config)
    settings.ROOT_URLCONF = cell.urlconf  # refresh_origins() imports it
    _join_readers()
    gc.collect()
    gc.disable()
    try:
        start = CLOCK()
        drf_cors.refresh_origins()
        for source in _sources.known():
            source.due = 0.0
            source.check()
        elapsed = CLOCK() - start
    finally:
        gc.enable()
    return float(elapsed)


_regex_cache: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {}


def regex_engine(scenario: Scenario, calls: int = 400) -> dict[str, float]:
    """ns per call of the regex engine alone, on the scenario's ``Origin`` and configuration.

    ``combined``: one ``fullmatch`` of the alternation of every regex (as
    drf_cors' matcher combines them); ``one by one``: ``re.match`` per regex,
    django-cors-headers' own loop.
    """
    config = CONFIGS[scenario.config]
    if config.name not in _regex_cache:
        combined = re.compile("|".join(f"(?:{p})" for p in config.regexes))
        _regex_cache[config.name] = (combined, config.regexes)
    combined, patterns = _regex_cache[config.name]
    raw = scenario.headers["Origin"].encode("utf-8")
    origin = raw.decode("latin-1")
    result: dict[str, float] = {}
    gc.disable()
    try:
        start = CLOCK()
        for _ in range(calls):
            combined.fullmatch(origin)
        result[f"{scenario.name}|regex engine|combined"] = (CLOCK() - start) / calls
        start = CLOCK()
        for _ in range(max(1, calls // 10)):
            any(re.match(p, origin) for p in patterns)
        result[f"{scenario.name}|regex engine|one by one"] = (CLOCK() - start) / max(1, calls // 10)
    finally:
        gc.enable()
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
    checks, unstable = check_all(cells)
    if args.iterations:
        for cell in cells:
            cell.iterations = args.iterations
    else:
        calibrate(cells, args.batch_ms)
    # Startup objects (settings, compiled policies, 10,000 origins) never
    # die; keep them out of every later collection.
    _join_readers()
    gc.collect()
    gc.freeze()
    out = sys.stdout
    ready = {
        "ready": True,
        "checks": checks,
        "unstable": unstable,
        "iterations": {c.key: c.iterations for c in cells},
    }
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
