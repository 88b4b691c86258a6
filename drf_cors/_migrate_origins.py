"""django-cors-headers' origin entries, carried over to drf_cors.

Each function returns what to write in ``ALLOWED_ORIGINS`` and
``ALLOWED_ORIGIN_REGEXES`` and, when that is not the very same text, a
:class:`Note` saying why, and whether a browser sees any difference. What
django-cors-headers 4.x did (``middleware.py``):

- An origin is allowed when ``urlsplit`` of an entry has the request's scheme
  and netloc: a path or a trailing slash was ignored (dropped here, nothing
  changes); an entry a browser never sends (upper case, a default port) matched
  nothing; an entry without a scheme (``"example.com"``, which django-cors-headers
  before 3.0 took as a host on any scheme) matched only ``Origin: null``.

Regexes are ``_migrate_regexes``' business.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from ._origins import DEFAULT_PORTS, NULL, OriginError, parse_entry
from ._regex_entries import as_entries, literal, looks_like_regex
from ._regex_tree import quiet_compile
from ._regexes import examples


class Note(NamedTuple):
    text: str
    #: Whether a browser sees a difference: some request is granted or refused that was not.
    changes: bool
    #: Origins (or methods) granted before and not now, and the other way round.
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


class Carried(NamedTuple):
    origins: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    note: Note | None = None


def example_of(entry: str) -> str:
    """An origin a wildcard pattern allows: ``https://*.example.com`` -> ``https://a.example.com``."""
    return entry.replace("://*.", "://a.").replace(":*", ":8000")


def _repaired(base: str) -> str | None:
    """The origin a browser sends for ``base``: lower case, no user, no default port."""
    scheme, _, rest = base.partition("://")
    rest = rest.rsplit("@", 1)[-1]
    if rest.startswith("["):
        host, _, port = rest.partition("]")
        host, port = host + "]", port.removeprefix(":")
    else:
        host, _, port = rest.partition(":")
    try:
        host = host.lower().encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        return None
    scheme = scheme.lower()
    if port == DEFAULT_PORTS.get(scheme):
        port = ""
    fixed = f"{scheme}://{host}{':' + port if port else ''}"
    try:
        parse_entry(fixed)
    except OriginError:
        return None
    return fixed


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def carry_origin(entry: object) -> Carried:
    if not isinstance(entry, str):
        return Carried(
            note=Note(
                f"{entry!r} is not a string (django-cors-headers' check refuses it); left out.",
                False,
            )
        )
    if entry == NULL:
        return Carried((NULL,))
    try:
        parts = urlsplit(entry)
    except ValueError:
        return Carried(
            note=Note(
                f"{entry!r} is not a URL: django-cors-headers failed on every "
                "request with an Origin because of it; left out.",
                True,
            )
        )
    if looks_like_regex(entry):
        return _regex_written_as_origin(entry, parts.scheme == "" and parts.netloc == "")
    if parts.scheme and parts.netloc:
        return _with_netloc(entry, f"{parts.scheme}://{parts.netloc}")
    if "://" not in entry:
        return _schemeless(entry, null=parts.scheme == "")
    before = (entry,) if entry == f"{parts.scheme}://" else ()
    return Carried(
        note=Note(
            f"{entry!r} has no host; browsers send Origin {entry!r} only from local files on some "
            "phones, and drf_cors never allows such origins (serve the page from http://localhost)"
            "; left out.",
            bool(before),
            before,
        )
    )


def _with_netloc(entry: str, base: str) -> Carried:
    try:
        parsed = parse_entry(base)
    except OriginError as exc:
        fixed = _repaired(base)
        if fixed is None:
            return Carried(
                note=Note(f"{entry!r} never matched an origin ({exc}); left out.", False)
            )
        return Carried(
            (fixed,),
            note=Note(
                f"{entry!r} never matched: browsers send {fixed!r} ({exc}). Written {fixed!r}, "
                "which drf_cors now allows.",
                True,
                (),
                (fixed,),
            ),
        )
    if parsed.kind != "exact":
        allowed = example_of(base)
        return Carried(
            (base,),
            note=Note(
                f"{entry!r}: django-cors-headers compared it as text, so it allowed no origin; "
                f"drf_cors reads it as a wildcard pattern and now allows e.g. {allowed!r}.",
                True,
                (),
                (allowed,),
            ),
        )
    if base != entry:
        return Carried(
            (base,),
            note=Note(
                f"{entry!r} has a path or a trailing slash, which django-cors-headers ignored: "
                f"written {base!r} (an origin is scheme://host[:port]).",
                False,
            ),
        )
    return Carried((base,))


def _schemeless(entry: str, null: bool) -> Carried:
    host = entry.partition(":")[0] if not entry.startswith("[") else entry.partition("]")[0] + "]"
    scheme = "http" if _loopback(host.lower()) else "https"
    fixed = _repaired(f"{scheme}://{entry}")
    still = "no origin but 'null'" if null else "no origin"
    text = (
        f"{entry!r} has no scheme: django-cors-headers 3.0 and later matched {still} with it "
        "(before 3.0 it meant this host on any scheme)"
    )
    if fixed is None:
        return Carried(note=Note(f"{text}; left out.", null, (NULL,) if null else ()))
    return Carried(
        (fixed,),
        note=Note(
            f"{text}. Written {fixed!r}; add the {'https' if scheme == 'http' else 'http'}:// "
            "origin too if pages served that way call the API.",
            True,
            (NULL,) if null else (),
            (fixed,),
        ),
    )


def _regex_written_as_origin(entry: str, null: bool) -> Carried:
    found = as_entries(entry)
    before = (NULL,) if null else ()
    text = f"{literal(entry)} is a regex in CORS_ALLOWED_ORIGINS: django-cors-headers compared it"
    text += " as text"
    text += ", so it allowed no origin but 'null'" if null else ", so it allowed no origin"
    if found is not None:
        allowed = tuple(example_of(e) for e in found.entries)
        return Carried(
            found.entries,
            note=Note(
                f"{text}. Written {', '.join(map(repr, found.entries))}, which drf_cors "
                "now allows.",
                True,
                before,
                allowed,
            ),
        )
    try:
        quiet_compile(entry)
    except FutureWarning:
        pass  # valid today
    except re.error:
        return Carried(note=Note(f"{text}; it does not compile either: left out.", null, before))
    return Carried(
        regexes=(entry,),
        note=Note(
            f"{text}. Moved to ALLOWED_ORIGIN_REGEXES, where drf_cors now applies it to the whole "
            "origin.",
            True,
            before,
            tuple(examples(entry)[:1]),
        ),
    )
