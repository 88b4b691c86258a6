"""What is measured: configurations, scenarios, variants, pairs and targets (issues 5, 9, 11).

The parent (``run.py``) reads this to drive the worker and judge targets; the
worker (``worker.py``) reads it to build requests. Keeping both on one table
means a scenario cannot be measured under one name and judged under another.

Every scenario that is judged against another request names it in
``beside``: it is timed side by side with it (one group of slices, see
``worker.run_round``) and reported next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

#: The origin every "allowed" default-size request comes from (the last of three).
DEFAULT_ORIGINS = (
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
)
DISALLOWED = "https://evil.example.net"
#: Two request headers, both in the default allow-list of both libraries.
PREFLIGHT_HEADERS = "content-type, x-requested-with"
#: The default ``ALLOW_HEADERS`` of both libraries (``corsheaders.defaults``).
DEFAULT_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)
#: ``ALLOWED_ORIGINS_SOURCE`` of the "source" configuration, and the
#: ``ORIGINS_REFRESH`` it runs with (the default: what a site gets).
SOURCE_PATH = "benchmarks.scenarios.source_origins"
SOURCE_REFRESH_S = 10


def many_origins(count: int) -> tuple[str, ...]:
    return tuple(f"https://app{i:05d}.example.com" for i in range(count))


def many_regexes(count: int, width: int = 2) -> tuple[str, ...]:
    # Anchored at both ends: django-cors-headers uses re.match (a prefix
    # match), drf_cors fullmatch; with "^...$" both mean the same thing.
    return tuple(rf"^https://pr-\d+\.r{j:0{width}d}\.preview\.example\.net$" for j in range(count))


def many_wildcards(count: int) -> tuple[str, ...]:
    return tuple(f"https://*.t{n}.example.com" for n in range(count))


#: One DNS label as drf_cors matches it under a ``*.`` pattern (``_origins._LABEL``).
_LABEL_RE = r"(?!-)[a-z0-9-]{1,63}(?<!-)"


def wildcard_regex(entry: str) -> str:
    """The django-cors-headers regex for a drf_cors ``scheme://*.host`` entry.

    django-cors-headers has no wildcard origins; this is what its users write
    instead: one or more labels before the suffix, as drf_cors matches them.
    They differ on purpose in one place: drf_cors refuses an ``Origin`` longer
    than any a browser can send (``_origins.MAX_ORIGIN_LENGTH``) before a
    pattern sees it, where the regex grants any length (the 200-label origin).
    """
    scheme, _, host = entry.partition("://")
    if not host.startswith("*.") or ":" in host:
        raise ValueError(f"not a scheme://*.host pattern: {entry!r}")
    suffix = host[2:].replace(".", r"\.")
    return rf"^{scheme}://(?:{_LABEL_RE}\.)+{suffix}$"


@cache
def source_origins() -> tuple[str, ...]:
    """The ``ALLOWED_ORIGINS_SOURCE`` of the "source" configuration: the "10k" origins."""
    return many_origins(10_000)


@dataclass(frozen=True)
class Config:
    """One configuration of both libraries, switched in per cell (``worker.use_config``)."""

    name: str
    #: drf_cors ``ALLOWED_ORIGINS``: exact origins and ``*.`` patterns.
    origins: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    #: ``ALLOW_HEADERS`` of both libraries; ``None``: their (identical) default.
    allow_headers: tuple[str, ...] | None = None
    #: drf_cors only: the origins come from this ``ALLOWED_ORIGINS_SOURCE``
    #: (django-cors-headers has no equivalent and is not measured with it).
    source: str | None = None

    @property
    def wildcards(self) -> tuple[str, ...]:
        return tuple(o for o in self.origins if "://*." in o)

    @property
    def dch_origins(self) -> tuple[str, ...]:
        """django-cors-headers' ``CORS_ALLOWED_ORIGINS``: the exact origins."""
        return tuple(o for o in self.origins if "://*." not in o)

    @property
    def dch_regexes(self) -> tuple[str, ...]:
        """django-cors-headers' ``CORS_ALLOWED_ORIGIN_REGEXES``: regexes, then the patterns'."""
        return (*self.regexes, *(wildcard_regex(w) for w in self.wildcards))


#: The wildcard scenarios' small configuration: "*.example.com" (under which
#: the 200-label origin falls) and the last of the 1,000 patterns, so the
#: 1,000-pattern requests have a twin decided by the same look-ups.
WILD_ORIGINS = (*DEFAULT_ORIGINS, "https://*.example.com", "https://*.t999.example.com")

CONFIGS: dict[str, Config] = {
    "default": Config("default", DEFAULT_ORIGINS),
    "star": Config("star", DEFAULT_ORIGINS, allow_headers=("*",)),
    "wild": Config("wild", WILD_ORIGINS),
    "1kwild": Config("1kwild", (*DEFAULT_ORIGINS, *many_wildcards(1000))),
    "200re": Config("200re", DEFAULT_ORIGINS, many_regexes(200, width=3)),
    "1k": Config("1k", many_origins(1000), many_regexes(50)),
    "10k": Config("10k", many_origins(10_000)),
    "source": Config("source", source=SOURCE_PATH),
}
#: The 10,000-origin scenarios also run each drf_cors variant with only 3 of
#: those origins (the first two and the last, so every request is decided the
#: same way), side by side with the 10,000: "flat in the number of origins"
#: is then a paired difference within one scenario, not across two.
REFERENCE = Config("10k-ref", (*many_origins(2), many_origins(10_000)[-1]))
REFERENCE_SUFFIX = " @3"

#: What a scenario is: an ordinary request (judged against django-cors-headers),
#: adversarial input or configuration size (judged against ``beside``, its
#: ordinary twin: cost <= ADVERSARIAL_LIMIT x), a regex cell (reported against
#: its twin with the regex engine's own share, not judged), or a source cell
#: (judged by request pairs, see ``PAIRS``).
KINDS = ("ordinary", "adversarial", "regex", "source")
ADVERSARIAL_LIMIT = 1.2

#: Adversarial inputs (issue 11).
#: 8 KB, the most a server passes in one header (gunicorn: 8190 bytes). DNS-like
#: labels under a refused domain, so a regex walks all of it; granted by neither.
LONG_ORIGIN = "https://" + "a" * 39 + "." + ("a" * 63 + ".") * 127 + "evil.example.net"
#: 200 labels, then "example.com" (419 characters): under "*.example.com", so
#: django-cors-headers' regex grants it; drf_cors refuses it as longer than any
#: origin a browser sends (a DNS name has at most 253 octets).
LABELS_ORIGIN = "https://" + "a." * 200 + "example.com"
#: A Unicode host as sent raw (UTF-8): browsers send punycode, so granted by neither.
NON_ASCII_ORIGIN = "https://bücher.example.com"
#: 500 names, all listed by default (so a parser reads every one). Any 500 names
#: exceed the 1,024 characters drf_cors reads: it refuses them unread, where
#: django-cors-headers, which never reads the header, answers the preflight.
MANY_HEADERS = ", ".join([PREFLIGHT_HEADERS] * 250)
#: 500 distinct names, none listed: only ``*`` allows them.
MANY_UNLISTED_HEADERS = ", ".join(f"x-custom-{i:03d}" for i in range(500))
#: One name of 8 KB (a valid token).
LONG_HEADER = "x-" + "a" * 8190
#: The ordinary request of the header scenarios: one or two unlisted names.
UNLISTED_HEADER = "x-custom-000"
TWO_UNLISTED_HEADERS = "x-custom-000, x-custom-001"
WILD_SUBDOMAIN = "https://app.t999.example.com"


@dataclass(frozen=True)
class Scenario:
    name: str
    config: str
    description: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    #: "wsgi" or "asgi"
    interface: str = "wsgi"
    #: Whether the drf_cors variants grant the request (checked before timing).
    granted: bool = False
    #: Whether django-cors-headers does, where it differs on purpose: it never
    #: reads ``Access-Control-Request-Headers`` and answers every preflight
    #: from an allowed origin (the browser then refuses), where drf_cors refuses
    #: a header it does not allow with a 403. ``None``: as ``granted``.
    dch_granted: bool | None = None
    kind: str = "ordinary"
    #: The scenario this one is timed beside and judged against (its twin).
    beside: str | None = None

    @property
    def group(self) -> str:
        """Scenarios of one group run side by side (``worker.run_round``)."""
        return self.beside or self.name

    @property
    def granted_by_dch(self) -> bool:
        return self.granted if self.dch_granted is None else self.dch_granted


def _origin(value: str) -> dict[str, str]:
    return {"Origin": value}


def _preflight(origin: str, headers: str = PREFLIGHT_HEADERS) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


_ALLOWED = DEFAULT_ORIGINS[-1]
_DEFAULT_SCENARIOS = [
    ("get-no-origin", "GET, no Origin (same-origin traffic)", "GET", {}, False),
    ("get-allowed", "GET from an allowed origin", "GET", _origin(_ALLOWED), True),
    ("get-disallowed", "GET from a disallowed origin", "GET", _origin(DISALLOWED), False),
    (
        "preflight-allowed",
        "allowed preflight, two request headers",
        "OPTIONS",
        _preflight(_ALLOWED),
        True,
    ),
    ("preflight-rejected", "rejected preflight", "OPTIONS", _preflight(DISALLOWED), False),
]


def _default(name: str) -> Scenario:
    for key, text, method, headers, granted in _DEFAULT_SCENARIOS:
        if key == name:
            return Scenario(key, "default", text, method, headers, "wsgi", granted)
    raise KeyError(name)


def _asgi(scenario: Scenario) -> Scenario:
    """The same request under ASGI (async views, the async middleware chain)."""
    beside = f"asgi-{scenario.beside}" if scenario.beside else None
    return Scenario(
        f"asgi-{scenario.name}",
        scenario.config,
        f"ASGI: {scenario.description}",
        scenario.method,
        scenario.headers,
        "asgi",
        scenario.granted,
        scenario.dch_granted,
        scenario.kind,
        beside,
    )


_HEADERS_500 = Scenario(
    "preflight-500-headers",
    "default",
    "preflight, 500 listed request headers",
    "OPTIONS",
    _preflight(_ALLOWED, MANY_HEADERS),
    dch_granted=True,
    kind="adversarial",
    beside="preflight-allowed",
)
_WILD_DISALLOWED = Scenario(
    "wild-get-disallowed",
    "wild",
    "wildcards: GET from a disallowed origin",
    headers=_origin(DISALLOWED),
)
_WILD_LONG = Scenario(
    "wild-get-8kb-origin",
    "wild",
    "wildcards: GET from an 8 KB origin",
    headers=_origin(LONG_ORIGIN),
    kind="adversarial",
    beside="wild-get-disallowed",
)
_WILD_PREFLIGHT_DISALLOWED = Scenario(
    "wild-preflight-disallowed",
    "wild",
    "wildcards: preflight from a disallowed origin",
    "OPTIONS",
    _preflight(DISALLOWED),
)
_WILD_PREFLIGHT_LONG = Scenario(
    "wild-preflight-8kb-origin",
    "wild",
    "wildcards: preflight from an 8 KB origin",
    "OPTIONS",
    _preflight(LONG_ORIGIN),
    kind="adversarial",
    beside="wild-preflight-disallowed",
)

SCENARIOS: list[Scenario] = [
    _default("get-no-origin"),
    _default("get-allowed"),
    Scenario(
        "200re-get-last-regex",
        "200re",
        "200 regexes: GET matched only by the last regex",
        headers=_origin("https://pr-7.r199.preview.example.net"),
        granted=True,
        kind="regex",
        beside="get-allowed",
    ),
    _default("get-disallowed"),
    Scenario(
        "200re-get-disallowed",
        "200re",
        "200 regexes: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
        kind="regex",
        beside="get-disallowed",
    ),
    _default("preflight-allowed"),
    _HEADERS_500,
    Scenario(
        "preflight-unlisted-header",
        "default",
        "preflight with an unlisted request header",
        "OPTIONS",
        _preflight(_ALLOWED, UNLISTED_HEADER),
        dch_granted=True,
    ),
    Scenario(
        "preflight-8kb-header",
        "default",
        "preflight with an 8 KB unlisted request header",
        "OPTIONS",
        _preflight(_ALLOWED, LONG_HEADER),
        dch_granted=True,
        kind="adversarial",
        beside="preflight-unlisted-header",
    ),
    _default("preflight-rejected"),
    Scenario(
        "star-preflight-allowed",
        "star",
        "ALLOW_HEADERS *: preflight, two unlisted request headers",
        "OPTIONS",
        _preflight(_ALLOWED, TWO_UNLISTED_HEADERS),
        granted=True,
    ),
    Scenario(
        "star-preflight-500-headers",
        "star",
        "ALLOW_HEADERS *: preflight, 500 unlisted request headers",
        "OPTIONS",
        _preflight(_ALLOWED, MANY_UNLISTED_HEADERS),
        dch_granted=True,
        kind="adversarial",
        beside="star-preflight-allowed",
    ),
    Scenario(
        "star-preflight-8kb-header",
        "star",
        "ALLOW_HEADERS *: preflight, an 8 KB request header",
        "OPTIONS",
        _preflight(_ALLOWED, LONG_HEADER),
        dch_granted=True,
        kind="adversarial",
        beside="star-preflight-allowed",
    ),
    Scenario(
        "wild-get-subdomain",
        "wild",
        "wildcards: GET from a subdomain",
        headers=_origin(WILD_SUBDOMAIN),
        granted=True,
    ),
    Scenario(
        "wild-get-200-labels",
        "wild",
        "wildcards: GET from a 200-label subdomain",
        headers=_origin(LABELS_ORIGIN),
        dch_granted=True,
        kind="adversarial",
        beside="wild-get-subdomain",
    ),
    Scenario(
        "1kwild-get-last",
        "1kwild",
        "1,000 wildcards: GET from a subdomain of the last",
        headers=_origin(WILD_SUBDOMAIN),
        granted=True,
        kind="adversarial",
        beside="wild-get-subdomain",
    ),
    _WILD_DISALLOWED,
    _WILD_LONG,
    Scenario(
        "wild-get-non-ascii",
        "wild",
        "wildcards: GET from a non-ASCII origin",
        headers=_origin(NON_ASCII_ORIGIN),
        kind="adversarial",
        beside="wild-get-disallowed",
    ),
    Scenario(
        "1kwild-get-disallowed",
        "1kwild",
        "1,000 wildcards: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
        kind="adversarial",
        beside="wild-get-disallowed",
    ),
    Scenario(
        "wild-preflight-subdomain",
        "wild",
        "wildcards: preflight from a subdomain",
        "OPTIONS",
        _preflight(WILD_SUBDOMAIN),
        granted=True,
    ),
    Scenario(
        "wild-preflight-200-labels",
        "wild",
        "wildcards: preflight from a 200-label subdomain",
        "OPTIONS",
        _preflight(LABELS_ORIGIN),
        dch_granted=True,
        kind="adversarial",
        beside="wild-preflight-subdomain",
    ),
    _WILD_PREFLIGHT_DISALLOWED,
    _WILD_PREFLIGHT_LONG,
    Scenario(
        "wild-preflight-non-ascii",
        "wild",
        "wildcards: preflight from a non-ASCII origin",
        "OPTIONS",
        _preflight(NON_ASCII_ORIGIN),
        kind="adversarial",
        beside="wild-preflight-disallowed",
    ),
    Scenario(
        "1k-last-exact",
        "1k",
        "1,000 origins + 50 regexes: GET from the last exact origin",
        headers=_origin(CONFIGS["1k"].origins[-1]),
        granted=True,
    ),
    Scenario(
        "1k-last-regex",
        "1k",
        "1,000 origins + 50 regexes: GET matched only by the last regex",
        headers=_origin("https://pr-7.r49.preview.example.net"),
        granted=True,
    ),
    Scenario(
        "1k-disallowed",
        "1k",
        "1,000 origins + 50 regexes: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
    ),
    Scenario(
        "10k-last-exact",
        "10k",
        "10,000 origins: GET from the last exact origin",
        headers=_origin(CONFIGS["10k"].origins[-1]),
        granted=True,
    ),
    Scenario(
        "source-last",
        "source",
        "10,000 origins from a source: GET from the last",
        headers=_origin(source_origins()[-1]),
        granted=True,
        kind="source",
        beside="10k-last-exact",
    ),
    Scenario(
        "10k-disallowed",
        "10k",
        "10,000 origins: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
    ),
    Scenario(
        "source-disallowed",
        "source",
        "10,000 origins from a source: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
        kind="source",
        beside="10k-disallowed",
    ),
    _asgi(_default("get-no-origin")),
    _asgi(_default("get-allowed")),
    _asgi(_default("get-disallowed")),
    _asgi(_default("preflight-allowed")),
    _asgi(_HEADERS_500),
    _asgi(_default("preflight-rejected")),
    _asgi(_WILD_DISALLOWED),
    _asgi(_WILD_LONG),
    _asgi(_WILD_PREFLIGHT_DISALLOWED),
    _asgi(_WILD_PREFLIGHT_LONG),
]


@dataclass(frozen=True)
class Pair:
    """Two cells compared request by request, in alternating order (``worker.paired``).

    For differences far below what batches minutes apart can resolve: the
    measured cell is ``scenario | variant``, the reference ``reference | variant + suffix``.
    """

    scenario: str
    reference: str
    label: str
    suffix: str = ""


PAIRS: list[Pair] = [
    # 10,000 listed origins against 3 of them.
    Pair("10k-last-exact", "10k-last-exact", "vs3", REFERENCE_SUFFIX),
    Pair("10k-disallowed", "10k-disallowed", "vs3", REFERENCE_SUFFIX),
    # 10,000 origins from a source against the same 10,000 listed, and against
    # no source (the same 3-origin policy the "vs3" pairs use: the same request
    # from the same origin, decided by 3 listed origins).
    Pair("source-last", "10k-last-exact", "vs static"),
    Pair("source-last", "10k-last-exact", "vs none", REFERENCE_SUFFIX),
    Pair("source-disallowed", "10k-disallowed", "vs static"),
    Pair("source-disallowed", "10k-disallowed", "vs none", REFERENCE_SUFFIX),
]

#: Variant -> the variant whose cost is its floor ("overhead over baseline").
#: ``@api_view`` builds its own view class around the function, so the
#: function variant is measured against the same ``@api_view`` without CORS.
VARIANTS: dict[str, str | None] = {
    "baseline": None,
    "baseline-fn": None,
    "django-cors-headers": "baseline",
    "drf_cors middleware": "baseline",
    "drf_cors view": "baseline",
    "drf_cors function": "baseline-fn",
}
#: Under ASGI the views are plain Django ``async def`` views (DRF's APIView is
#: sync and would run in a thread, whose hop would drown the CORS cost), so
#: there is no mixin variant; "function" is ``@cors_policy`` on an async view.
ASGI_VARIANTS: dict[str, str | None] = {
    "baseline": None,
    "django-cors-headers": "baseline",
    "drf_cors middleware": "baseline",
    "drf_cors function": "baseline",
}
CORS_VARIANTS = ("django-cors-headers", "drf_cors middleware", "drf_cors view", "drf_cors function")
DRF_CORS_VARIANTS = ("drf_cors middleware", "drf_cors view", "drf_cors function")
#: django-cors-headers has no origins source: the source scenarios time drf_cors alone.
SOURCE_VARIANTS: dict[str, str | None] = {
    k: v for k, v in VARIANTS.items() if k != "django-cors-headers"
}


REFERENCE_VARIANTS: dict[str, str | None] = {
    v + REFERENCE_SUFFIX: VARIANTS[v] for v in DRF_CORS_VARIANTS
}


def variants_for(scenario: Scenario) -> dict[str, str | None]:
    if scenario.interface == "asgi":
        return ASGI_VARIANTS
    if scenario.config == "10k":
        return {**VARIANTS, **REFERENCE_VARIANTS}
    if scenario.config == "source":
        return SOURCE_VARIANTS
    return VARIANTS


def by_name() -> dict[str, Scenario]:
    return {s.name: s for s in SCENARIOS}
