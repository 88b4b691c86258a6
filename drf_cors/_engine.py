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
#: Status of a refused preflight, as Spring and jub0bs/cors answer: the
#: browser fails the request whatever the status, and 403 tells a human why.
REJECTED_STATUS: Final = 403

ACAO: Final = "Access-Control-Allow-Origin"
ACAC: Final = "Access-Control-Allow-Credentials"
_PREFLIGHT_VARY: Final = (
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
)
_PREFLIGHT_VARY_PN: Final = (*_PREFLIGHT_VARY, "Access-Control-Request-Private-Network")


def is_preflight(method: str | None, meta: Mapping[str, Any]) -> bool:
    """``OPTIONS`` with both ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        method == "OPTIONS"
        and "HTTP_ORIGIN" in meta
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta
    )


#: A ``Vary`` value seen on a response -> that value with ``Origin`` added,
#: exactly as ``patch_vary_headers`` writes it. Sites send a handful of
#: distinct values ("Accept", "Accept, Cookie"), so the split, lower-casing
#: and join run once per value instead of on every response; capped, since a
#: view may set anything.
_VARY_WITH_ORIGIN: dict[str, str] = {}
_VARY_MEMO_SIZE: Final = 256


def has_header(response: HttpResponseBase, lower_name: str) -> bool:
    """``lower_name in response.headers``, without the cost of a miss.

    ``ResponseHeaders`` answers ``in`` through ``Mapping.__contains__``, which
    raises and catches ``KeyError`` for a missing header: about 0.5 µs, a
    tenth of this package's whole per-response cost. Its dict of lower-cased
    names (``_store``, there since Django 3.0) answers without raising.
    """
    store = getattr(response.headers, "_store", None)
    if store is None:  # pragma: no cover - every supported Django has it
        return lower_name in response.headers
    return lower_name in store


def _vary_origin(response: HttpResponseBase) -> None:
    headers = response.headers
    store = getattr(headers, "_store", None)
    if store is None:  # pragma: no cover - every supported Django has it
        patch_vary_headers(response, ("Origin",))
        return
    entry = store.get("vary")
    if entry is None:
        # Exactly what ``headers["Vary"] = "Origin"`` stores, minus
        # re-validating a constant on every response.
        store["vary"] = ("Vary", "Origin")
        return
    vary = entry[1]
    patched = _VARY_WITH_ORIGIN.get(vary)
    if patched is None:
        patch_vary_headers(response, ("Origin",))
        if len(_VARY_WITH_ORIGIN) < _VARY_MEMO_SIZE:
            _VARY_WITH_ORIGIN[vary] = headers["Vary"]
        return
    # ``patched`` went through ResponseHeaders' validation when
    # patch_vary_headers first wrote it; store it as that wrote it.
    store["vary"] = ("Vary", patched)


def finish(request: HttpRequest, response: HttpResponseBase, policy: CompiledPolicy) -> None:
    """Add the headers of an actual (non-preflight) response, once."""
    setattr(response, MARK, True)
    if not policy.enabled:
        return
    _vary_origin(response)
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return
    if not policy.allows(origin, request):
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("drf_cors: origin %r is not allowed by %s.", origin, policy.label)
        return
    headers = response.headers
    headers[ACAO] = "*" if policy.star else origin
    if policy.credentials:
        headers[ACAC] = "true"
    if policy.expose_value is not None:
        headers["Access-Control-Expose-Headers"] = policy.expose_value


def requested_headers(meta: Mapping[str, Any]) -> list[str]:
    raw = meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    return [name for name in (part.strip().lower() for part in raw.split(",")) if name]


def reason(request: HttpRequest, policy: CompiledPolicy, requested: list[str]) -> str | None:
    """Why a preflight must be refused, or ``None`` when it may pass.

    The policy alone decides (API.md): a method the policy allows but the route
    does not implement passes, so the actual request's 405 reaches the script
    with CORS headers and stays readable, as every other error does.
    """
    if policy.error is not None:
        return f"{policy.label} is misconfigured ({policy.error})"
    meta = request.META
    origin = meta["HTTP_ORIGIN"]
    if not policy.allows(origin, request):
        return f"origin {origin!r} is not allowed by {policy.label}"
    method = meta["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
    if method not in policy.methods:
        return (
            f"method {method!r} is not allowed by {policy.label} "
            f"(allowed: {policy.methods_value}; methods are case-sensitive)"
        )
    for name in requested:
        if name in policy.headers:
            continue
        # Fetch: "*" is a wildcard for every header name but Authorization,
        # which must always be listed by name.
        if policy.any_header and name != "authorization" and TOKEN.fullmatch(name):
            continue
        return f"request header {name!r} is not allowed by {policy.label}"
    if (
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true"
        and not policy.private_network
    ):
        return f"private network access is not allowed by {policy.label}"
    return None


def preflight(request: HttpRequest, policy: CompiledPolicy, where: str = "") -> HttpResponse:
    """Answer a preflight with ``policy``; ``where`` names the route in the log."""
    meta = request.META
    requested = requested_headers(meta)
    refused = reason(request, policy, requested)
    if refused is not None:
        return _reject(refused, where, policy)
    response = HttpResponse()
    headers = response.headers
    headers["Vary"] = ", ".join(_PREFLIGHT_VARY_PN if policy.private_network else _PREFLIGHT_VARY)
    headers[ACAO] = "*" if policy.star else meta["HTTP_ORIGIN"]
    if policy.credentials:
        headers[ACAC] = "true"
    headers["Access-Control-Allow-Methods"] = policy.methods_value
    if policy.any_header:
        if requested:
            # With credentials a literal "*" means the header named "*", and
            # it never covers Authorization: echo the (validated) names.
            wildcard = not policy.credentials and "authorization" not in requested
            headers["Access-Control-Allow-Headers"] = "*" if wildcard else ", ".join(requested)
    elif policy.headers_value is not None:
        headers["Access-Control-Allow-Headers"] = policy.headers_value
    if policy.max_age_value is not None:
        headers["Access-Control-Max-Age"] = policy.max_age_value
    if policy.private_network and meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
        headers["Access-Control-Allow-Private-Network"] = "true"
    headers["Content-Length"] = "0"
    setattr(response, MARK, True)
    return response


def _reject(reason: str, where: str, policy: CompiledPolicy) -> HttpResponse:
    text = f"CORS preflight rejected{' on ' + where if where else ''}: {reason}."
    logger.info("drf_cors: %s", text)
    body = text if settings.DEBUG else ""
    response = HttpResponse(body, status=REJECTED_STATUS, content_type="text/plain; charset=utf-8")
    response.headers["Vary"] = ", ".join(
        _PREFLIGHT_VARY_PN if policy.private_network else _PREFLIGHT_VARY
    )
    # Logged above with the reason, at INFO: keep Django from logging every
    # refused preflight again as a "Forbidden" WARNING on django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    setattr(response, MARK, True)
    return response
