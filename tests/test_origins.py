"""Origin entries and matching: the rules every policy relies on."""

from __future__ import annotations

import re

import pytest

from drf_cors._origins import OriginError, OriginMatcher, parse_entry


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("https://app.example.com", "exact"),
        ("http://localhost:8000", "exact"),
        ("http://[::1]:8000", "exact"),
        ("http://127.0.0.1:5173", "exact"),
        ("null", "exact"),
        ("https://*.example.com", "subdomains"),
        ("https://*.example.com:8443", "subdomains"),
        ("http://localhost:*", "anyport"),
        ("chrome-extension://abcdefghijklmnop", "exact"),
    ],
    ids=lambda v: str(v),
)
def test_parse_entry_accepts(entry: str, kind: str) -> None:
    assert parse_entry(entry).kind == kind


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("app.example.com", "no scheme"),
        ("https://app.example.com/", "path"),
        ("https://app.example.com/api", "path"),
        ("https://app.example.com?x=1", "path, query"),
        ("https://App.Example.com", "upper-case"),
        (" https://app.example.com", "whitespace"),
        ("https://user@app.example.com", "user information"),
        ("https://app.example.com:443", "default port"),
        ("http://app.example.com:80", "default port"),
        ("https://app.example.com:0", "invalid port"),
        ("https://app.example.com:70000", "invalid port"),
        ("https://app.example.com:abc", "invalid port"),
        ("https://bücher.example", "Unicode host"),
        ("https://a.*.example.com", "leftmost label"),
        ("https://*example.com", "leftmost label"),
        ("https://", "no host"),
        ("https://exa_mple.com", "invalid host"),
        ("http://[::1", "invalid IPv6 host"),
        ("http://[zz::1]:8080", "invalid IPv6 host"),
        ("https://*.[::1]", "invalid port"),
        ("https://*.[::1]:8080", "invalid"),
        ("1https://x.com", "invalid scheme"),
    ],
    ids=lambda v: str(v),
)
def test_parse_entry_refuses(entry: str, fragment: str) -> None:
    with pytest.raises(OriginError, match=re.escape(fragment)) as info:
        parse_entry(entry)
    assert info.value.hint


def test_unicode_host_hint_gives_punycode() -> None:
    with pytest.raises(OriginError) as info:
        parse_entry("https://bücher.example")
    assert "xn--bcher-kva.example" in info.value.hint


def _matcher(
    *entries: str, regexes: tuple[str, ...] = (), allow_all: bool = False
) -> OriginMatcher:
    return OriginMatcher(
        (parse_entry(e) for e in entries), (re.compile(r) for r in regexes), allow_all
    )


MATCHER = _matcher(
    "https://app.example.com",
    "https://*.example.org",
    "https://*.ports.example:8443",
    "https://*.anyport.example:*",
    "http://localhost:*",
    "http://[::1]:*",
    regexes=(r"https://pr-\d+\.preview\.example\.net", r"https://(?P<x>a)(?P=x)\.example"),
)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.example.com", True),
        ("http://app.example.com", False),
        ("https://app.example.com:8443", False),
        ("https://app.example.com.evil.com", False),
        ("https://evilapp.example.com", False),
        ("https://a.example.org", True),
        ("https://a.b.example.org", True),
        ("https://example.org", False),
        ("https://evil-example.org", False),
        ("https://a.example.org.evil.com", False),
        ("https://.example.org", False),
        ("https://a..example.org", False),
        ("https://-a.example.org", False),
        ("http://a.example.org", False),
        ("https://a.example.org:444", False),
        ("https://x.ports.example:8443", True),
        ("https://x.ports.example", False),
        ("https://x.anyport.example", True),
        ("https://x.anyport.example:1234", True),
        ("http://localhost", True),
        ("http://localhost:3000", True),
        ("http://localhost:", False),
        ("http://localhost:abc", False),
        ("http://localhost.evil.com", False),
        ("https://localhost:3000", False),
        ("http://[::1]:8000", True),
        ("http://[::1", False),
        ("http://[::1]x", False),
        ("https://pr-42.preview.example.net", True),
        ("https://pr-42.preview.example.net.evil.com", False),
        ("xhttps://pr-42.preview.example.net", False),
        ("https://aa.example", True),
        ("null", False),
        ("", False),
        ("https://app.example.com\n", False),
        ("https://ÿ.example.org", False),
        ("https://" + "a" * 10_000 + ".example.org", False),
        ("no-scheme", False),
    ],
    ids=lambda v: str(v)[:40],
)
def test_matcher(origin: str, allowed: bool) -> None:
    assert MATCHER.allows(origin) is allowed


def test_null_only_when_listed() -> None:
    assert _matcher("null").allows("null")
    assert not _matcher(regexes=(r".*",)).allows("null")


def test_allow_all_allows_null() -> None:
    assert _matcher(allow_all=True).allows("null")


def test_regex_must_match_the_whole_origin() -> None:
    matcher = _matcher(regexes=(r"https://app\.example\.com",))
    assert not matcher.allows("https://app.example.com.evil.com")


def test_regexes_with_flags_are_kept_apart_and_still_match() -> None:
    matcher = _matcher(
        regexes=(r"https://one\.example", r"(?i)https://TWO\.example", r"https://(a)\1\.example")
    )
    assert matcher.regex is not None
    assert len(matcher.regexes) == 2
    assert matcher.allows("https://one.example")
    assert matcher.allows("https://two.example")
    assert matcher.allows("https://aa.example")
    assert not matcher.allows("https://three.example")


def test_compiled_patterns_with_flags_are_honoured() -> None:
    matcher = OriginMatcher((), [re.compile(r"HTTPS://X\.EXAMPLE", re.IGNORECASE)], False)
    assert matcher.allows("https://x.example")


def test_thousands_of_exact_origins_are_one_set_lookup() -> None:
    entries = [f"https://app{i}.example.com" for i in range(10_000)]
    matcher = _matcher(*entries)
    assert matcher.exact == frozenset(entries)
    assert matcher.allows("https://app9999.example.com")
    assert not matcher.allows("https://app10000.example.com")


def test_simple_regexes_are_combined_into_one_pattern() -> None:
    matcher = _matcher(
        regexes=(r"https://a\.example", r"https://b\.example", r"https://c\d\.example")
    )
    assert matcher.regex is not None
    assert matcher.regexes == ()
    assert [matcher.allows(f"https://{h}.example") for h in ("a", "b", "c1", "d", "ab")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_unicode_host_that_idna_cannot_encode_still_gets_a_hint() -> None:
    with pytest.raises(OriginError) as info:
        parse_entry("https://" + "ü" * 70 + ".example")
    assert "punycode" in info.value.hint
