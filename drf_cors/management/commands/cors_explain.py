"""``manage.py cors_explain ORIGIN PATH``: would the browser allow this call, and why.

The path is resolved by Django's resolver and the policy found the way the
mixin, the decorator and the middleware find it; the preflight answer and the
response headers come from the engine itself (the view never runs). The
verdict is the browser's CORS check (Fetch, "CORS check" and "CORS-preflight
fetch") applied to those headers.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from ... import _engine, _routes, _sources, conf
from ..._validation import FORBIDDEN_REQUEST_HEADERS, FORBIDDEN_REQUEST_PREFIXES
from ...policy import CompiledPolicy
from .. import inventory
from ..middleware_order import preflight_note

#: Fetch "normalize a method": these are upper-cased, any other is kept as is.
NORMALIZED_METHODS: Final = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
#: Fetch "CORS-safelisted method".
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "POST"})
#: Fetch "CORS-safelisted request-header" names (content-type only with these values).
SAFE_HEADERS: Final = frozenset({"accept", "accept-language", "content-language"})
SAFE_CONTENT_TYPES: Final = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


def normalize_method(method: str) -> str:
    return method.upper() if method.upper() in NORMALIZED_METHODS else method


def unsafe_headers(headers: dict[str, str | None]) -> list[str]:
    """Fetch "CORS-unsafe request-header names": sorted, lower case."""
    unsafe = []
    for name, value in headers.items():
        if name in SAFE_HEADERS:
            continue
        essence = (value or "").split(";", 1)[0].strip().lower()
        if name == "content-type" and essence in SAFE_CONTENT_TYPES:
            continue
        unsafe.append(name)
    return sorted(unsafe)


class Verdict:
    """One step (preflight or actual request): the response and why it fails, if it does."""

    def __init__(self, title: str, sent: dict[str, str]) -> None:
        self.title = title
        self.sent = sent
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.reason: str | None = None

    def answer(self, response: HttpResponseBase) -> None:
        self.status = response.status_code
        self.headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower().startswith("access-control-") or k.lower() == "vary"
        }


class Command(BaseCommand):
    help = (
        "Explain whether a browser at ORIGIN may call PATH, through the real URL "
        "resolution and CORS engine. Exits with status 1 when the call would be blocked."
    )
    #: Explaining must work on a configuration the checks refuse.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "origin", help="The Origin the browser sends, e.g. https://app.example.com"
        )
        parser.add_argument("path", help="The request path, e.g. /api/articles/1/")
        parser.add_argument("--method", default="GET", help="The request method (default GET).")
        parser.add_argument(
            "--header",
            dest="headers",
            action="extend",
            nargs="+",
            default=[],
            metavar="H",
            help="A header the script sets: 'X-Token' or 'Content-Type: application/json'.",
        )
        parser.add_argument(
            "--preflight", action="store_true", help="Explain only the preflight request."
        )
        parser.add_argument(
            "--credentials",
            action="store_true",
            help="The script sends credentials (fetch's credentials: 'include').",
        )
        parser.add_argument(
            "--host",
            help="The API's host the call is sent to (for origins sources keyed by host); "
            "default: the first ALLOWED_HOSTS name, else localhost.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        origin: str = options["origin"]
        path = urlsplit(options["path"]).path or "/"
        method = normalize_method(options["method"])
        credentials: bool = options["credentials"]
        self.host: str = options["host"] or _default_host()
        headers: dict[str, str | None] = {}
        for raw in options["headers"]:
            name, colon, value = raw.partition(":")
            name = name.strip().lower()
            if name in FORBIDDEN_REQUEST_HEADERS or name.startswith(FORBIDDEN_REQUEST_PREFIXES):
                self.stdout.write(f"Note: scripts cannot set {name!r}; the browser drops it.")
                continue
            headers[name] = value.strip() if colon else None
        try:
            callback: Any = resolve(path).func
        except Resolver404:
            callback = None
        route = _routes.route(callback) if callback is not None else None
        found = inventory.resolve(route, callback, method, path)
        unsafe = unsafe_headers(headers)
        steps: list[Verdict] = []
        if options["preflight"] or method not in SAFE_METHODS or unsafe:
            steps.append(self._preflight(origin, path, method, unsafe, found, credentials))
        if not options["preflight"] and (not steps or steps[0].reason is None):
            steps.append(self._actual(origin, path, method, found, credentials))
        where = found.where if callback is not None else f"{path} (no URL pattern: Django's 404)"
        self.stdout.write(f"Route: {where}; policy: {self._label(found)}")
        source = self._source_line(found, origin)
        if source is not None:
            self.stdout.write(source)
        for step in steps:
            self._print(step)
            note = preflight_note() if step.title.startswith("Preflight") else None
            if note is not None:
                self.stdout.write(note)
        methods = inventory.implemented(route)
        if methods is not None and method not in methods and steps[-1].reason is None:
            self.stdout.write(
                f"Note: {found.view_label} does not implement {method}; the request gets "
                "405 Method Not Allowed with the headers above, so the script can read it."
            )
        blocked = next((s.reason for s in steps if s.reason is not None), None)
        if blocked is not None:
            raise CommandError(f"blocked: {blocked}", returncode=1)
        self.stdout.write("Result: allowed.")

    @staticmethod
    def _label(found: inventory.Resolution) -> str:
        return {
            "action": "the action's own policy",
            "view": "the view's own policy",
            "named": f"policy {found.policy_name!r}",
            "global": "the global defaults",
            "disabled": "disabled (CORS headers are never sent)",
            "not covered": "none (no policy, and URLS_REGEX does not cover the path)",
        }.get(found.kind, f"invalid ({found.error})")

    def _no_policy(self, found: inventory.Resolution) -> str | None:
        policy = found.policy
        if policy is None:
            return f"no CORS policy covers {found.where}: the response has no CORS headers"
        if not policy.enabled:
            return f"CORS is disabled on {found.where}: the response has no CORS headers"
        return None

    def _preflight(
        self,
        origin: str,
        path: str,
        method: str,
        unsafe: list[str],
        found: inventory.Resolution,
        credentials: bool,
    ) -> Verdict:
        meta = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
        if unsafe:
            meta["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(unsafe)
        sent = {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            **({"Access-Control-Request-Headers": ",".join(unsafe)} if unsafe else {}),
        }
        step = Verdict(f"Preflight: OPTIONS {path}", sent)
        step.reason = self._no_policy(found)
        policy = found.policy
        if step.reason is not None or policy is None:
            return step
        request = self._request(meta)
        step.answer(_engine.preflight(request, policy, found.where))
        refused = _engine.reason(request, policy, unsafe)
        if refused is not None:
            step.reason = self._sentence(refused, policy, found)
            return step
        step.reason = self._cors_check(step.headers, origin, credentials, found)
        if step.reason is None:
            step.reason = self._preflight_check(step.headers, method, unsafe, credentials)
        return step

    def _actual(
        self,
        origin: str,
        path: str,
        method: str,
        found: inventory.Resolution,
        credentials: bool,
    ) -> Verdict:
        step = Verdict(f"Request: {method} {path}", {"Origin": origin})
        step.reason = self._no_policy(found)
        policy = found.policy
        if step.reason is not None or policy is None:
            return step
        response = HttpResponse()
        _engine.finish(self._request({"HTTP_ORIGIN": origin}), response, policy)
        step.answer(response)
        step.status = None  # the view's own status: the view does not run here
        step.reason = self._cors_check(step.headers, origin, credentials, found)
        return step

    def _request(self, meta: dict[str, str]) -> HttpRequest:
        """The browser's request as the engine sees it, sent to ``--host``."""
        request = HttpRequest()
        request.method = "OPTIONS" if "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta else "GET"
        request.META = {"HTTP_HOST": self.host, "SERVER_NAME": self.host, **meta}
        return request

    def _sentence(self, reason: str, policy: CompiledPolicy, found: inventory.Resolution) -> str:
        text = reason.replace(policy.label, self._label(found)) + f" on {found.where}"
        if reason.startswith("origin "):
            text += f"; allowed: {self._allowed_origins(found)}"
        return text

    def _source_line(self, found: inventory.Resolution, origin: str) -> str | None:
        """What the route's origins source says of ``origin`` for ``--host``: the
        entry that allows it, or why none does (a missing host key...)."""
        policy = found.policy
        source = policy.source if policy is not None else None
        if source is None:
            return None
        if source.snapshot is None:
            source.check()  # the shared result, or one read of the source
        snapshot = source.snapshot
        if snapshot is None:
            why = f" ({source.last_error})" if source.last_error else ""
            return (
                f"Origins source: {source.label} has not been read successfully{why}; "
                "until it is, it allows nothing."
            )
        return (
            f"Origins source: {source.label}, for host {self.host!r}: "
            f"{snapshot.explain(origin, self.host.lower())}."
        )

    @staticmethod
    def _allowed_origins(found: inventory.Resolution) -> str:
        if found.kind == "invalid":
            return "none (the policy is misconfigured; run manage.py check)"
        values = conf.effective_values(found.view, found.action)
        if values["allow_all_origins"]:
            return "all origins"
        regexes = [
            f"regex {r.pattern if isinstance(r, re.Pattern) else r}"
            for r in values["allowed_origin_regexes"]
        ]
        source = values["allowed_origins_source"]
        sourced = [f"the origins of source {_sources.source_key(source)}"] if source else []
        return ", ".join([*values["allowed_origins"], *regexes, *sourced]) or "no origin"

    def _cors_check(
        self, headers: dict[str, str], origin: str, credentials: bool, found: inventory.Resolution
    ) -> str | None:
        """Fetch "CORS check": may the script read the response?"""
        granted = headers.get(_engine.ACAO)
        if granted is None:
            return (
                f"origin {origin!r} is not allowed by {self._label(found)} on {found.where}; "
                f"allowed: {self._allowed_origins(found)}"
            )
        if credentials and granted == "*":
            return (
                "the response grants 'Access-Control-Allow-Origin: *', which browsers refuse "
                "for a credentialed call; list the origin and set allow_credentials=True"
            )
        if granted not in ("*", origin):
            return f"the response grants {granted!r}, not {origin!r}"
        if credentials and headers.get(_engine.ACAC) != "true":
            return (
                f"{self._label(found)} on {found.where} does not allow credentials "
                "(allow_credentials is False)"
            )
        return None

    @staticmethod
    def _preflight_check(
        headers: dict[str, str], method: str, unsafe: list[str], credentials: bool
    ) -> str | None:
        """The rest of Fetch's "CORS-preflight fetch": the method and headers lists."""
        methods = [m.strip() for m in headers.get("Access-Control-Allow-Methods", "").split(",")]
        if (
            method not in methods
            and method not in SAFE_METHODS
            and (credentials or "*" not in methods)
        ):
            return f"the preflight answer does not list the method {method!r}"
        names = {
            h.strip().lower() for h in headers.get("Access-Control-Allow-Headers", "").split(",")
        }
        for name in unsafe:
            wildcard = "*" in names and not credentials and name != "authorization"
            if name not in names and not wildcard:
                return f"the preflight answer does not list the request header {name!r}"
        return None

    def _print(self, step: Verdict) -> None:
        self.stdout.write(step.title)
        for name, value in step.sent.items():
            self.stdout.write(f"  {name}: {value}")
        status = f" {step.status}" if step.status is not None else ""
        if step.title.startswith("Preflight") and _engine.ACAO not in step.headers:
            status += " (refused: no Access-Control-Allow-* header)"
        self.stdout.write(f"Response{status}:" if step.headers else "Response: no CORS headers")
        for name, value in step.headers.items():
            self.stdout.write(f"  {name}: {value}")
        verdict = "allowed" if step.reason is None else f"blocked: {step.reason}"
        self.stdout.write(f"Verdict: {verdict}.")


def _default_host() -> str:
    for host in getattr(settings, "ALLOWED_HOSTS", None) or ():
        if isinstance(host, str) and host and host[0] not in ".*":
            return host
    return "localhost"
