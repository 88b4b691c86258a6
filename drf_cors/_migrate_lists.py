"""The result of a migration, and the settings that are not origins.

:class:`Migration` is what ``_migrate.translate`` returns and ``cors_migrate``
prints. The functions here carry over ``CORS_ALLOW_METHODS``,
``CORS_ALLOW_HEADERS``, ``CORS_EXPOSE_HEADERS``, ``CORS_PREFLIGHT_MAX_AGE`` and
``CORS_URLS_REGEX`` as django-cors-headers used them (it joined the lists into
its headers as they were; the browser did the checking):

- methods are upper-cased: browsers compare methods case-sensitively, and
  send DELETE, OPTIONS and PUT upper-cased whatever the script wrote (Fetch
  "normalize a method"), so a lower-case ``put`` never matched, and ``patch``
  matched only a script writing ``patch``;
- forbidden headers and methods, which no script can send or read, are left
  out; nothing changes;
- a list equal to drf_cors' default (django-cors-headers' own) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from ._migrate_origins import Note
from ._migrate_regexes import regex_source
from ._regex_entries import literal
from ._regex_tree import quiet_compile
from ._validation import (
    FORBIDDEN_METHODS,
    FORBIDDEN_REQUEST_HEADERS,
    FORBIDDEN_REQUEST_PREFIXES,
    FORBIDDEN_RESPONSE_HEADERS,
    TOKEN,
)
from .defaults import DEFAULTS

#: Fetch "normalize a method": scripts' ``put`` is sent ``PUT``; ``patch`` stays ``patch``.
NORMALIZED: Final = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
SAFELISTED: Final = frozenset({"GET", "HEAD", "POST"})
#: django-cors-headers' ``default_methods``, in its order.
DEFAULT_METHODS: Final = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")


@dataclass
class Migration:
    cors: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    #: The django-cors-headers settings in force, to remove.
    names: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not any(note.changes for note in self.notes)

    def note(self, text: str, changes: bool = False, **where: tuple[str, ...]) -> None:
        self.notes.append(Note(text, changes, **where))


def listed(done: Migration, name: str, value: object, quiet: bool = False) -> list[Any] | None:
    """``value`` as a list; a single string (read one character at a time) as a list of it."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        if not quiet:
            done.note(
                f"{name} is a single string, not a list: django-cors-headers read it one "
                f"character at a time. Taken as the list [{literal(value)}].",
                True,
            )
        return [value]
    if not quiet:
        done.note(
            f"{name} is {type(value).__name__}, not a list (django-cors-headers' check "
            "refuses it); left out.",
            True,
        )
    return None


def _strings(done: Migration, name: str, value: object) -> list[str] | None:
    items = listed(done, name, value)
    if items is None:
        return None
    wrong = [item for item in items if not isinstance(item, str)]
    if wrong:
        done.note(f"Left out of {name}: {', '.join(map(repr, wrong))}, not strings.", True)
    return [item for item in items if isinstance(item, str)]


def methods(done: Migration, value: object) -> None:
    methods = _strings(done, "CORS_ALLOW_METHODS", value)
    if methods is None:
        return
    written: list[str] = []
    before: list[str] = []
    after: list[str] = []
    dropped: list[str] = []
    for method in methods:
        upper = method.upper()
        if method == "*":
            dropped.append(method)
            written += [m for m in DEFAULT_METHODS if m not in written]
        elif not TOKEN.fullmatch(method) or upper in FORBIDDEN_METHODS:
            dropped.append(method)
        else:
            if method != upper and upper not in SAFELISTED:
                after.append(upper)
                if upper not in NORMALIZED:
                    before.append(method)
            if upper not in written:
                written.append(upper)
    if after:
        _case_note(done, before, after)
    if dropped:
        done.note(
            f"Left out of ALLOW_METHODS: {', '.join(map(repr, dropped))} ('*' has no "
            "drf_cors counterpart: the usual methods are listed; CONNECT, TRACE and TRACK "
            "are never sent by browsers).",
            "*" in dropped,
        )
    if set(written) != set(DEFAULTS["ALLOW_METHODS"]):
        done.cors["ALLOW_METHODS"] = written


def _case_note(done: Migration, before: list[str], after: list[str]) -> None:
    normalized = [m for m in after if m in NORMALIZED]
    sentences = [
        "Methods are written in upper case: "
        + ", ".join(f"{m.lower()!r} as {m!r}" for m in after)
        + ". Browsers compare methods case-sensitively."
    ]
    if normalized:
        sentences.append(
            f"They send {', '.join(normalized)} upper-cased whatever the script wrote, so "
            f"{', '.join(repr(m.lower()) for m in normalized)} never matched: now "
            + ("it does." if len(normalized) == 1 else "they do.")
        )
    if before:
        sentences.append(
            "Other methods are sent as the script writes them: "
            f"{', '.join(map(repr, before))} matched only a script that wrote it so, and now "
            f"only {', '.join(repr(m.upper()) for m in before)} is allowed."
        )
    done.note(" ".join(sentences), True, before=tuple(before), after=tuple(after))


def headers(done: Migration, key: str, value: object) -> None:
    headers = _strings(done, f"CORS_{key}", value)
    if headers is None:
        return
    written: list[str] = []
    forbidden: list[str] = []
    invalid: list[str] = []
    for header in headers:
        lower = header.lower()
        if header != "*" and not TOKEN.fullmatch(header):
            invalid.append(header)
        elif (key == "EXPOSE_HEADERS" and lower in FORBIDDEN_RESPONSE_HEADERS) or (
            key == "ALLOW_HEADERS"
            and (lower in FORBIDDEN_REQUEST_HEADERS or lower.startswith(FORBIDDEN_REQUEST_PREFIXES))
        ):
            forbidden.append(header)
        elif lower not in (w.lower() for w in written):
            written.append(header)
    if forbidden:
        done.note(
            f"Left out of {key}: {', '.join(map(repr, forbidden))}, which browsers never "
            "let a script send or read: nothing changes."
        )
    if invalid:
        done.note(
            f"Left out of {key}: {', '.join(map(repr, invalid))}, not header names; with "
            "them the browser could not read the header django-cors-headers sent.",
            True,
        )
    if {h.lower() for h in written} != {h.lower() for h in DEFAULTS[key]}:
        done.cors[key] = written


def max_age(done: Migration, value: object) -> None:
    if isinstance(value, str) and value.isdigit() and value.isascii():
        value = int(value)  # django-cors-headers sent str(value): the same header
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        done.note(
            f"CORS_PREFLIGHT_MAX_AGE is {value!r}, not seconds >= 0 (django-cors-headers' "
            "check refuses it); drf_cors' default of 86400 applies.",
            True,
        )
    elif value != DEFAULTS["PREFLIGHT_MAX_AGE"]:
        done.cors["PREFLIGHT_MAX_AGE"] = value


def urls_regex(done: Migration, value: object) -> None:
    try:
        source = regex_source(value)  # type: ignore[arg-type]
        quiet_compile(source)
    except FutureWarning:
        pass  # valid today: carried over as it is
    except (re.error, TypeError):
        done.note(
            f"CORS_URLS_REGEX {value!r} is not a regex: django-cors-headers failed on "
            "every request; drf_cors covers every path.",
            True,
        )
        return
    if source != DEFAULTS["URLS_REGEX"]:
        done.cors["URLS_REGEX"] = source
    done.note(
        "URLS_REGEX is matched as django-cors-headers did (re.match on path_info) and "
        "applies to routes without a policy of their own: a view you give a drf_cors "
        "policy (CorsPolicy, @cors_policy) is covered whatever its path."
    )
