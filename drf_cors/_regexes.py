"""Origin regexes, analysed by running them.

The checks (``drf_cors.E023``/``W011``) and ``cors_migrate`` ask what a regex
really admits. From the tree of ``_regex_tree``, :func:`examples` writes
strings the regex matches and :func:`lookalike`, for each unescaped ``.``
that sits where a host has a dot, the same string with a ``-`` there. Nothing
is claimed until the compiled regex has been run on the string, and only a
regex whose tree is ``safe`` is ever run: no check can hang on a regex.
Repeats are written out once (or their minimum, at most ``MAX_COPIES``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ._regex_tree import MAX_COPIES, MAX_LENGTH, Node, Tree, Unanalysable, quiet_compile, tree


class _Writer:
    """Writes one string the tree matches; ``target`` is the dot to render as ``as_char``."""

    def __init__(self, parsed: Tree, target: int, as_char: str, branch: int) -> None:
        self.dots = parsed.single_dots
        self.target, self.as_char, self.branch = target, as_char, branch
        self.out: list[str] = []
        self.groups: dict[int, str] = {}
        self.first_alt = True

    def write(self, node: Node) -> None:
        if len(self.out) > MAX_LENGTH:
            raise Unanalysable("too long")
        kind = node.kind
        if kind in ("lit", "set"):
            self.out.append(node.char)
        elif kind == "any":
            # A lone dot reads as a host's dot; one inside ``.*`` as a label letter.
            dot = "." if node.index in self.dots else "a"
            self.out.append(self.as_char if node.index == self.target else dot)
        elif kind == "alt":
            self.write(self._choose(node))
        elif kind == "rep":
            if node.lo > MAX_COPIES:
                raise Unanalysable("too many copies")
            # ``?`` is left out unless it holds the target; ``*`` and ``+`` written once.
            wanted = node.hi > 1 or self.target in node.anys
            for _ in range(node.lo or int(wanted and node.hi >= 1)):
                self.write(node.children[0])
        elif kind == "group":
            start = len(self.out)
            self.write(node.children[0])
            self.groups[node.group] = "".join(self.out[start:])
        elif kind == "ref":
            self.out.append(self.groups.get(node.group, ""))
        else:
            for child in node.children:
                self.write(child)

    def _choose(self, node: Node) -> Node:
        wanted = [c for c in node.children if self.target in c.anys]
        if wanted:
            return wanted[0]
        if self.first_alt:
            self.first_alt = False
            return node.children[min(self.branch, len(node.children) - 1)]
        return node.children[0]


def write(parsed: Tree, target: int = -1, as_char: str = ".", branch: int = 0) -> str:
    writer = _Writer(parsed, target, as_char, branch)
    writer.write(parsed.root)
    return "".join(writer.out)


def examples(pattern: str | re.Pattern[str], limit: int = 8) -> list[str]:
    """Strings the regex fullmatches: one per branch of its first alternation, at most ``limit``."""
    found: list[str] = []
    try:
        parsed = tree(pattern)
        if not parsed.safe:
            return []
        for branch in range(limit):
            text = write(parsed, branch=branch)
            if text not in found and parsed.compiled.fullmatch(text):
                found.append(text)
    except (Unanalysable, RecursionError):
        pass
    return found


def safely_runnable(pattern: str | re.Pattern[str]) -> bool:
    """Whether running ``pattern`` on short strings it may fail to match is safe."""
    try:
        return tree(pattern).safe
    except (Unanalysable, RecursionError):
        return False


class Lookalike(NamedTuple):
    """``intended`` and ``lookalike`` both fullmatch; they differ by one unescaped dot."""

    intended: str
    lookalike: str
    #: The regex with every dot that stands for a host's dot escaped, if it can be written.
    fixed: str | None


def lookalike(pattern: str | re.Pattern[str]) -> Lookalike | None:
    """The look-alike origin an unescaped ``.`` lets in, or ``None``.

    Only a dot between two host characters counts (``app.example``), never
    a wildcard part (``.*``, ``[^.]+``), and only a look-alike whose host is
    a registrable name (``app-example.com``, not ``example-com``) is reported.
    """
    try:
        parsed = tree(pattern)
        if not parsed.safe:
            return None
        found: list[tuple[str, str]] = []
        dots: list[int] = []
        for index in sorted(parsed.single_dots)[:MAX_COPIES]:
            intended = write(parsed, index)
            fake = write(parsed, index, "-")
            if len(intended) != len(fake):
                continue
            at = next((i for i, (a, b) in enumerate(zip(intended, fake, strict=True)) if a != b), 0)
            if not 0 < at < len(intended) - 1:
                continue
            if not (intended[at - 1].isalnum() and intended[at + 1].isalnum()):
                continue
            if parsed.compiled.fullmatch(intended) and parsed.compiled.fullmatch(fake):
                dots.append(index)
                if _registrable(fake):
                    found.append((intended, fake))
        if found:
            return Lookalike(*found[0], _fixed(parsed, tuple(dots)))
    except (Unanalysable, RecursionError):
        pass
    return None


def _registrable(origin: str) -> bool:
    """Whether the host of ``origin`` is a name under a top-level domain (``x-y.com``)."""
    host = origin.partition("://")[2].partition(":")[0].partition("/")[0]
    labels = host.split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and all(labels)


def _fixed(parsed: Tree, dots: tuple[int, ...]) -> str | None:
    """The source with these dots escaped, checked: it compiles and lets no look-alike in."""
    if parsed.verbose or "(?#" in parsed.compiled.pattern:
        return None  # comments may hold dots the parser never saw
    source = parsed.compiled.pattern
    out: list[str] = []
    index = 0
    escaped = False
    class_start = -1
    for position, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif class_start >= 0:
            first = class_start + (2 if source[class_start + 1 : class_start + 2] == "^" else 1)
            if char == "]" and position > first:
                class_start = -1
        elif char == "[":
            class_start = position
        elif char == ".":
            if index in dots:
                char = "\\."
            index += 1
        out.append(char)
    fixed = "".join(out)
    try:
        compiled = quiet_compile(fixed, parsed.compiled.flags)
    except (re.error, FutureWarning):  # pragma: no cover - escaping a dot keeps a regex valid
        return None
    return fixed if lookalike(compiled) is None else None
