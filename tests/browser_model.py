"""What a browser concludes from a CORS response (Fetch, "CORS check", "CORS-preflight fetch").

Shared by the migration tests, which send the same requests through
django-cors-headers' middleware and drf_cors' and compare only what a page's
script can observe: whether the call is let through, and which response
headers it may read.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.test import Client

#: Fetch "CORS-safelisted method" and "normalize a method".
SAFE_METHODS = frozenset({"GET", "HEAD", "POST"})


class Call(NamedTuple):
    """One cross-origin call a script makes; ``method`` as the script writes it."""

    origin: str
    method: str = "GET"
    headers: tuple[str, ...] = ()
    credentials: bool = False
    private_network: bool = False
    path: str = "/api/plain/"

    @property
    def preflighted(self) -> bool:
        return self.method not in SAFE_METHODS or bool(self.headers) or self.private_network

    def __str__(self) -> str:
        extra = "".join(f" +{h}" for h in self.headers)
        extra += " creds" if self.credentials else ""
        extra += " pna" if self.private_network else ""
        return f"{self.method} {self.path} from {self.origin}{extra}"


def _cors_check(response: Any, call: Call) -> bool:
    granted = response.headers.get("Access-Control-Allow-Origin")
    if granted is None:
        return False
    if call.credentials:
        return (
            granted == call.origin
            and response.headers.get("Access-Control-Allow-Credentials") == "true"
        )
    return granted in ("*", call.origin)


def _listed(response: Any, name: str) -> list[str]:
    return [v.strip() for v in response.headers.get(name, "").split(",") if v.strip()]


def _preflight_passes(response: Any, call: Call) -> bool:
    if not 200 <= response.status_code < 300 or not _cors_check(response, call):
        return False
    methods = _listed(response, "Access-Control-Allow-Methods")
    wildcard = "*" in methods and not call.credentials
    if call.method not in methods and call.method not in SAFE_METHODS and not wildcard:
        return False
    allowed = {h.lower() for h in _listed(response, "Access-Control-Allow-Headers")}
    for header in call.headers:
        star = "*" in allowed and not call.credentials and header != "authorization"
        if header not in allowed and not star:
            return False
    return not call.private_network or (
        response.headers.get("Access-Control-Allow-Private-Network") == "true"
    )


def outcome(client: Client, call: Call) -> tuple[bool, frozenset[str]]:
    """``(let through, response headers the script may read beyond the safelisted ones)``."""
    if call.preflighted:
        meta = {"HTTP_ORIGIN": call.origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": call.method}
        if call.headers:
            meta["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(sorted(call.headers))
        if call.private_network:
            meta["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = "true"
        if not _preflight_passes(client.options(call.path, **meta), call):  # type: ignore[arg-type]
            return False, frozenset()
    response = client.generic(call.method, call.path, HTTP_ORIGIN=call.origin)
    if not _cors_check(response, call):
        return False, frozenset()
    exposed = {h.lower() for h in _listed(response, "Access-Control-Expose-Headers")}
    return True, frozenset(exposed)
