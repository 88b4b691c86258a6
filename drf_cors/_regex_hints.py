"""What the checks say about a regex: the fix for E022, the report for E023/W011.

Kept apart from the analysis (``_regexes``, ``_regex_entries``): these only
word what the analysis found, for ``_validation``.
"""

from __future__ import annotations

import re

from ._regex_entries import as_entries, literal, loose_text
from ._regex_tree import quiet_compile
from ._regexes import lookalike


def entry_hint(entry: str, regexes_name: str) -> str:
    """The fix for a regex written in ``ALLOWED_ORIGINS`` (``drf_cors.E022``)."""
    found = as_entries(entry)
    if found is not None:
        listed = ", ".join(literal(e) for e in found.entries)
        extra = f" ({found.differences[0]})" if found.differences else ""
        return f"Write {listed} instead{extra}."
    try:
        quiet_compile(entry)
    except FutureWarning:
        pass  # valid today
    except re.error as exc:
        return f"Write the origin itself, e.g. 'https://app.example.com' (as a regex: {exc})."
    return f"Move it to {regexes_name}: {literal(entry)} (it must match the whole origin)."


def lookalike_report(
    pattern: str | re.Pattern[str], where: str, origins_name: str, credentials_name: str | None
) -> tuple[str, str] | None:
    """``(message, hint)`` for a regex that admits a look-alike host, else ``None``.

    ``credentials_name`` is given when the policy allows credentials (E023):
    the look-alike site could then read users' data.
    """
    found = lookalike(pattern)
    if found is None:
        return None
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    message = (
        f"{where} {literal(source)} also admits {found.lookalike!r}, not only {found.intended!r}: "
        "an unescaped '.' matches any character, so a look-alike host gets in"
    )
    if credentials_name is not None:
        message += f", and with {credentials_name} that site could read your users' data"
    fix = f"escape the dots: {literal(found.fixed)}" if found.fixed else "escape each '.' as '\\.'"
    translation = as_entries(pattern)
    if translation is not None and translation.differences == (loose_text(found),):
        listed = ", ".join(literal(e) for e in translation.entries)
        return f"{message}.", f"Move it to {origins_name} as {listed}, or {fix}."
    return f"{message}.", f"{fix[0].upper()}{fix[1:]} (re.escape() escapes a whole origin)."
