"""Regexes and ``ALLOWED_ORIGINS`` entries, one into the other.

- :func:`looks_like_regex`: an ``ALLOWED_ORIGINS`` entry written as a regex
  (``drf_cors.E022``), told apart from the valid entries that share its
  characters (``https://*.example.com``, ``http://localhost:*``,
  ``http://[::1]:8000``) and from the origin mistakes that have their own ids
  (``https://a.*.example.com`` is E020, ``https://app.example.com?x`` E013).
- :func:`as_entries`: the exact origins and wildcard patterns a regex really
  is (``^https://.*\\.example\\.com$`` is ``https://*.example.com``), with every
  difference in what they admit said in words, with an example.
- :func:`literal`: a string as Python source, raw when it holds a backslash.

The trees come from ``_regex_tree``; entries are checked by
``_origins.parse_entry``; the checks' wording is ``_regex_hints``'.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from ._origins import OriginError, parse_entry
from ._regex_tree import UNBOUNDED, Node, Tree, Unanalysable, flat, tree
from ._regexes import Lookalike, lookalike

#: Characters no origin has, but regexes do.
_REGEX_ONLY: Final = re.compile(r"[\\^$()|{}]|\.\*|\*\)|\]\?|s\?:")
#: An IPv6 host, valid or not (``[::g]`` is E003): a regex class rarely holds ':'.
_IPV6_HOST: Final = re.compile(r"://\[[^\[\]/]*:[^\[\]/]*\]")
_LOOSE: Final = "<unescaped dot>"
MAX_BRANCHES: Final = 64


def looks_like_regex(entry: str) -> bool:
    """Whether an entry that is not a valid origin was meant as a regex."""
    rest = entry.partition("://")[2] if "://" in entry else entry
    if (
        "*" in entry
        and re.search(r"[a-z0-9-]\.\*\.", entry)
        and not _REGEX_ONLY.search(entry.replace(".*.", ""))
    ):
        return False  # ``https://a.*.example.com``: a glob with '*' inside (E020)
    if _REGEX_ONLY.search(entry) or "+" in rest:
        return True
    brackets = _IPV6_HOST.sub("://", entry, count=1)
    return "[" in brackets or "]" in brackets


class Translation(NamedTuple):
    """The entries a regex can be written as; ``differences`` empty when exact."""

    entries: tuple[str, ...]
    differences: tuple[str, ...]


def as_entries(pattern: str | re.Pattern[str]) -> Translation | None:
    """The ``ALLOWED_ORIGINS`` entries for ``pattern``, or ``None`` if it is not one.

    Understood: anchors, a scheme (``https?`` gives both), a wildcard part
    before a ``\\.`` (``.*``, ``.+``, ``[^.]+``, ``[\\w-]+``, ``(\\w+\\.)*``,
    optional: ``(.*\\.)?`` also gives the bare domain), a literal host, a port
    (``:8000``, ``:\\d+`` is ``:*``, ``(:\\d+)?`` both), a trailing ``/?``, and
    a top-level alternation of such. Anything else is not an entry.
    """
    try:
        parsed = tree(pattern)
    except Unanalysable:
        return None
    entries: list[str] = []
    differences: list[str] = []
    try:
        branches = _branches(flat(parsed.root))
    except Unanalysable:
        return None
    for parts in branches:
        found = _translate(parts, parsed)
        if found is None:
            return None
        entries += [e for e in found.entries if e not in entries]
        differences += [d for d in found.differences if d not in differences]
    if not entries:
        return None
    if _LOOSE in differences:
        differences[differences.index(_LOOSE)] = loose_text(lookalike(parsed.compiled))
    return Translation(tuple(entries), tuple(differences))


def loose_text(found: Lookalike | None) -> str:
    if found is None:
        return "the regex's unescaped '.' also admitted any character in place of a dot"
    return f"the regex's unescaped '.' also admitted {found.lookalike!r}, a look-alike host"


def _branches(parts: list[Node]) -> list[list[Node]]:
    """``parts`` with each alternation, and each optional literal label (``(www\\.)?``),
    spelled out: one list of parts per way through (at most ``MAX_BRANCHES``)."""
    for k, part in enumerate(parts):
        optional = _optional(part)
        if part.kind == "alt":
            ways = [flat(child) for child in part.children]
        elif optional and all(p.kind == "lit" for p in optional) and optional[-1].char != "/":
            ways = [optional, []]
        else:
            continue
        found: list[list[Node]] = []
        for way in ways:
            found += _branches(parts[:k] + way + parts[k + 1 :])
            if len(found) > MAX_BRANCHES:
                raise Unanalysable("too many branches")
        return found
    return [parts]


def _optional(node: Node) -> list[Node] | None:
    """The parts of a ``?`` repeat."""
    return flat(node.children[0]) if node.kind == "rep" and node.lo == 0 and node.hi == 1 else None


def _wild(node: Node) -> Node | None:
    """The class of ``X+``/``X*`` when ``X`` is a single character class or ``.``."""
    if node.kind != "rep" or node.hi < UNBOUNDED:
        return None
    inner = flat(node.children[0])
    return inner[0] if len(inner) == 1 and inner[0].kind in ("set", "any") else None


def _is_lit(node: Node | None, char: str) -> bool:
    return node is not None and node.kind == "lit" and node.char == char


class _Host(NamedTuple):
    label: Node | None  # the wildcard part's class, if any
    apex: bool  # the bare domain too
    several: bool  # the wildcard part spans several labels


def _host_prefix(parts: list[Node], i: int) -> tuple[_Host, int]:
    """The wildcard part at ``parts[i]``, if there is one, and where the host goes on."""
    here = parts[i] if i < len(parts) else None
    after = parts[i + 1] if i + 1 < len(parts) else None
    if here is not None and (label := _wild(here)) is not None and _is_lit(after, "."):
        return _Host(label, False, label.member(".")), i + 2
    if here is not None and here.kind == "rep" and (here.hi == 1 or here.hi >= UNBOUNDED):
        body = flat(here.children[0])
        if len(body) == 2 and (label := _wild(body[0])) is not None and _is_lit(body[1], "."):
            return _Host(label, here.lo == 0, here.hi > 1 or label.member(".")), i + 1
    return _Host(None, False, False), i


def _ports(parts: list[Node], i: int) -> tuple[list[str], int] | None:
    here = parts[i] if i < len(parts) else None
    if _is_lit(here, ":"):
        digits = ""
        i += 1
        while i < len(parts) and parts[i].kind == "lit" and parts[i].char.isdigit():
            digits, i = digits + parts[i].char, i + 1
        if digits:
            return [digits], i
        if i < len(parts) and _digits(parts[i]):
            return ["*"], i + 1
        return None
    optional = _optional(here) if here is not None else None
    if optional and len(optional) == 2 and _is_lit(optional[0], ":") and _digits(optional[1]):
        return ["", "*"], i + 1
    return [""], i


def _digits(node: Node) -> bool:
    label = _wild(node)
    return (
        label is not None
        and node.lo >= 1
        and all(label.member(d) for d in "0123456789")
        and not any(label.member(c) for c in "a.-:/")
    )


def _translate(parts: list[Node], parsed: Tree) -> Translation | None:
    parts = [p for p in parts if p.kind not in ("begin", "end")]
    i, scheme = 0, ""
    while i < len(parts) and parts[i].kind == "lit" and parts[i].char != ":":
        scheme, i = scheme + parts[i].char, i + 1
    if "".join(p.char for p in parts[i : i + 3] if p.kind == "lit") != "://":
        return None
    host_form, i = _host_prefix(parts, i + 3)
    host, loose = "", False
    while i < len(parts) and (
        (parts[i].kind == "lit" and parts[i].char not in ":/")
        or (parts[i].kind == "any" and parts[i].index in parsed.single_dots)
    ):
        loose = loose or parts[i].kind == "any"
        host, i = host + (parts[i].char if parts[i].kind == "lit" else "."), i + 1
    found = _ports(parts, i)
    if found is None or not host:
        return None
    ports, i = found
    if i < len(parts) and [p.char for p in _optional(parts[i]) or []] == ["/"]:
        i += 1
    if i != len(parts):
        return None
    entries = [
        f"{scheme}://{prefix}{host}{':' + port if port else ''}"
        for prefix in (["*."] if host_form.label else [])
        + ([""] if host_form.apex or not host_form.label else [])
        for port in ports
    ]
    try:
        for entry in entries:
            parse_entry(entry)
    except OriginError:
        return None
    differences = _label_differences(host_form, scheme, host) + ([_LOOSE] if loose else [])
    return Translation(tuple(entries), tuple(differences))


def _label_differences(form: _Host, scheme: str, host: str) -> list[str]:
    label = form.label
    if label is None:
        return []
    found = []
    if not form.several:
        found.append(f"'*.' also matches several labels, e.g. '{scheme}://a.b.{host}'")
    missing = [
        what for c, what in (("a", "letters"), ("1", "digits"), ("-", "'-'")) if not label.member(c)
    ]
    if missing:
        found.append(
            f"'*.' also matches labels with {' or '.join(missing)}, e.g. '{scheme}://a-1.{host}'"
        )
    if label.member("_"):
        found.append(
            f"'*.' matches DNS labels only: '{scheme}://a_b.{host}', which the regex admitted, "
            "no longer matches"
        )
    return found


def literal(text: str) -> str:
    """``text`` as a Python string literal: ``r"..."`` when it has a backslash, else ``"..."``."""
    if "\\" in text and '"' not in text and not text.endswith("\\") and text.isprintable():
        return f'r"{text}"'
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        return f'"{quoted[1:-1]}"'
    return quoted
