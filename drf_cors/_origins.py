"""Origins: parsing what the settings say, matching what the browser sends.

Configured entries are parsed once (``parse_entry``) into exact strings and
wildcard tables; ``OriginMatcher.allows`` then answers with set and dict
look-ups, so its cost does not grow with the number of configured origins.
A browser serialises an origin as ``scheme "://" host [":" port]``, in lower
case, without a default port (RFC 6454 §6.2, Fetch "origin" header); an entry
that could never equal such a string is reported, never silently kept.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

NULL: Final = "null"
#: No browser sends an origin this long: a DNS name is at most 253 octets, so
#: "https://" + host + ":65535" stays under it. Longer values are refused
#: before anything else looks at them, so an 8 KB or 200-label ``Origin``
#: costs what a short one does.
MAX_ORIGIN_LENGTH: Final = 300
DEFAULT_PORTS: Final = {"http": "80", "https": "443", "ws": "80", "wss": "443"}

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT = re.compile(r"[1-9][0-9]{0,4}")


@dataclass(frozen=True, slots=True)
class OriginEntry:
    """One parsed ``ALLOWED_ORIGINS`` entry.

    ``kind`` is ``"exact"`` (``value`` is the origin itself), ``"subdomains"``
    (``host`` is the suffix after ``*.``) or ``"anyport"`` (``port`` is ``*``).
    A ``"subdomains"`` entry may also have ``port == "*"``.
    """

    kind: str
    value: str
    scheme: str = ""
    host: str = ""
    port: str = ""


class OriginError(ValueError):
    """An entry that no browser ``Origin`` can ever equal; ``hint`` says the fix."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _split_host_port(rest: str) -> tuple[str, str, bool]:
    """Split ``host[:port]``; the flag says whether a ``:`` was present."""
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return rest, "", False
        tail = rest[end + 1 :]
        if tail and not tail.startswith(":"):
            return rest, "", False
        return rest[: end + 1], tail[1:], bool(tail)
    host, colon, port = rest.partition(":")
    return host, port, bool(colon)


def parse_entry(entry: str) -> OriginEntry:
    """Parse an ``ALLOWED_ORIGINS`` entry or raise :class:`OriginError`."""
    if entry == NULL:
        return OriginEntry("exact", NULL)
    if (" " in entry or not entry.isprintable()) and any(ch.isspace() for ch in entry):
        raise OriginError(
            f"{entry!r} contains whitespace", f"Write it as {''.join(entry.split())!r}."
        )
    scheme, sep, rest = entry.partition("://")
    if not sep:
        raise OriginError(
            f"{entry!r} has no scheme", f"Write the full origin, e.g. 'https://{entry}'."
        )
    if entry != entry.lower() and entry.isascii():
        raise OriginError(
            f"{entry!r} has upper-case letters; browsers send origins in lower case",
            f"Write it as {entry.lower()!r}.",
        )
    if not _SCHEME.fullmatch(scheme):
        raise OriginError(f"{entry!r} has an invalid scheme", "Use e.g. 'https://'.")
    for sep_char in "/?#":
        if sep_char in rest:
            cut = rest.split(sep_char, 1)[0]
            raise OriginError(
                f"{entry!r} has a path, query or fragment; an origin is only scheme://host[:port]",
                f"Write it as '{scheme}://{cut}'.",
            )
    if "@" in rest:
        raise OriginError(
            f"{entry!r} has user information; browsers never send it in an Origin",
            f"Write it as '{scheme}://{rest.rsplit('@', 1)[1]}'.",
        )
    host, port, has_colon = _split_host_port(rest)
    if not host:
        raise OriginError(f"{entry!r} has no host", "Write e.g. 'https://app.example.com'.")
    if has_colon and port != "*" and not (_PORT.fullmatch(port) and int(port) <= 65535):
        raise OriginError(
            f"{entry!r} has an invalid port {port!r}",
            "A port is a number from 1 to 65535, or '*' for any port.",
        )
    if port and DEFAULT_PORTS.get(scheme) == port:
        raise OriginError(
            f"{entry!r} names the default port {port}; browsers omit it from the Origin",
            f"Write it as '{scheme}://{host}'.",
        )
    if not host.isascii():
        try:
            puny = host.encode("idna").decode("ascii")
        except UnicodeError:
            puny = "the punycode (xn--) form"
        raise OriginError(
            f"{entry!r} has a Unicode host; browsers send its punycode form",
            f"Write it as '{scheme}://{puny}{':' + port if port else ''}'.",
        )
    wildcard = host.startswith("*.")
    name = host[2:] if wildcard else host
    if "*" in name:
        raise OriginError(
            f"{entry!r} has a '*' that is not the whole leftmost label",
            "Write 'https://*.example.com' (one or more labels) or use ALLOWED_ORIGIN_REGEXES.",
        )
    if name.startswith("["):
        try:
            if not name.endswith("]"):
                raise ValueError(name)
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            raise OriginError(
                f"{entry!r} has an invalid IPv6 host", "Write e.g. 'http://[::1]:8000'."
            ) from None
    elif not _HOST.fullmatch(name):
        raise OriginError(
            f"{entry!r} has an invalid host {name!r}",
            "A host is DNS labels of letters, digits and '-' separated by dots.",
        )
    if wildcard:
        return OriginEntry("subdomains", entry, scheme, name, port)
    if port == "*":
        return OriginEntry("anyport", entry, scheme, name, port)
    return OriginEntry("exact", entry)


_LABELS = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


class OriginMatcher:
    """Decides whether a request's ``Origin`` is allowed; built once per policy."""

    __slots__ = (
        "allow_all",
        "anyport",
        "exact",
        "patterns",
        "regex",
        "regexes",
        "subdomains",
        "suffix_labels",
    )

    def __init__(
        self,
        entries: Iterable[OriginEntry],
        regexes: Iterable[re.Pattern[str]],
        allow_all: bool,
    ) -> None:
        self.allow_all = allow_all
        exact: set[str] = set()
        anyport: set[tuple[str, str]] = set()
        subdomains: dict[tuple[str, str], set[str]] = {}
        for entry in entries:
            if entry.kind == "exact":
                exact.add(entry.value)
            elif entry.kind == "anyport":
                anyport.add((entry.scheme, entry.host))
            else:
                subdomains.setdefault((entry.scheme, entry.port), set()).add(entry.host)
        self.exact = frozenset(exact)
        self.anyport = frozenset(anyport)
        self.subdomains = {key: frozenset(hosts) for key, hosts in subdomains.items()}
        #: How many labels the wildcard suffixes have ({2} for "*.example.com"):
        #: a host is looked up by those suffixes only, whatever its length.
        self.suffix_labels = tuple(
            sorted({host.count(".") + 1 for hosts in subdomains.values() for host in hosts})
        )
        self.regex, self.regexes = _combine(list(regexes))
        #: Anything beyond the exact set to try: most matchers (a source's,
        #: a partner list) are exact entries only, and stop at the set.
        self.patterns = bool(self.anyport or self.subdomains or self.regex or self.regexes)

    def allows(self, origin: str) -> bool:
        """Invariant: ``True`` only for printable ASCII (exact entries were validated)."""
        if self.allow_all:
            return True
        if len(origin) > MAX_ORIGIN_LENGTH:
            return False
        if origin in self.exact:
            return True
        if not self.patterns:
            return False
        # "null" is matched only by a literal entry (checked above); patterns
        # and regexes never see it, nor anything a browser could not send.
        if origin == NULL or not origin.isascii() or not origin.isprintable():
            return False
        if (self.anyport or self.subdomains) and self._pattern_allows(origin):
            return True
        if self.regex is not None and self.regex.fullmatch(origin):
            return True
        return bool(self.regexes) and any(pattern.fullmatch(origin) for pattern in self.regexes)

    def _pattern_allows(self, origin: str) -> bool:
        scheme, sep, rest = origin.partition("://")
        if not sep:
            return False
        host, port, has_colon = _split_host_port(rest)
        if has_colon and not (port.isdigit() and port.isascii()):
            return False
        if (scheme, host) in self.anyport:
            return True
        exact_port = self.subdomains.get((scheme, port))
        any_port = self.subdomains.get((scheme, "*"))
        if exact_port is None and any_port is None:
            return False
        # Look the host up by its suffixes of the lengths the patterns have:
        # set look-ups, whatever the number of patterns. At least one full
        # label must precede the suffix, so "*.example.com" never matches the
        # apex or "evil-example.com".
        for labels in self.suffix_labels:
            dot = len(host)
            for _ in range(labels):
                dot = host.rfind(".", 0, dot)
                if dot <= 0:
                    return False
            suffix = host[dot + 1 :]
            if (
                (exact_port is not None and suffix in exact_port)
                or (any_port is not None and suffix in any_port)
            ) and _LABELS.fullmatch(host, 0, dot):
                return True
        return False


_UNCOMBINABLE = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?[aiLmsux]+\)")


def _combine(
    patterns: list[re.Pattern[str]],
) -> tuple[re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
    """Fold the regexes into one alternation where that keeps their meaning.

    One ``fullmatch`` in C beats a Python loop over fifty patterns. Patterns
    with flags, backreferences, named groups or inline global flags keep their
    own compiled form, tried one by one after the combined one.
    """
    simple = [p for p in patterns if p.flags == re.UNICODE and not _UNCOMBINABLE.search(p.pattern)]
    rest = tuple(p for p in patterns if p not in simple)
    if not simple:
        return None, rest
    if len(simple) == 1:
        return simple[0], rest
    try:
        combined = re.compile("|".join(f"(?:{p.pattern})" for p in simple))
    except re.error:  # pragma: no cover - each part compiled alone
        return None, tuple(patterns)
    return combined, rest
