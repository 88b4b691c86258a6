"""What a source's result becomes: entries checked by the system checks' rules, compiled per host.

A source returns ``ALLOWED_ORIGINS``-style entries, or a dict of request host
-> entries (``"*"``: entries every host gets). :func:`validate` keeps what
the rules allow (a refused entry is skipped, never matched loosely) and
:class:`Snapshot` compiles it into the ``OriginMatcher`` static origins use,
one per host: what requests match against, swapped in whole by ``_sources``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.request import split_domain_port

from ._origins import NULL, OriginEntry, OriginError, OriginMatcher, parse_entry
from ._validation import OPAQUE_SCHEMES, Problem, _origin_problem, is_public_suffix

#: The mapping key of entries every host gets.
EVERY_HOST: Final = "*"


def request_host(request: HttpRequest) -> str | None:
    """The host a mapping is keyed by: ``get_host()`` lower-cased, no port, no trailing dot."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # Django refuses it (ALLOWED_HOSTS): the source gives it nothing
    domain, _port = split_domain_port(host)
    return domain or None


def normalize_host(host: object) -> str | None:
    """A mapping key as a request host would be written, or ``None`` if it is not a host."""
    if host == EVERY_HOST:
        return EVERY_HOST
    if not isinstance(host, str) or not host or host != host.strip():
        return None
    domain, port = split_domain_port(host.lower())
    return domain if domain and not port else None


def entry_problem(entry: object, index: int, prefix: str) -> Problem | None:
    """Why a source may not contribute ``entry`` (the checks' wording), or ``None``.

    The rules of ``ALLOWED_ORIGINS`` (E0NN errors), and stricter for data:
    never ``"null"`` and never a wildcard over a public suffix, which a listed
    entry only warns about (W004, W003), since data entered by tenants or
    admins is not reviewed like settings are.
    """
    where = f"{prefix}[{index}]"
    if not isinstance(entry, str):
        return Problem("E001", f"{where} is {entry!r}, not an origin string.", "Return strings.")
    # The very function behind the system checks, so the wording is theirs.
    problem = _origin_problem(index, entry, lambda _key: prefix)
    if problem is not None and problem.is_error:
        return problem
    if entry == "null":
        return Problem(
            "W004",
            f"{where} is 'null': sandboxed iframes and file: pages of any site send it; a "
            "source never allows it.",
            "Remove it; list 'null' in ALLOWED_ORIGINS if you must.",
        )
    parsed = parse_entry(entry)
    if parsed.kind == "subdomains" and is_public_suffix(parsed.host):
        return Problem(
            "W003",
            f"{where} {entry!r} covers every site under the public suffix {parsed.host!r}; "
            "a source never allows that.",
            f"List the tenant's own origins, e.g. '{parsed.scheme}://app.example.{parsed.host}'.",
        )
    return None


def canonical(raw: Any) -> dict[Any, Any]:
    """A source's result as a plain dict of host -> tuple (``"*"`` for a list).

    What is compared between reads (an unchanged result is not checked and
    compiled again) and hashed into the snapshot's version. A result that is
    neither a list nor a dict raises ``TypeError``: the read failed.
    """
    if isinstance(raw, Mapping):
        return {
            host: tuple(values)
            if isinstance(values, Iterable) and not isinstance(values, (str, bytes))
            else values
            for host, values in raw.items()
        }
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        raise TypeError(
            f"it returned {type(raw).__name__}; a source returns a list of origins or a "
            "dict of host -> list of origins"
        )
    return {EVERY_HOST: tuple(raw)}


def version_of(result: dict[Any, Any]) -> str:
    """The same for the same result in every process: processes compare versions."""
    items = sorted(result.items(), key=lambda item: repr(item[0]))
    return hashlib.sha256(repr(items).encode("utf-8", "backslashreplace")).hexdigest()[:32]


def _accept(entry: object) -> OriginEntry | None:
    """``entry`` parsed, if the rules accept it; ``None`` sends it to :func:`entry_problem`.

    The common case in one parse: an entry ``parse_entry`` accepts passes
    every other rule too, but for the ones tested here.
    """
    if not isinstance(entry, str):
        return None
    try:
        parsed = parse_entry(entry)
    except OriginError:
        return None
    scheme = entry.partition("://")[0]
    if entry == NULL or scheme in _REFUSED_SCHEMES:
        return None
    if parsed.kind == "subdomains" and is_public_suffix(parsed.host):
        return None
    return parsed


_REFUSED_SCHEMES: Final = frozenset({"ws", "wss", *OPAQUE_SCHEMES})


def validate(
    result: dict[Any, Any], label: str, skip: Callable[[str, Problem], None]
) -> tuple[dict[str, tuple[OriginEntry, ...]], int]:
    """A :func:`canonical` result as host -> accepted entries, and how many were skipped.

    ``skip(what, problem)`` is told of each refused host or entry, with the
    system checks' wording.
    """
    entries: dict[str, dict[str, OriginEntry]] = {}
    skipped = 0
    for host, values in result.items():
        key = normalize_host(host)
        where = f"origins source {label}" + ("" if host == EVERY_HOST else f"[{host!r}]")
        if key is None or not isinstance(values, tuple):
            why = "is not a host name" if key is None else "does not map to a list"
            skip(f"host {host!r}", Problem("E001", f"{where}: {host!r} {why}.", ""))
            skipped += 1
            continue
        kept = entries.setdefault(key, {})
        for index, entry in enumerate(values):
            parsed = _accept(entry)
            if parsed is not None:
                kept[parsed.value] = parsed
                continue
            problem = entry_problem(entry, index, where)
            if problem is None:  # pragma: no cover - _accept and entry_problem agree
                continue
            skip(repr(entry), problem)
            skipped += 1
    return {host: tuple(kept.values()) for host, kept in entries.items()}, skipped


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One good read of a source, compiled: what requests match against."""

    #: host (``"*"`` for every host) -> the valid entries, as the source gave them
    entries: Mapping[str, tuple[str, ...]]
    skipped: int
    version: str
    #: wall-clock time the read started (compared across processes)
    started: float
    common: OriginMatcher | None
    by_host: Mapping[str, OriginMatcher]

    @classmethod
    def build(
        cls,
        entries: Mapping[str, tuple[OriginEntry, ...]],
        skipped: int,
        version: str,
        started: float,
    ) -> Snapshot:
        matchers = {
            host: OriginMatcher(values, (), False) for host, values in entries.items() if values
        }
        common = matchers.pop(EVERY_HOST, None)
        texts = {host: tuple(e.value for e in values) for host, values in entries.items()}
        return cls(texts, skipped, version, started, common, matchers)

    @classmethod
    def from_texts(
        cls, entries: Mapping[str, Iterable[str]], skipped: int, version: str, started: float
    ) -> Snapshot:
        """A snapshot another process published: its entries were checked when read."""
        parsed = {host: tuple(parse_entry(e) for e in values) for host, values in entries.items()}
        return cls.build(parsed, skipped, version, started)

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.entries.values())

    def allows(self, origin: str, request: HttpRequest | None) -> bool:
        common = self.common
        if common is not None and common.allows(origin):
            return True
        return self.host_allows(origin, request)

    def host_allows(self, origin: str, request: HttpRequest | None) -> bool:
        """The request host's own entries (``CompiledPolicy.allows`` tried the common ones)."""
        if not self.by_host or request is None:
            return False
        matcher = self.by_host.get(request_host(request) or "")
        return matcher is not None and matcher.allows(origin)

    def explain(self, origin: str, host: str | None) -> str:
        """Which entry allows ``origin`` for ``host``, or why none does (slow; for tools)."""
        for key in (EVERY_HOST, host or ""):
            for entry in self.entries.get(key, ()):
                if OriginMatcher([parse_entry(entry)], (), False).allows(origin):
                    scope = "every host" if key == EVERY_HOST else f"host {key!r}"
                    return f"allowed by its entry {entry!r} (for {scope})"
        hosts = [h for h in self.entries if h != EVERY_HOST]
        if hosts and host not in self.entries:
            return (
                f"it has no entry for the host {host!r} (it lists {len(hosts)} host(s), "
                f"e.g. {', '.join(map(repr, sorted(hosts)[:3]))})"
            )
        return f"none of its {self.count} entries allows {origin!r}"


def field_problem(entry: object, subject: str = "This entry") -> Problem | None:
    """:func:`entry_problem` worded for one form field: ``subject`` instead of ``prefix[index]``.

    The rest of the message and the hint are the system check's own, so the
    admin and ``manage.py check`` explain a refused entry the same way.
    """
    problem = entry_problem(entry, 0, subject)
    if problem is None:
        return None
    where = f"{subject}[0]"
    message = problem.message
    if message.startswith(where):
        message = subject + message[len(where) :]
    return problem._replace(message=message)
