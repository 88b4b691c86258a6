"""The CORS protocol (Fetch standard, "CORS protocol"): one engine for every adapter.

The mixin, the decorator and the middleware call :func:`preflight` and
:func:`finish` and nothing else. :func:`finish` stamps the response, so
"never twice" is one attribute test wherever a response passes again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from ._validation import TOKEN
from .policy import CompiledPolicy

logger = logging.getLogger("drf_cors")

#: Set on every response the engine has handled (headers added or refused).
MARK: Final = "_drf_cors_done"
#: Status of a refused preflight when ``DEBUG`` is on: 403, as Spring and
#: jub0bs/cors answer, with the reason in the body, for the developer reading
#: the network panel. In production a refused preflight is a 200 without any
#: ``Access-Control-Allow-*`` header, as django-cors-headers and ASP.NET Core
#: answer: the browser blocks the call just the same, and Django's handler
#: logs no 4xx, which under ASGI costs a thread hop (100 µs) per request. The
#: reason is logged at INFO on the ``drf_cors`` logger either way.
REJECTED_STATUS: Final = 403
#: A preflight asking for more than this many characters of header names is
#: refused unread: browsers list only the headers a script set, and parsing a
#: list an attacker made long would make its cost grow with it.
MAX_REQUEST_HEADERS_LENGTH: Final = 1024

ACAO: Final = "Access-Control-Allow-Origin"
ACAC: Final = "Access-Control-Allow-Credentials"
ACEH: Final = "Access-Control-Expose-Headers"


def is_preflight(method: str | None, meta: Mapping[str, Any]) -> bool:
    """``OPTIONS`` with both ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        method == "OPTIONS"
        and "HTTP_ORIGIN" in meta
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta
    )


def _has_store() -> bool:
    from django.http.response import ResponseHeaders

    return isinstance(getattr(ResponseHeaders({}), "_store", None), dict)


#: Whether ``ResponseHeaders`` keeps its headers in ``_store``, a dict of
#: lower-cased name -> (name, value) (every Django since 3.0 does). Setting a
#: header through ``response.headers[...]`` validates and re-encodes name and
#: value each time, about 0.5 µs a header; the engine writes values that need
#: no validation (constants checked when first written, and origins that
#: ``OriginMatcher.allows`` only grants when printable ASCII) straight into
#: the store, and falls back to the public API if a Django ever lacks it.
FAST_HEADERS: Final = _has_store()


def _store(response: HttpResponseBase) -> dict[str, tuple[str, str]] | None:
    if FAST_HEADERS:
        store: dict[str, tuple[str, str]] = response.headers._store
        return store
    return None  # pragma: no cover - every supported Django has it


def has_header(response: HttpResponseBase, lower_name: str) -> bool:
    """``lower_name in response.headers``, without the raise-and-catch of a miss (0.5 µs)."""
    store = _store(response)
    if store is None:  # pragma: no cover - every supported Django has it
        return lower_name in response.headers
    return lower_name in store


def _set(
    response: HttpResponseBase, store: dict[str, tuple[str, str]] | None, name: str, value: str
) -> None:
    if store is None:  # pragma: no cover - every supported Django has it
        response.headers[name] = value
    else:
        store[name.lower()] = (name, value)


#: A ``Vary`` value seen on a response -> that value with ``Origin`` added,
#: exactly as ``patch_vary_headers`` writes it. Sites send a handful of
#: distinct values ("Accept", "Accept, Cookie"), so the split, lower-casing
#: and join run once per value instead of on every response; capped, since a
#: view may set anything.
_VARY_WITH_ORIGIN: dict[str, tuple[str, str]] = {}
_VARY_MEMO_SIZE: Final = 256
_VARY_ORIGIN: Final = ("Vary", "Origin")


def _vary_origin(response: HttpResponseBase, store: dict[str, tuple[str, str]] | None) -> None:
    if store is None:  # pragma: no cover - every supported Django has it
        patch_vary_headers(response, ("Origin",))
        return
    entry = store.get("vary")
    if entry is None:
        store["vary"] = _VARY_ORIGIN  # what headers["Vary"] = "Origin" stores
        return
    patched = _VARY_WITH_ORIGIN.get(entry[1])
    if patched is None:
        patch_vary_headers(response, ("Origin",))
        if len(_VARY_WITH_ORIGIN) < _VARY_MEMO_SIZE:
            _VARY_WITH_ORIGIN[entry[1]] = store["vary"]
        return
    # ``patched`` is the entry patch_vary_headers wrote, validated then.
    store["vary"] = patched


def finish(request: HttpRequest, response: HttpResponseBase, policy: CompiledPolicy) -> None:
    """Add the headers of an actual (non-preflight) response, once.

    The hot path of every response (a GET without ``Origin`` above all): it
    inlines the ``Vary`` memo look-up for the usual case, since a Python call
    costs a tenth of what the whole step may.
    """
    response._drf_cors_done = True  # type: ignore[attr-defined]  # MARK
    if not policy.enabled:
        return
    if FAST_HEADERS:
        store: dict[str, tuple[str, str]] | None = response.headers._store
        assert store is not None
        entry = store.get("vary")
        if entry is None:
            store["vary"] = _VARY_ORIGIN
        else:
            patched = _VARY_WITH_ORIGIN.get(entry[1])
            if patched is None:
                _vary_origin(response, store)
            else:
                store["vary"] = patched
    else:  # pragma: no cover - every supported Django has it
        store = None
        _vary_origin(response, store)
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return
    if not policy.allows(origin, request):
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("drf_cors: origin %r is not allowed by %s.", origin, policy.label)
        return
    _set(response, store, ACAO, "*" if policy.star else origin)
    if policy.credentials:
        _set(response, store, ACAC, "true")
    if policy.expose_value is not None:
        _set(response, store, ACEH, policy.expose_value)


def requested_headers(meta: Mapping[str, Any]) -> list[str]:
    raw = meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    return [name for name in (part.strip().lower() for part in raw.split(",")) if name]


def reason(request: HttpRequest, policy: CompiledPolicy, requested: list[str] | None) -> str | None:
    """Why a preflight must be refused, or ``None`` when it may pass.

    The policy alone decides (API.md): a method the policy allows but the route
    does not implement passes, so the actual request's 405 reaches the script
    with CORS headers and stays readable, as every other error does.
    ``requested`` is ``None`` when the header list was too long to read.
    """
    if policy.error is not None:
        return f"{policy.label} is misconfigured ({policy.error})"
    meta = request.META
    origin = meta["HTTP_ORIGIN"]
    if not policy.allows(origin, request):
        return f"origin {origin[:MAX_ORIGIN_SHOWN]!r} is not allowed by {policy.label}"
    method = meta["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
    if method not in policy.methods:
        return (
            f"method {method[:MAX_ORIGIN_SHOWN]!r} is not allowed by {policy.label} "
            f"(allowed: {policy.methods_value}; methods are case-sensitive)"
        )
    if requested is None:
        return (
            f"Access-Control-Request-Headers is longer than {MAX_REQUEST_HEADERS_LENGTH} "
            "characters; no browser sends that many header names"
        )
    for name in requested:
        if name in policy.headers:
            continue
        # Fetch: "*" is a wildcard for every header name but Authorization,
        # which must always be listed by name.
        if policy.any_header and name != "authorization" and TOKEN.fullmatch(name):
            continue
        return f"request header {name[:MAX_ORIGIN_SHOWN]!r} is not allowed by {policy.label}"
    if (
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true"
        and not policy.private_network
    ):
        return f"private network access is not allowed by {policy.label}"
    return None


#: How much of a request's own value a log line quotes (an 8 KB origin is not logged whole).
MAX_ORIGIN_SHOWN: Final = 120


def preflight(request: HttpRequest, policy: CompiledPolicy, where: str = "") -> HttpResponse:
    """Answer a preflight with ``policy``; ``where`` names the route in the log."""
    meta = request.META
    raw = meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    requested = requested_headers(meta) if len(raw) <= MAX_REQUEST_HEADERS_LENGTH else None
    refused = reason(request, policy, requested)
    if refused is not None:
        return _reject(refused, where, policy)
    assert requested is not None  # reason() refuses an unread list
    response = HttpResponse()
    store = _store(response)
    if store is None:  # pragma: no cover - every supported Django has it
        for name, value in policy.preflight_headers.items():
            response.headers[name] = value
    else:
        store.update(policy.preflight_store)
    _set(response, store, ACAO, "*" if policy.star else meta["HTTP_ORIGIN"])
    if policy.any_header and requested:
        # With credentials a literal "*" means the header named "*", and it
        # never covers Authorization: echo the names (each a validated token).
        wildcard = not policy.credentials and "authorization" not in requested
        _set(
            response,
            store,
            "Access-Control-Allow-Headers",
            "*" if wildcard else ", ".join(requested),
        )
    if policy.private_network and meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
        _set(response, store, "Access-Control-Allow-Private-Network", "true")
    setattr(response, MARK, True)
    return response


def _reject(reason: str, where: str, policy: CompiledPolicy) -> HttpResponse:
    text = f"CORS preflight rejected{' on ' + where if where else ''}: {reason}."
    logger.info("drf_cors: %s", text)
    if settings.DEBUG:
        response = HttpResponse(
            text, status=REJECTED_STATUS, content_type="text/plain; charset=utf-8"
        )
        # Logged above with the reason: keep Django from logging it again as a
        # "Forbidden" WARNING on django.request.
        response._has_been_logged = True  # type: ignore[attr-defined]
    else:
        response = HttpResponse(b"", content_type="text/plain; charset=utf-8")
    store = _store(response)
    if store is None:  # pragma: no cover - every supported Django has it
        response.headers["Vary"] = policy.vary_preflight
    else:
        store["vary"] = policy.preflight_store["vary"]
    setattr(response, MARK, True)
    return response
