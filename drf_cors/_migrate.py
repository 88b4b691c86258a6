"""django-cors-headers' settings in force -> ``REST_FRAMEWORK["CORS"]``, and every difference.

:func:`translate` returns the drf_cors settings that grant what the old ones
granted, keys in drf_cors' order, those equal to drf_cors' defaults left out
(drf_cors' methods, headers and max age are django-cors-headers' own), and a
``Note`` for everything not carried over as it was: ``Note.changes`` says
whether a browser sees a difference, and a migration is exact when none does.
Entries are carried over by ``_migrate_origins``, regexes by
``_migrate_regexes``, methods, headers, max age and ``URLS_REGEX`` by
``_migrate_lists`` (which also defines :class:`Migration`). Decided here:

- allow-all with credentials (django-cors-headers echoed every origin, with
  credentials) is never written: credentials stay, and the origins to list are
  the ones the settings name, ``CSRF_TRUSTED_ORIGINS`` first;
- an old alias is read only when its new name is not set, as django-cors-headers does;
- ``check_request_enabled`` receivers and removed settings have no counterpart.
"""

from __future__ import annotations

from typing import Any

from . import _corsheaders
from . import _migrate_lists as _lists
from ._migrate_lists import Migration, listed
from ._migrate_origins import carry_origin
from ._migrate_regexes import carry_regex
from ._origins import OriginError, parse_entry
from .defaults import DEFAULTS


def translate(settings: Any) -> Migration:
    found = _corsheaders.read(settings)
    done = Migration(names=_corsheaders.in_force(settings))
    for alias, name in found.shadowed:
        done.note(
            f"{name} and its old name {alias} are both set: django-cors-headers reads "
            f"{name} and ignores {alias}, and so does this translation."
        )
    values = found.values
    credentials = _bool(done, values, "CORS_ALLOW_CREDENTIALS")
    allow_all = _bool(done, values, "CORS_ALLOW_ALL_ORIGINS")
    origins, regexes = _origins(done, values, quiet=allow_all)
    if allow_all and credentials:
        _all_with_credentials(done, settings, origins, regexes)
    elif allow_all:
        done.cors["ALLOW_ALL_ORIGINS"] = True
        if origins or regexes:
            done.note(
                "CORS_ALLOWED_ORIGINS and CORS_ALLOWED_ORIGIN_REGEXES are unused while "
                "every origin is allowed, in both libraries: left out."
            )
    else:
        done.cors.update(_nonempty(ALLOWED_ORIGINS=origins, ALLOWED_ORIGIN_REGEXES=regexes))
    if credentials:
        done.cors["ALLOW_CREDENTIALS"] = True
    _lists.methods(done, values.get("CORS_ALLOW_METHODS", _corsheaders.DEFAULT_METHODS))
    _lists.headers(
        done, "ALLOW_HEADERS", values.get("CORS_ALLOW_HEADERS", DEFAULTS["ALLOW_HEADERS"])
    )
    _lists.headers(done, "EXPOSE_HEADERS", values.get("CORS_EXPOSE_HEADERS", ()))
    _lists.max_age(done, values.get("CORS_PREFLIGHT_MAX_AGE", 86400))
    if _bool(done, values, "CORS_ALLOW_PRIVATE_NETWORK"):
        done.cors["ALLOW_PRIVATE_NETWORK"] = True
    if "CORS_URLS_REGEX" in values:
        _lists.urls_regex(done, values["CORS_URLS_REGEX"])
    for receiver in _corsheaders.receivers():
        done.note(
            f"{receiver} receives django-cors-headers' check_request_enabled signal: each "
            "request it answered truthily was allowed, from any origin. drf_cors has no "
            "such signal: give the views it opened a policy of their own (CorsPolicy, "
            "@cors_policy), or serve origins kept in data with ALLOWED_ORIGINS_SOURCE.",
            True,
        )
    for name in found.removed:
        done.note(f"{name} has no counterpart: {_corsheaders.REMOVED[name]}.", True)
    done.cors = {key: done.cors[key] for key in DEFAULTS if key in done.cors}  # drf_cors' order
    return done


def _bool(done: Migration, values: dict[str, Any], name: str) -> bool:
    value = values.get(name, False)
    if not isinstance(value, bool):
        done.note(
            f"{name} is {value!r}, not True or False; django-cors-headers went by its "
            f"truth value, so this translation takes it as {bool(value)}."
        )
    return bool(value)


def _nonempty(**keys: list[str]) -> dict[str, list[str]]:
    return {key: value for key, value in keys.items() if value}


def _origins(done: Migration, values: dict[str, Any], quiet: bool) -> tuple[list[str], list[str]]:
    origins: list[str] = []
    regexes: list[str] = []
    entries = listed(done, "CORS_ALLOWED_ORIGINS", values.get("CORS_ALLOWED_ORIGINS", ()), quiet)
    patterns = listed(
        done, "CORS_ALLOWED_ORIGIN_REGEXES", values.get("CORS_ALLOWED_ORIGIN_REGEXES", ()), quiet
    )
    carried = [carry_origin(e) for e in entries or ()] + [carry_regex(p) for p in patterns or ()]
    for item in carried:
        origins += [o for o in item.origins if o not in origins]
        regexes += [r for r in item.regexes if r not in regexes]
        if item.note is not None and not quiet:
            done.notes.append(item.note)
    return origins, regexes


def _all_with_credentials(
    done: Migration, settings: Any, origins: list[str], regexes: list[str]
) -> None:
    trusted = getattr(settings, "CSRF_TRUSTED_ORIGINS", None) or []
    candidates = [o for o in (trusted if isinstance(trusted, (list, tuple)) else []) if _valid(o)]
    allowed = list(dict.fromkeys([*candidates, *origins]))
    done.cors.update(_nonempty(ALLOWED_ORIGINS=allowed, ALLOWED_ORIGIN_REGEXES=regexes))
    if not allowed and not regexes:
        done.cors["ALLOWED_ORIGINS"] = []
    named = ", ".join(map(repr, allowed + regexes)) or "none yet: fill ALLOWED_ORIGINS in"
    source = "CSRF_TRUSTED_ORIGINS and " if candidates else ""
    done.note(
        "CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS: django-cors-headers answered every "
        "origin with its own name and credentials, so any site could read your users' data. "
        "drf_cors refuses that (drf_cors.E005): ALLOW_CREDENTIALS is kept and only listed "
        f"origins are allowed, taken from {source}the CORS_* lists: {named}. Every other site "
        "is now refused: add the ones that call this API.",
        True,
        before=("https://evil.example",),
    )


def _valid(origin: object) -> bool:
    try:
        return isinstance(origin, str) and bool(parse_entry(origin))
    except OriginError:
        return False
