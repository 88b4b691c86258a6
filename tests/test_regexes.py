"""Regex analysis: look-alike hosts, regexes that are really entries, regex-looking entries.

Every answer is checked by running the regex, so the tables state what the
regex admits; the last tests feed it regexes built to break it: it must never
raise and never hang.
"""

from __future__ import annotations

import ast
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drf_cors._regex_entries import as_entries, literal, looks_like_regex
from drf_cors._regex_hints import entry_hint
from drf_cors._regexes import examples, lookalike, safely_runnable

# (regex, the look-alike it admits or None, the escaped fix)
LOOKALIKES: list[tuple[str | re.Pattern[str], str | None, str | None]] = [
    ("https://app.example.com", "https://app-example.com", r"https://app\.example\.com"),
    (r"https://api.partner\.com", "https://api-partner.com", r"https://api\.partner\.com"),
    (r"^https://[a-z]+.example\.com$", "https://a-example.com", r"^https://[a-z]+\.example\.com$"),
    (
        r"https://(app|api).example\.com",
        "https://api-example.com",
        r"https://(app|api)\.example\.com",
    ),
    ("(?i)https://APP.example.com", "https://app-example.com", r"(?i)https://APP\.example\.com"),
    (
        re.compile("https://app.example.com", re.I),
        "https://app-example.com",
        r"https://app\.example\.com",
    ),
    (
        r"https://(www\.)?shop.example\.com",
        "https://shop-example.com",
        r"https://(www\.)?shop\.example\.com",
    ),
    (
        r"^https?://localhost.example\.org(:\d+)?$",
        "http://localhost-example.org",
        r"^https?://localhost\.example\.org(:\d+)?$",
    ),
    ("(?x) https://app . example \\. com", "https://app-example.com", None),
    # Careful regexes and intentional wildcards: nothing to report.
    (r"https://pr-\d+\.preview\.example\.com", None, None),
    (r"^https://.*\.example\.com$", None, None),
    (r"^https://[^.]+\.example\.com$", None, None),
    (r"^https://.+\.example\.com$", None, None),
    (r"^https?://([\w-]+\.)*example\.com(:\d+)?$", None, None),
    (r"https://app\.example\.com", None, None),
    # A dot whose look-alike is no registrable host: 'example-com', '127-0.0.1'.
    ("https://example.com", None, None),
    ("http://127.0.0.1:8000", None, None),
    (r"^https://(.)\.example\.com$", None, None),
    # Could backtrack exponentially on a failing string: never run.
    (r"^https://(\w+)+.example\.com$", None, None),
    (r"^https://(a|aa)+.example\.com$", None, None),
    # Python warns about it (a possible nested set): not analysed, never a printed warning.
    (r"https://[[a-z]+.example\.com", None, None),
    # A backreference, a lookahead, a conditional group.
    (r"https://(app)\.(?=e)example.com/\1", None, None),
    (
        r"https://(?!evil)app.example\.com",
        "https://app-example.com",
        r"https://(?!evil)app\.example\.com",
    ),
    (r"https://(a)?(?(1)b|c).example\.com", None, None),
]


@pytest.mark.parametrize(("pattern", "fake", "fixed"), LOOKALIKES, ids=lambda v: str(v)[:40])
def test_lookalike(pattern: str | re.Pattern[str], fake: str | None, fixed: str | None) -> None:
    found = lookalike(pattern)
    assert (found.lookalike if found else None) == fake
    if found is not None:
        compiled = re.compile(pattern)
        assert compiled.fullmatch(found.lookalike)
        assert compiled.fullmatch(found.intended)
        assert found.fixed == fixed


@pytest.mark.parametrize(
    ("pattern", "entries", "differences"),
    [
        (r"^https://app\.example\.com$", ("https://app.example.com",), 0),
        (r"https://app\.example\.com/?", ("https://app.example.com",), 0),
        (r"^http://localhost:\d+$", ("http://localhost:*",), 0),
        (r"^https://example\.com:8443$", ("https://example.com:8443",), 0),
        (r"(?i)^https://App\.example\.com$", ("https://app.example.com",), 0),
        (r"^(https://a\.com|https://b\.com)$", ("https://a.com", "https://b.com"), 0),
        (r"^https://a\.com$|^https://b\.com$", ("https://a.com", "https://b.com"), 0),
        (r"^https://(www\.)?example\.com$", ("https://www.example.com", "https://example.com"), 0),
        (r"^https?://app\.example\.com$", ("https://app.example.com", "http://app.example.com"), 0),
        (r"^https://.*\.example\.com$", ("https://*.example.com",), 1),
        (r"^https://(.*\.)?example\.com$", ("https://*.example.com", "https://example.com"), 1),
        (r"^https://[^.]+\.example\.com$", ("https://*.example.com",), 2),
        (r"^https://[a-z0-9-]+\.example\.com$", ("https://*.example.com",), 1),
        (r"^https://\w+\.example\.com$", ("https://*.example.com",), 3),
        (
            r"^https://([\w-]+\.)+example\.com(:\d+)?$",
            ("https://*.example.com", "https://*.example.com:*"),
            1,
        ),
        ("https://app.example.com", ("https://app.example.com",), 1),
    ],
    ids=lambda v: str(v)[:40],
)
def test_as_entries(pattern: str, entries: tuple[str, ...], differences: int) -> None:
    found = as_entries(pattern)
    assert found is not None
    assert found.entries == entries
    assert len(found.differences) == differences


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://pr-\d+\.preview\.example\.com$",
        r"^https://[a-z0-9-]{1,63}\.example\.com$",
        r"^https://App\.example\.com$",
        r"^https://a\.com/$",
        r"https://.*",
        r"https://app\.example\.com.*",
        r"^(https://app\.example\.com)\1$",
        r"^https://.*\.example\.com:(80|443)$",
        "^$",
    ],
)
def test_not_an_entry(pattern: str) -> None:
    assert as_entries(pattern) is None


@pytest.mark.parametrize(
    ("entry", "regex"),
    [
        (r"^https://.*\.example\.com$", True),
        (r"https://app\.example\.com", True),
        ("https://.*.example.com", True),
        ("https?://app.example.com", True),
        ("https://(app|api).example.com", True),
        ("https://[a-z]+.example.com", True),
        ("https://app.example.com$", True),
        ("https://a+b.example.com", True),
        ("https://app.example.{2,}", True),
        # Valid entries, and mistakes with their own ids.
        ("https://*.example.com", False),
        ("http://localhost:*", False),
        ("http://[::1]:8000", False),
        ("http://[::g]", False),
        ("https://a.*.example.com", False),
        ("https://app.example.com?x", False),
        ("https://app.example.com/", False),
        ("coap+tcp://device.example", False),
        ("app.example.com", False),
        ("null", False),
    ],
)
def test_looks_like_regex(entry: str, regex: bool) -> None:
    assert looks_like_regex(entry) is regex


@pytest.mark.parametrize(
    ("entry", "hint"),
    [
        (r"^https://.*\.example\.com$", 'Write "https://*.example.com" instead'),
        (r"^https://app\.example\.com$", 'Write "https://app.example.com" instead.'),
        (
            r"https?://app\.example\.com",
            'Write "https://app.example.com", "http://app.example.com"',
        ),
        (r"^https://pr-\d+\.example\.com$", r'Move it to X: r"^https://pr-\d+\.example\.com$"'),
        (r"^https://(app\.example\.com$", "Write the origin itself"),
    ],
)
def test_entry_hint(entry: str, hint: str) -> None:
    assert entry_hint(entry, "X").startswith(hint)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (r"^https://a\.b$", r'r"^https://a\.b$"'),
        ("https://a.b", '"https://a.b"'),
        ('say "hi"', "'say \"hi\"'"),
        ("ends\\", '"ends\\\\"'),
        ("it's", '"it\'s"'),
    ],
)
def test_literal_round_trips(text: str, source: str) -> None:
    assert literal(text) == source
    assert ast.literal_eval(source) == text


def test_examples_cover_each_branch() -> None:
    assert examples(r"^https://(a\.com|b\.org)$") == ["https://a.com", "https://b.org"]


HOSTILE = [
    "(" * 2000 + "a" + ")" * 2000,
    "|".join(f"https://a{i}.example.com" for i in range(5000)),
    "a{100000}.example.com",
    r"^https://(\w*)*(\w*)*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*\w*.example\.com$",
    r"(.*a){25}.example.com",
    r"[",
    b"https://app.example.com",
    re.compile(b"https://app.example.com"),
    "",
]


@pytest.mark.parametrize("pattern", HOSTILE, ids=lambda v: repr(v)[:30])
def test_hostile_regexes_neither_raise_nor_hang(pattern: object) -> None:
    start = time.perf_counter()
    lookalike(pattern)  # type: ignore[arg-type]
    as_entries(pattern)  # type: ignore[arg-type]
    examples(pattern)  # type: ignore[arg-type]
    safely_runnable(pattern)  # type: ignore[arg-type]
    assert time.perf_counter() - start < 2


@settings(max_examples=300, deadline=2000)
@given(st.text(alphabet="^$.*+?()[]{}|\\-:/aehpstwx0129,=!<>", max_size=40))
def test_any_pattern_is_analysed_without_raising(pattern: str) -> None:
    assert entry_hint(pattern, "X")
    looks_like_regex(pattern)
    found = lookalike(pattern)
    if found is not None:
        assert re.fullmatch(pattern, found.lookalike)
    translation = as_entries(pattern)
    if translation is not None:
        assert translation.entries
    for text in examples(pattern):
        assert re.fullmatch(pattern, text)
