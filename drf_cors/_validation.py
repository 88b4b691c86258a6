"""One validator for every way a policy is written.

``CorsPolicy(...)`` raises ``ImproperlyConfigured`` with the errors (never the
warnings); the system checks turn the same problems into ``Error``/``Warning``
with their ids. Every problem is collected, none stops the others. The ids and
what they mean are listed in the README ("System checks"); a test keeps both in
step.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import cache
from typing import Any, Final, NamedTuple

from ._origins import NULL, OriginEntry, OriginError, parse_entry
from ._regex_entries import literal, looks_like_regex
from ._regex_hints import entry_hint, lookalike_report

#: RFC 9110 ``token``: what a method or a header name may be.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

#: The largest ``Access-Control-Max-Age`` a browser honours (Firefox: 24 h;
#: Chromium caps at 2 h). A larger value is not an error, only useless.
MAX_AGE_HONOURED: Final = 86400

#: Fetch "forbidden request-header": a script can never set these, so no
#: preflight ever asks for them. Names starting with ``proxy-`` or ``sec-`` too.
FORBIDDEN_REQUEST_HEADERS: Final = frozenset(
    [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ]
)
FORBIDDEN_REQUEST_PREFIXES: Final = ("proxy-", "sec-")
#: Fetch "forbidden response-header name": never exposed to scripts.
FORBIDDEN_RESPONSE_HEADERS: Final = frozenset({"set-cookie", "set-cookie2"})
#: Fetch "forbidden method": ``fetch()`` throws before sending them.
FORBIDDEN_METHODS: Final = frozenset({"CONNECT", "TRACE", "TRACK"})
#: Schemes whose origin is opaque: browsers send ``Origin: null`` for them.
OPAQUE_SCHEMES: Final = frozenset({"about", "blob", "data", "file", "javascript"})

#: ``parse_entry`` says what is wrong in words; each kind has its own check id
#: so the README can give one fix per id. Unlisted wording falls back to E003.
_ORIGIN_IDS: Final = (
    ("path, query or fragment", "E013"),
    ("upper-case", "E014"),
    ("whitespace", "E015"),
    ("user information", "E016"),
    ("default port", "E017"),
    ("Unicode host", "E018"),
    ("invalid port", "E019"),
    ("'*'", "E020"),
    ("'*.'", "E020"),
)


class Problem(NamedTuple):
    """A configuration problem: ``id`` is the system check id's number part."""

    id: str
    message: str
    hint: str

    @property
    def is_error(self) -> bool:
        return self.id.startswith("E")


Namer = Callable[[str], str]


def _is_str_list(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _list_problem(key: str, name: Namer, value: object, what: str) -> Problem:
    extra = " (a single string is not a list: wrap it in [...])" if isinstance(value, str) else ""
    return Problem(
        "E001",
        f"{name(key)} must be a list of {what}, not {type(value).__name__}{extra}.",
        f"Write e.g. {name(key)} = [...].",
    )


#: What the origin keys a policy leaves unset mean when it sets another one.
NO_ORIGINS: dict[str, Any] = {
    "allowed_origins": (),
    "allowed_origin_regexes": (),
    "allow_all_origins": False,
    "allowed_origins_source": None,
}


def inherit(parent: Mapping[str, Any], explicit: Mapping[str, Any]) -> dict[str, Any]:
    """``explicit`` over ``parent``, per field but for the origins.

    The four origin keys are one field: a policy that sets any of them
    replaces all four, so ``CorsPolicy(allowed_origins=[partner])`` means that
    partner only, never "and whatever regexes or allow-all the parent had".
    """
    if NO_ORIGINS.keys() & explicit.keys():
        return {**parent, **NO_ORIGINS, **explicit}
    return {**parent, **explicit}


def validate_fields(
    values: Mapping[str, Any],
    name: Namer,
    inherited: Mapping[str, Any] | None = None,
) -> Iterator[Problem]:
    """Problems in the policy keys present in ``values`` (lower-case keys).

    Combinations (credentials with all origins, with ``http:`` origins...) are
    judged on ``values`` over ``inherited``, and reported only when ``values``
    sets one of the keys involved: an inherited mistake is reported where it
    is written, once.
    """
    for key in ("allow_all_origins", "allow_credentials", "allow_private_network", "enabled"):
        if key in values and not isinstance(values[key], bool):
            yield Problem(
                "E001",
                f"{name(key)} must be True or False, not {values[key]!r}.",
                "Use a bool.",
            )
    if "allowed_origins" in values:
        yield from _origins(values["allowed_origins"], name)
    if "allowed_origin_regexes" in values:
        yield from _regexes(values["allowed_origin_regexes"], name)
    for key in ("allow_methods", "allow_headers", "expose_headers"):
        if key in values:
            yield from _tokens(key, values[key], name)
    if "preflight_max_age" in values:
        yield from _max_age(values["preflight_max_age"], name)
    if "allowed_origins_source" in values:
        yield from _source(values["allowed_origins_source"], name)
    yield from _combinations(inherit(inherited or {}, values), values.keys(), name)


def credentials_with_all_origins(name: Namer) -> Problem:
    return Problem(
        "E005",
        f"{name('allow_credentials')} is True together with {name('allow_all_origins')}: "
        "any site could make credentialed calls and read the answers.",
        "List the trusted origins in allowed_origins instead of allowing all of them.",
    )


def _origin_problem(index: int, entry: str, name: Namer) -> Problem | None:
    """The problem with one ``allowed_origins`` entry, or ``None``."""
    where = f"{name('allowed_origins')}[{index}]"
    scheme = entry.partition("://")[0].strip().lower()
    if entry.strip() == "*":
        return Problem(
            "E020",
            f"{where} is '*', which is not an origin.",
            "Set allow_all_origins=True to allow every origin.",
        )
    if scheme in OPAQUE_SCHEMES or entry.lower().startswith(tuple(f"{s}:" for s in OPAQUE_SCHEMES)):
        return Problem(
            "E021",
            f"{where} {entry!r} can never match: for {scheme.partition(':')[0]}: pages "
            "browsers send 'Origin: null'.",
            "Serve the page from http://localhost instead; allowing 'null' would let any "
            "sandboxed page from any site in.",
        )
    if scheme in ("ws", "wss"):
        # RFC 6455 §4.1: the handshake's Origin is the page's own origin.
        return Problem(
            "E021",
            f"{where} {entry!r} can never match: a WebSocket handshake sends the origin "
            "of the page that opens it, never a ws: or wss: origin.",
            f"List the page's origin, e.g. '{'https' if scheme == 'wss' else 'http'}://"
            f"{entry.partition('://')[2]}'.",
        )
    try:
        parse_entry(entry)
    except OriginError as exc:
        if looks_like_regex(entry):
            regexes = name("allowed_origin_regexes")
            if regexes == name("allowed_origins"):  # an origins source: it holds no regexes
                regexes = 'REST_FRAMEWORK["CORS"]["ALLOWED_ORIGIN_REGEXES"] (a source holds none)'
            return Problem(
                "E022",
                f"{where} {literal(entry)} is a regular expression, not an origin: entries "
                "here are compared as exact origins or wildcard patterns.",
                entry_hint(entry, regexes),
            )
        text = str(exc)
        code = next((c for phrase, c in _ORIGIN_IDS if phrase in text), "E003")
        return Problem(code, f"{where} {text}.", exc.hint)
    return None


def _origins(value: object, name: Namer) -> Iterator[Problem]:
    if not _is_str_list(value):
        yield _list_problem("allowed_origins", name, value, "origin strings")
        return
    assert isinstance(value, (list, tuple))
    for index, entry in enumerate(value):
        problem = _origin_problem(index, entry, name)
        if problem is not None:
            yield problem
        elif entry == NULL:
            yield Problem(
                "W004",
                f"{name('allowed_origins')}[{index}] is 'null': sandboxed iframes, file: "
                "pages and some redirects of any site send 'Origin: null', so this "
                "trusts all of them.",
                "Remove 'null'; serve local pages from http://localhost instead.",
            )


def _regexes(value: object, name: Namer) -> Iterator[Problem]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, (str, re.Pattern)) for v in value
    ):
        yield _list_problem(
            "allowed_origin_regexes", name, value, "regex strings or compiled patterns"
        )
        return
    for index, pattern in enumerate(value):
        if isinstance(pattern, re.Pattern):
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            yield Problem(
                "E004",
                f"{name('allowed_origin_regexes')}[{index}] {pattern!r} does not compile: {exc}.",
                "Fix the regular expression; it must match the whole origin.",
            )


def _source(value: object, name: Namer) -> Iterator[Problem]:
    """The type of ``allowed_origins_source``; whether it imports is the checks' (E025)."""
    if value is None or callable(value):
        return
    if not isinstance(value, str) or "." not in value.strip(".") or value != value.strip():
        yield Problem(
            "E001",
            f"{name('allowed_origins_source')} must be the dotted path of a callable, the "
            f"callable itself, or None; got {value!r}.",
            "Write e.g. 'myproject.cors.tenant_origins' (a function that takes no argument "
            "and returns origins).",
        )


def _tokens(key: str, value: object, name: Namer) -> Iterator[Problem]:
    if not _is_str_list(value):
        yield _list_problem(key, name, value, "strings")
        return
    assert isinstance(value, (list, tuple))
    for index, token in enumerate(value):
        where = f"{name(key)}[{index}]"
        if key == "allow_methods" and TOKEN.fullmatch(token) and token != token.upper():
            yield Problem(
                "E006",
                f"{where} {token!r} is not upper case; methods are case-sensitive "
                "and browsers send them in upper case.",
                f"Write {token.upper()!r}.",
            )
            continue
        if token == "*" and key != "allow_methods":
            continue
        if token == "*" or not TOKEN.fullmatch(token):
            yield Problem(
                "E006" if key == "allow_methods" else "E007",
                f"{where} {token!r} is not a valid "
                f"{'method' if key == 'allow_methods' else 'header name'}.",
                "Use the bare name without spaces, colons or values, e.g. 'X-Requested-With'.",
            )
            continue
        yield from _forbidden(key, where, token)


def _forbidden(key: str, where: str, token: str) -> Iterator[Problem]:
    lowered = token.lower()
    if key == "allow_methods" and token in FORBIDDEN_METHODS:
        yield Problem(
            "W008",
            f"{where} {token!r} is a forbidden method: browsers refuse to send it "
            "cross-origin, so allowing it has no effect.",
            f"Remove {token!r}.",
        )
    elif key == "allow_headers" and (
        lowered in FORBIDDEN_REQUEST_HEADERS or lowered.startswith(FORBIDDEN_REQUEST_PREFIXES)
    ):
        hint = f"Remove {token!r}."
        if lowered == "cookie":
            hint += " To let the browser send cookies, set allow_credentials=True."
        yield Problem(
            "W005",
            f"{where} {token!r} is a forbidden request header: the browser sets it "
            "itself and no preflight ever asks for it.",
            hint,
        )
    elif key == "expose_headers" and lowered in FORBIDDEN_RESPONSE_HEADERS:
        yield Problem(
            "W006",
            f"{where} {token!r} is never exposed to scripts, whatever the server says.",
            f"Remove {token!r}; cookies are read by the browser, not by scripts.",
        )


def _max_age(age: object, name: Namer) -> Iterator[Problem]:
    key = name("preflight_max_age")
    if isinstance(age, bool) or not isinstance(age, int):
        yield Problem(
            "E001",
            f"{key} must be a whole number of seconds, not {age!r}.",
            "Use e.g. 3600; 0 omits Access-Control-Max-Age.",
        )
    elif age < 0:
        yield Problem(
            "E008",
            f"{key} is {age}; a preflight cache time cannot be negative.",
            "Use e.g. 3600; 0 omits Access-Control-Max-Age.",
        )
    elif age > MAX_AGE_HONOURED:
        yield Problem(
            "W009",
            f"{key} is {age}; no browser caches a preflight longer than "
            f"{MAX_AGE_HONOURED} seconds (Chromium: 7200).",
            f"Use at most {MAX_AGE_HONOURED}.",
        )


def _combinations(
    values: Mapping[str, Any], explicit: Collection[str], name: Namer
) -> Iterator[Problem]:
    """Problems of keys taken together, reported where one of them is written."""
    if (
        values.get("allow_private_network") is True
        and values.get("allow_all_origins") is True
        and ("allow_private_network" in explicit or "allow_all_origins" in explicit)
    ):
        yield Problem(
            "W010",
            f"{name('allow_private_network')} is True together with "
            f"{name('allow_all_origins')}: every public website may reach this "
            "private-network server from its visitors' browsers.",
            "List the origins that may call it instead of allowing all of them.",
        )
    if (
        values.get("allowed_origins_source") is not None
        and values.get("allow_all_origins") is True
        and ("allowed_origins_source" in explicit or "allow_all_origins" in explicit)
    ):
        yield Problem(
            "W013",
            f"{name('allowed_origins_source')} is set together with {name('allow_all_origins')}: "
            "every origin is allowed already, so the source is never read.",
            "Remove one of them: keep the source to allow only the origins it lists.",
        )
    yield from _lookalikes(values, explicit, name)
    if values.get("allow_credentials") is not True:
        return
    if values.get("allow_all_origins") is True and (
        "allow_credentials" in explicit or "allow_all_origins" in explicit
    ):
        yield credentials_with_all_origins(name)
    origins = values.get("allowed_origins")
    if _is_str_list(origins) and ("allow_credentials" in explicit or "allowed_origins" in explicit):
        yield from _credentialed_origins(origins, name)
    expose = values.get("expose_headers")
    if (
        isinstance(expose, (list, tuple))
        and "*" in expose
        and ("allow_credentials" in explicit or "expose_headers" in explicit)
    ):
        yield Problem(
            "W007",
            f"{name('expose_headers')} has '*' and {name('allow_credentials')} is True: with "
            "credentials '*' is the literal header name '*', so nothing is exposed.",
            "List the header names to expose, e.g. ['X-Total-Count'].",
        )


def _lookalikes(
    values: Mapping[str, Any], explicit: Collection[str], name: Namer
) -> Iterator[Problem]:
    """Regexes whose unescaped dots admit look-alike hosts: E023 with credentials, else W011."""
    credentials = values.get("allow_credentials") is True
    regexes = values.get("allowed_origin_regexes")
    if not isinstance(regexes, (list, tuple)) or not (
        "allowed_origin_regexes" in explicit or (credentials and "allow_credentials" in explicit)
    ):
        return
    for index, pattern in enumerate(regexes):
        found = lookalike_report(
            pattern,
            f"{name('allowed_origin_regexes')}[{index}]",
            name("allowed_origins"),
            name("allow_credentials") if credentials else None,
        )
        if found is not None:
            yield Problem("E023" if credentials else "W011", *found)


def _credentialed_origins(origins: Any, name: Namer) -> Iterator[Problem]:
    for index, entry in enumerate(origins):
        try:
            parsed = parse_entry(entry)
        except OriginError:
            continue  # reported on its own
        where = f"{name('allowed_origins')}[{index}] {entry!r}"
        scheme, host = _scheme_host(parsed)
        if scheme == "http" and not _is_loopback(host):
            yield Problem(
                "W002",
                f"{where} is plain http: with {name('allow_credentials')} anyone on the "
                "network path can forge this origin and make credentialed calls.",
                "Use 'https://' (http: is fine only for localhost and loopback addresses).",
            )
        if parsed.kind == "subdomains" and is_public_suffix(parsed.host):
            yield Problem(
                "W003",
                f"{where} covers every site under the public suffix {parsed.host!r}: with "
                f"{name('allow_credentials')} sites you do not control can make "
                "credentialed calls.",
                f"List your own origins, e.g. '{scheme}://app.yourdomain.{parsed.host}'.",
            )


def _scheme_host(entry: OriginEntry) -> tuple[str, str]:
    if entry.kind != "exact":
        return entry.scheme, entry.host
    scheme, _, rest = entry.value.partition("://")
    if rest.startswith("["):
        return scheme, rest[: rest.find("]") + 1]
    return scheme, rest.partition(":")[0]


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True  # RFC 6761: always the loopback interface
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cache
def _suffix_list() -> Any:
    # The list ships inside the package (no network at run time); unknown
    # TLDs such as ".internal" or ".localhost" are not treated as public.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_unknown=False)


def is_public_suffix(host: str) -> bool:
    """``True`` for ``com``, ``co.uk``, ``github.io``: the Public Suffix List's entries."""
    return bool(_suffix_list().is_public(host))
