"""One validator for every way a policy is written.

``CorsPolicy(...)`` raises ``ImproperlyConfigured`` with the errors; the system
checks turn the same problems into ``Error``/``Warning`` with their ids. Every
problem is collected, none stops the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from ._origins import OriginError, parse_entry

#: RFC 9110 ``token``: what a method or a header name may be.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

#: The largest ``Access-Control-Max-Age`` a browser honours (Firefox: 24 h;
#: Chromium caps at 2 h). A larger value is not an error, only useless.
MAX_AGE_HONOURED = 86400


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


def validate_fields(values: Mapping[str, Any], name: Namer) -> Iterator[Problem]:
    """Problems in the policy keys present in ``values`` (lower-case keys)."""
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
        age = values["preflight_max_age"]
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            yield Problem(
                "E008",
                f"{name('preflight_max_age')} must be a whole number of seconds >= 0, not {age!r}.",
                "Use e.g. 3600; 0 omits Access-Control-Max-Age.",
            )
    if values.get("allow_all_origins") is True and values.get("allow_credentials") is True:
        yield credentials_with_all_origins(name)


def credentials_with_all_origins(name: Namer) -> Problem:
    return Problem(
        "E005",
        f"{name('allow_credentials')} is True together with {name('allow_all_origins')}: "
        "any site could make credentialed calls and read the answers.",
        "List the trusted origins in allowed_origins instead of allowing all of them.",
    )


def _origins(value: object, name: Namer) -> Iterator[Problem]:
    if not _is_str_list(value):
        yield _list_problem("allowed_origins", name, value, "origin strings")
        return
    assert isinstance(value, (list, tuple))
    for index, entry in enumerate(value):
        try:
            parse_entry(entry)
        except OriginError as exc:
            yield Problem("E003", f"{name('allowed_origins')}[{index}] {exc}.", exc.hint)


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


def _tokens(key: str, value: object, name: Namer) -> Iterator[Problem]:
    if not _is_str_list(value):
        yield _list_problem(key, name, value, "strings")
        return
    assert isinstance(value, (list, tuple))
    for index, token in enumerate(value):
        if key == "allow_methods" and TOKEN.fullmatch(token) and token != token.upper():
            yield Problem(
                "E006",
                f"{name(key)}[{index}] {token!r} is not upper case; methods are case-sensitive "
                "and browsers send them in upper case.",
                f"Write {token.upper()!r}.",
            )
            continue
        if token == "*" and key != "allow_methods":
            continue
        if token == "*" or not TOKEN.fullmatch(token):
            yield Problem(
                "E006" if key == "allow_methods" else "E007",
                f"{name(key)}[{index}] {token!r} is not a valid "
                f"{'method' if key == 'allow_methods' else 'header name'}.",
                "Use the bare name without spaces, colons or values, e.g. 'X-Requested-With'.",
            )
