"""The parse tree of an origin regex, simplified, and whether it is safe to run.

``re``'s own parser (``re._parser``, private) reads the regex; :func:`tree`
turns its output into :class:`Node` trees that ``_regexes`` writes strings
from and ``_regex_entries`` reads entries from. Any surprise in the private
output (a new opcode, a changed shape) raises :class:`Unanalysable`, never
anything else, so callers simply say nothing about that regex.

Bounded work: at most ``MAX_SOURCE`` characters and ``MAX_NODES`` nodes;
:attr:`Tree.safe` is false for a regex that could backtrack exponentially on
a string it fails to match (a repeat holding a repeat or an alternation,
unless a literal the inside cannot produce closes each round) or that has
more than ``MAX_REPEATS`` repeats: such a regex is never run on a made-up
string.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, NamedTuple

try:
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - every supported Python has it
    _parser = None

MAX_NODES: Final = 5000
MAX_SOURCE: Final = 10_000
MAX_COPIES: Final = 64
MAX_LENGTH: Final = 2000
MAX_REPEATS: Final = 12
#: A repeat with at least this maximum counts as "any number of times".
UNBOUNDED: Final = 1 << 16
#: Tried first when a character class needs one representative character.
_SAMPLES: Final = "a1-xz0." + "".join(chr(c) for c in range(33, 127))


class Unanalysable(Exception):
    """The regex is outside what this module can say anything true about."""


@dataclass(frozen=True, eq=False)
class Node:
    """One element of a parse tree, simplified.

    ``kind`` is ``lit`` (``char``), ``set`` (``member``, ``char`` a sample),
    ``any`` (``index``: the n-th unescaped ``.`` in source order), ``seq``,
    ``alt``, ``rep`` (``lo``..``hi`` copies of ``children[0]``), ``group``
    (number ``group``), ``ref`` (a backreference), ``begin``/``end``
    (anchors) or ``skip`` (lookarounds and word boundaries: match nothing).
    """

    kind: str
    char: str = ""
    member: Callable[[str], bool] = field(default=lambda c: False, repr=False)
    index: int = -1
    lo: int = 0
    hi: int = 0
    group: int = 0
    children: tuple[Node, ...] = ()
    anys: frozenset[int] = frozenset()


class Tree(NamedTuple):
    root: Node
    compiled: re.Pattern[str]
    #: Unescaped dots that stand for one character (not inside ``.*``-style repeats).
    single_dots: frozenset[int]
    #: Whether running the regex on a string it does not match is safe.
    safe: bool
    verbose: bool


_CATEGORIES: Final[dict[str, Callable[[str], bool]]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def _name(op: object) -> str:
    return str(getattr(op, "name", op))


class _Builder:
    def __init__(self, ignorecase: bool) -> None:
        self.ignorecase = ignorecase
        self.nodes = 0
        self.dots: list[int] = []
        self.anys = 0
        self.repeats = 0

    def seq(self, items: Any, in_repeat: bool = False) -> Node:
        children = tuple(self.node(op, av, in_repeat) for op, av in items)
        return Node("seq", children=children, anys=_union(children))

    def node(self, op: object, av: Any, in_repeat: bool) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Unanalysable("too large")
        kind = _name(op)
        if kind == "LITERAL":
            char = chr(av)
            return Node("lit", char=char.lower() if self.ignorecase else char)
        if kind == "NOT_LITERAL":
            return self.charset(lambda c: c != chr(av))
        if kind == "IN":
            return self.charset(self.members(av))
        if kind == "ANY":
            index, self.anys = self.anys, self.anys + 1
            if not in_repeat:
                self.dots.append(index)
            return Node(
                "any", char="a", member=lambda c: c != "\n", index=index, anys=frozenset({index})
            )
        if kind == "BRANCH":
            children = tuple(self.seq(branch, in_repeat) for branch in av[1])
            return Node("alt", children=children, anys=_union(children))
        if kind == "SUBPATTERN":
            inner = self.seq(av[3], in_repeat)
            return Node("group", group=av[0] or 0, children=(inner,), anys=inner.anys)
        if kind == "ATOMIC_GROUP":
            inner = self.seq(av, in_repeat)
            return Node("group", children=(inner,), anys=inner.anys)
        if kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, items = av
            if hi > 1:
                self.repeats += 1
            inner = self.seq(items, in_repeat or hi > 1)
            return Node("rep", lo=lo, hi=hi, children=(inner,), anys=inner.anys)
        if kind == "AT":
            at = _name(av)
            if at in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
                return Node("begin")
            return Node("end" if at in ("AT_END", "AT_END_STRING") else "skip")
        if kind == "GROUPREF":
            return Node("ref", group=av)
        if kind in ("ASSERT", "ASSERT_NOT"):
            return Node("skip")
        raise Unanalysable(kind)  # GROUPREF_EXISTS and anything newer

    def members(self, items: Any) -> Callable[[str], bool]:
        negate = False
        tests: list[Callable[[str], bool]] = []
        for op, av in items:
            kind = _name(op)
            if kind == "NEGATE":
                negate = True
            elif kind == "LITERAL":
                tests.append(_between(av, av))
            elif kind == "RANGE":
                tests.append(_between(*av))
            elif kind == "CATEGORY" and _name(av) in _CATEGORIES:
                tests.append(_CATEGORIES[_name(av)])
            else:
                raise Unanalysable(kind)
        folded = self.ignorecase

        def member(c: str) -> bool:
            hit = any(t(c) or (folded and t(c.swapcase())) for t in tests)
            return hit != negate

        return member

    def charset(self, member: Callable[[str], bool]) -> Node:
        sample = next((c for c in _SAMPLES if member(c)), None)
        if sample is None:
            raise Unanalysable("empty set")
        return Node("set", char=sample, member=member)


def _between(lo: int, hi: int) -> Callable[[str], bool]:
    return lambda c: lo <= ord(c) <= hi


def _union(children: tuple[Node, ...]) -> frozenset[int]:
    return frozenset[int]().union(*(child.anys for child in children))


def quiet_compile(pattern: str | re.Pattern[str], flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, a ``FutureWarning`` (a possible nested set...) raised, not printed.

    The analysis skips such a regex; raising also keeps it out of ``re``'s
    cache, so the project's own compile still shows the warning, once.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        return re.compile(pattern, flags)


def tree(pattern: str | re.Pattern[str]) -> Tree:
    """The simplified parse tree of ``pattern``; :class:`Unanalysable` if there is none.

    Cached: the checks and ``cors_migrate`` ask several questions of each regex.
    """
    try:
        found = _tree(pattern)
    except TypeError:  # unhashable: not a pattern
        raise Unanalysable("not a pattern") from None
    if isinstance(found, str):
        raise Unanalysable(found)
    return found


@lru_cache(maxsize=512)
def _tree(pattern: str | re.Pattern[str]) -> Tree | str:
    if _parser is None:  # pragma: no cover
        return "no parser"
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    if not isinstance(source, str) or len(source) > MAX_SOURCE:
        return "too long, or not a str regex"  # parsing alone would take a while
    try:
        compiled = quiet_compile(pattern)
        if not isinstance(compiled.pattern, str):
            return "bytes"
        parsed = _parser.parse(compiled.pattern, compiled.flags)
        flags = int(parsed.state.flags)
        builder = _Builder(bool(flags & re.IGNORECASE))
        root = builder.seq(parsed.data)
        safe = builder.repeats <= MAX_REPEATS and _backtracks_linearly(root)
    except Unanalysable as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - the private API changed, a bad pattern, depth
        return repr(exc)
    return Tree(root, compiled, frozenset(builder.dots), safe, bool(flags & re.VERBOSE))


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def can_produce(node: Node, char: str) -> bool:
    if node.kind == "lit":
        return node.char == char
    if node.kind in ("set", "any"):
        return node.member(char)
    return node.kind == "ref" or any(can_produce(c, char) for c in node.children)


def _backtracks_linearly(root: Node) -> bool:
    """No repeat holds a repeat or an alternation, unless a closing literal separates rounds."""
    for node in _walk(root):
        if node.kind != "rep" or node.hi <= 1:
            continue
        body = node.children[0]
        if not any(n.kind in ("rep", "alt") for n in _walk(body) if n is not body):
            continue
        parts = flat(body)
        last = parts[-1] if parts else None
        if last is None or last.kind != "lit":
            return False
        if any(can_produce(part, last.char) for part in parts[:-1]):
            return False
    return True


def flat(node: Node) -> list[Node]:
    """A sequence with its groups opened: the parts one after the other."""
    if node.kind in ("seq", "group"):
        return [part for child in node.children for part in flat(child)]
    return [node]
