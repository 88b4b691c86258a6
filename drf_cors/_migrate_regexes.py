"""django-cors-headers' origin regexes, carried over to drf_cors.

django-cors-headers ran each regex with ``re.match`` (``middleware.py``,
``regex_domain_match``): anchored at the start of the origin only, so
``^https://app\\.example\\.com`` also let in ``https://app.example.com.evil.example``
and ``https://app.example.com:8443``, and ``Origin: null`` reached regexes
too. drf_cors matches the whole origin and never ``null``. For each regex,
:func:`carry_regex` writes the entries it really is (``^https://.*\\.example\\.com$``
is ``https://*.example.com``), or the regex with its look-alike dots escaped,
or the regex as it is, and says in a ``Note`` what a browser sees change. Every
origin named there was checked by running both ``re.match`` and
``re.fullmatch``: a regex that cannot safely be run is kept, and said to be.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ._migrate_origins import Carried, Note
from ._origins import NULL
from ._regex_entries import as_entries, literal
from ._regex_tree import quiet_compile
from ._regexes import examples, lookalike, safely_runnable

#: Appended to an origin a regex matches, to show what ``re.match`` also let in.
SUFFIXES: Final = (".evil.example", ":8443")
_FLAGS: Final = ((re.I, "i"), (re.M, "m"), (re.S, "s"), (re.X, "x"), (re.A, "a"))


def regex_source(pattern: str | re.Pattern[str]) -> str:
    """The regex as a string, its compile flags written inline (``(?i)``); else ``TypeError``."""
    if isinstance(pattern, str):
        return pattern
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        raise TypeError(f"not a str regex: {pattern!r}")
    try:
        extra = pattern.flags & ~quiet_compile(pattern.pattern).flags
    except FutureWarning:
        extra = pattern.flags & ~(re.UNICODE | re.ASCII)
    letters = "".join(c for flag, c in _FLAGS if extra & flag)
    return f"(?{letters}){pattern.pattern}" if letters else pattern.pattern


def prefix_only(compiled: re.Pattern[str]) -> list[str]:
    """Origins ``re.match`` admitted that ``re.fullmatch`` does not (at most two)."""
    return [
        candidate
        for text in examples(compiled)
        for candidate in (text + suffix for suffix in SUFFIXES)
        if compiled.match(candidate) and not compiled.fullmatch(candidate)
    ][:2]


def carry_regex(pattern: Any) -> Carried:
    try:
        source = regex_source(pattern)
        compiled: re.Pattern[str] | None = quiet_compile(source)
    except FutureWarning:
        compiled = None  # valid, but Python warns about it: not analysed
    except TypeError:
        return Carried(
            note=Note(
                f"{pattern!r} is not a regex string (django-cors-headers' "
                "check refuses it); left out.",
                False,
            )
        )
    except re.error as exc:
        return Carried(
            note=Note(
                f"{literal(source)} does not compile ({exc}): "
                "django-cors-headers failed on the requests that reached it; "
                "left out.",
                False,
            )
        )
    if compiled is None or not safely_runnable(compiled):
        return Carried(
            regexes=(source,),
            note=Note(
                f"{literal(source)} is kept as it is, but could not be checked (nested repeats): "
                "drf_cors matches it against the whole origin, where django-cors-headers needed a "
                "match at the start only.",
                True,
            ),
        )
    found, loose = as_entries(compiled), lookalike(compiled)
    sentences: list[str] = []
    if found is not None:
        head = (
            f"{literal(source)} becomes {', '.join(map(repr, found.entries))} in ALLOWED_ORIGINS."
        )
        sentences += [f"{d[0].upper()}{d[1:]}." for d in found.differences]
        carried = Carried(origins=found.entries)
    elif loose is not None and loose.fixed is not None:
        head = f"{literal(source)} becomes {literal(loose.fixed)}, its dots escaped."
        sentences.append(f"It also admitted {loose.lookalike!r}, a look-alike host.")
        carried = Carried(regexes=(loose.fixed,))
    else:
        head, carried = f"{literal(source)} is kept.", Carried(regexes=(source,))
    before = prefix_only(compiled)
    if before:
        ports = any(":" in b.rpartition("/")[2] for b in before)
        sentences.append(
            "django-cors-headers ran it with re.match, at the start of the origin only, so it "
            f"also admitted {' and '.join(map(repr, before))}; drf_cors matches the whole "
            "origin" + (" (list the other ports you need, e.g. ':*')." if ports else ".")
        )
    if compiled.match(NULL):
        before.append(NULL)
        sentences.append("It matched Origin 'null', which drf_cors allows only when listed.")
    if loose is not None:
        before.append(loose.lookalike)
    if not sentences and carried.regexes == (source,):
        return carried
    text = " ".join([head, *sentences])
    return carried._replace(note=Note(text, bool(sentences), tuple(before)))
