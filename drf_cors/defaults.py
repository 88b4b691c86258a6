"""The defaults of ``REST_FRAMEWORK["CORS"]``: one source for code, docs and tests."""

from __future__ import annotations

from typing import Any, Final

#: Keys a policy may set (global defaults, ``POLICIES`` entries, ``CorsPolicy``).
POLICY_KEYS: Final = (
    "ALLOWED_ORIGINS",
    "ALLOWED_ORIGIN_REGEXES",
    "ALLOW_ALL_ORIGINS",
    "ALLOW_CREDENTIALS",
    "ALLOW_METHODS",
    "ALLOW_HEADERS",
    "EXPOSE_HEADERS",
    "PREFLIGHT_MAX_AGE",
    "ALLOW_PRIVATE_NETWORK",
    "ALLOWED_ORIGINS_SOURCE",
)

#: The origin keys: inherited as one field (a policy setting any replaces all).
ORIGIN_KEYS: Final = (
    "ALLOWED_ORIGINS",
    "ALLOWED_ORIGIN_REGEXES",
    "ALLOW_ALL_ORIGINS",
    "ALLOWED_ORIGINS_SOURCE",
)

#: Keys only the global ``REST_FRAMEWORK["CORS"]`` may set.
GLOBAL_ONLY_KEYS: Final = ("ORIGINS_REFRESH", "ORIGINS_CACHE", "URLS_REGEX", "POLICIES")

DEFAULTS: Final[dict[str, Any]] = {
    "ALLOWED_ORIGINS": (),
    "ALLOWED_ORIGIN_REGEXES": (),
    "ALLOW_ALL_ORIGINS": False,
    "ALLOW_CREDENTIALS": False,
    "ALLOW_METHODS": ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"),
    "ALLOW_HEADERS": (
        "accept",
        "authorization",
        "content-type",
        "user-agent",
        "x-csrftoken",
        "x-requested-with",
    ),
    "EXPOSE_HEADERS": (),
    "PREFLIGHT_MAX_AGE": 86400,
    "ALLOW_PRIVATE_NETWORK": False,
    "ALLOWED_ORIGINS_SOURCE": None,
    "ORIGINS_REFRESH": 10,
    "ORIGINS_CACHE": "default",
    "URLS_REGEX": r"^.*$",
    "POLICIES": {},
}
