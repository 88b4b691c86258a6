"""What is measured: configurations, scenarios, variants and targets (issue 5), as data.

The parent (``run.py``) reads this to drive workers and judge targets; the
worker (``worker.py``) reads it to build requests. Keeping both on one table
means a scenario cannot be measured under one name and judged under another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The origin every "allowed" default-size request comes from (the last of three).
DEFAULT_ORIGINS = (
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
)
DISALLOWED = "https://evil.example.net"
#: Two request headers, both in the default allow-list of both libraries.
PREFLIGHT_HEADERS = "content-type, x-requested-with"


def many_origins(count: int) -> tuple[str, ...]:
    return tuple(f"https://app{i:05d}.example.com" for i in range(count))


def many_regexes(count: int) -> tuple[str, ...]:
    # Anchored at both ends: django-cors-headers uses re.match (a prefix
    # match), drf_cors fullmatch; with "^...$" both mean the same thing.
    return tuple(rf"^https://pr-\d+\.r{j:02d}\.preview\.example\.net$" for j in range(count))


@dataclass(frozen=True)
class Config:
    """One worker process: both libraries configured with these origins."""

    name: str
    origins: tuple[str, ...]
    regexes: tuple[str, ...] = ()


CONFIGS: dict[str, Config] = {
    "default": Config("default", DEFAULT_ORIGINS),
    "1k": Config("1k", many_origins(1000), many_regexes(50)),
    "10k": Config("10k", many_origins(10_000)),
}
#: The 10,000-origin scenarios also run each drf_cors variant with only 3 of
#: those origins (the first two and the last, so every request is decided the
#: same way), side by side with the 10,000: "flat in the number of origins"
#: is then a paired difference within one scenario, not across two.
REFERENCE = Config("10k-ref", (*many_origins(2), many_origins(10_000)[-1]))
REFERENCE_SUFFIX = " @3"


@dataclass(frozen=True)
class Scenario:
    name: str
    config: str
    description: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    #: "wsgi" or "asgi"
    interface: str = "wsgi"
    #: Whether the CORS variants must grant the origin (checked before timing).
    granted: bool = False


def _origin(value: str) -> dict[str, str]:
    return {"Origin": value}


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": PREFLIGHT_HEADERS,
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

SCENARIOS: list[Scenario] = [
    *(
        Scenario(name, "default", text, method, headers, "wsgi", granted)
        for name, text, method, headers, granted in _DEFAULT_SCENARIOS
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
        "10k-disallowed",
        "10k",
        "10,000 origins: GET from a disallowed origin",
        headers=_origin(DISALLOWED),
    ),
    *(
        Scenario(f"asgi-{name}", "default", f"ASGI: {text}", method, headers, "asgi", granted)
        for name, text, method, headers, granted in _DEFAULT_SCENARIOS
    ),
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


REFERENCE_VARIANTS: dict[str, str | None] = {
    v + REFERENCE_SUFFIX: VARIANTS[v] for v in DRF_CORS_VARIANTS
}


def variants_for(scenario: Scenario) -> dict[str, str | None]:
    if scenario.interface == "asgi":
        return ASGI_VARIANTS
    if scenario.config == "10k":
        return {**VARIANTS, **REFERENCE_VARIANTS}
    return VARIANTS
