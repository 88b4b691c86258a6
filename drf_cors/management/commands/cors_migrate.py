"""``manage.py cors_migrate``: django-cors-headers' settings, translated to drf_cors.

Prints the ``REST_FRAMEWORK["CORS"]`` that replaces the ``CORS_*`` settings
in force (a literal to paste), then every behaviour that changes for this
configuration, then the ``INSTALLED_APPS`` and ``MIDDLEWARE`` lines to change.
The exit status is 1 when something is not carried over as it was (a browser
would see a difference), 0 when the translation is exact. It only reads
settings: django-cors-headers need not be installed. The translation itself
is ``drf_cors._migrate``.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, Final

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import _corsheaders, conf
from ..._migrate import translate
from ..._migrate_lists import Migration
from ..._regex_entries import literal
from ...checks import MIDDLEWARE, MUST_FOLLOW

#: Black's and ruff's default line length: what most settings.py files use.
WIDTH: Final = 88
HEADER: Final = (
    "# The drf_cors settings that replace them. Keys equal to drf_cors' defaults are left\n"
    "# out: its ALLOW_METHODS, ALLOW_HEADERS and PREFLIGHT_MAX_AGE defaults are\n"
    "# django-cors-headers' own."
)


def render(cors: dict[str, Any]) -> str:
    """``REST_FRAMEWORK["CORS"] = {...}`` as Python source, one key per line."""
    lines = ['REST_FRAMEWORK["CORS"] = {']
    for key, value in cors.items():
        if isinstance(value, list):
            items = [literal(v) if isinstance(v, str) else repr(v) for v in value]
            line = f'    "{key}": [{", ".join(items)}],'
            if len(line) > WIDTH:
                lines += [f'    "{key}": [', *(f"        {i}," for i in items), "    ],"]
                continue
        else:
            line = f'    "{key}": {literal(value) if isinstance(value, str) else repr(value)},'
        lines.append(line)
    lines.append("}")
    return "\n".join(lines)


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def steps(names: list[str]) -> list[str]:
    """The ``INSTALLED_APPS`` and ``MIDDLEWARE`` changes, then the settings to remove."""
    apps = _names(getattr(settings, "INSTALLED_APPS", None))
    theirs = next((a for a in apps if a == "corsheaders" or a.startswith("corsheaders.")), None)
    found: list[str] = []
    if "drf_cors" in apps or any(a.startswith("drf_cors.") for a in apps):
        if theirs:
            found.append(f'INSTALLED_APPS: remove "{theirs}" ("drf_cors" is there already).')
    elif theirs:
        found.append(f'INSTALLED_APPS: replace "{theirs}" with "drf_cors".')
    else:
        found.append('INSTALLED_APPS: add "drf_cors" (after "rest_framework").')
    middleware = _names(getattr(settings, "MIDDLEWARE", None))
    old = next(iter(_corsheaders.middleware_in(middleware)), None)
    first = next((m for m in middleware if m in MUST_FOLLOW), None)
    above = f' (above "{first}")' if first else ""
    if old and MIDDLEWARE in middleware:
        found.append(f'MIDDLEWARE: remove "{old}".')
    elif old:
        moved = first is not None and middleware.index(first) < middleware.index(old)
        found.append(
            f'MIDDLEWARE: replace "{old}" with "{MIDDLEWARE}"'
            + (f', and move it above "{first}".' if moved else f"{above}.")
        )
    elif MIDDLEWARE not in middleware:
        found.append(f'MIDDLEWARE: add "{MIDDLEWARE}"{above}.')
    if names:
        found.append(f"Remove the django-cors-headers settings: {', '.join(names)}.")
    return found


def _fill(text: str, first: str, rest: str) -> str:
    # Never split an origin at its hyphens, nor a long regex anywhere.
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


class Command(BaseCommand):
    help = (
        "Print the REST_FRAMEWORK['CORS'] that replaces the django-cors-headers (CORS_*) "
        "settings in force, every behaviour that changes with it, and the INSTALLED_APPS and "
        "MIDDLEWARE lines to change. Exits with status 1 when the translation is not exact."
    )
    #: It must run on the configuration being migrated, which the checks refuse (W012, E024).
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=("text", "json"), default="text", help="Output format."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = translate(settings)
        current = conf.user_settings()
        if current:
            done.note(
                'REST_FRAMEWORK["CORS"] is set already: the dict below replaces it, so '
                "carry over its other keys (POLICIES...) by hand."
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(self._json(done), indent=2))
        else:
            self._text(done)
        changes = sum(note.changes for note in done.notes)
        if changes:
            raise CommandError(
                f"not exact: {changes} difference(s) a browser will see, listed above.",
                returncode=1,
            )

    @staticmethod
    def _json(done: Migration) -> dict[str, Any]:
        return {
            "settings_in_force": done.names,
            "cors": done.cors,
            "exact": done.exact,
            "notes": [note._asdict() for note in done.notes],
            "steps": steps(done.names),
        }

    def _text(self, done: Migration) -> None:
        write = self.stdout.write
        if done.names:
            write(_fill(f"django-cors-headers settings in force: {', '.join(done.names)}.", "", ""))
            write("")
        else:
            write(
                "No django-cors-headers setting is set: drf_cors' defaults allow no origin, "
                "as django-cors-headers' did.\n"
            )
        write(HEADER)
        write(render(done.cors))
        changing = [n for n in done.notes if n.changes]
        same = [n for n in done.notes if not n.changes]
        write("")
        if changing:
            write(f"What changes for browsers ({len(changing)}):")
        else:
            write("What changes for browsers: nothing.")
        for number, note in enumerate(changing + same, start=1):
            if number == len(changing) + 1:
                write("Rewritten, with nothing a browser sees changing:")
            indent = " " * (len(str(number)) + 2)
            write(_fill(note.text, f"{number}. ", indent))
        write("\nThen, in settings.py:")
        for step in steps(done.names):
            write(_fill(step, "- ", "  "))
        write("Then run `python manage.py check`, and uninstall django-cors-headers.")
