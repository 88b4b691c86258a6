"""``manage.py cors_report``: every URL pattern with its effective CORS policy."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import conf
from ..inventory import Endpoint, endpoints

COLUMNS = (
    ("path", "PATH"),
    ("methods", "METHODS"),
    ("view", "VIEW"),
    ("source", "SOURCE"),
    ("origins", "ORIGINS"),
    ("credentials", "CREDENTIALS"),
    ("allow_methods", "ALLOW METHODS"),
    ("allow_headers", "ALLOW HEADERS"),
)


def describe(endpoint: Endpoint) -> dict[str, Any]:
    """One report row; the JSON form is exactly this dict."""
    found = endpoint.resolution
    row: dict[str, Any] = {
        "path": endpoint.path,
        "name": endpoint.name,
        "methods": list(endpoint.methods) or ["*"],
        "view": found.where if found.action is not None else found.view_label,
        "kind": found.kind,
        "source": found.source,
        "policy": found.policy_name,
        "allow_all_origins": False,
        "allowed_origins": [],
        "allowed_origin_regexes": [],
        "credentials": False,
        "allow_methods": [],
        "allow_headers": [],
        "expose_headers": [],
        "preflight_max_age": 0,
        "allow_private_network": False,
        "origins_source": None,
    }
    if found.kind in ("not covered", "disabled", "invalid"):
        return row  # no CORS headers are ever sent: nothing is granted
    try:
        values = conf.effective_values(found.view, found.action)
    except ImproperlyConfigured as exc:  # REST_FRAMEWORK["CORS"] itself is broken
        row.update(kind="invalid", source=f"invalid: {exc}")
        return row
    row.update(
        allow_all_origins=values["allow_all_origins"],
        allowed_origins=list(values["allowed_origins"]),
        allowed_origin_regexes=[
            r.pattern if isinstance(r, re.Pattern) else r for r in values["allowed_origin_regexes"]
        ],
        credentials=values["allow_credentials"],
        allow_methods=list(values["allow_methods"]),
        allow_headers=list(values["allow_headers"]),
        expose_headers=list(values["expose_headers"]),
        preflight_max_age=values["preflight_max_age"],
        allow_private_network=values["allow_private_network"],
        origins_source=_source(found),
    )
    return row


def _source(found: Any) -> dict[str, Any] | None:
    """What the route's origins source last gave: read now if this process has not yet."""
    policy = conf.compiled(found.view, found.action)
    source = policy.source
    if source is None:
        return None
    if source.snapshot is None:
        source.check()  # from the shared cache, or one read of the source
    described = source.describe()
    read_at = described["read_at"]
    if read_at is not None:
        moment = datetime.datetime.fromtimestamp(read_at, datetime.UTC)
        described["read_at"] = moment.isoformat(timespec="seconds")
    return described


def _source_cell(source: dict[str, Any]) -> str:
    if source["read_at"] is None:
        state = f"never read successfully: {source['error']}" if source["error"] else "not read"
    else:
        hosts = f" for {source['hosts']} host(s)" if source["hosts"] else ""
        state = (
            f"{source['entries']} entries{hosts}, {source['skipped']} skipped, "
            f"read {source['read_at']}"
        )
        if source["error"]:
            state += f"; failing since: {source['error']}"
    return f"source:{source['source']} ({state})"


def _cell(key: str, row: dict[str, Any]) -> str:
    if key == "origins":
        if row["allow_all_origins"]:
            return "*"
        regexes = [f"re:{r}" for r in row["allowed_origin_regexes"]]
        source = [_source_cell(row["origins_source"])] if row["origins_source"] else []
        return " ".join([*row["allowed_origins"], *regexes, *source]) or "-"
    value = row[key]
    if key == "credentials":
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(value) or "-"
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    """Rows as a plain-text table, one route and method group per line."""
    cells = [[title for _, title in COLUMNS]]
    cells += [[_cell(key, row) for key, _ in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "List every URL pattern with its effective CORS policy and where it comes from "
        "(action, view, named policy, global defaults, disabled, not covered). Exits with "
        "status 1 when a route's policy cannot be served as configured."
    )
    #: A report must run on a configuration the checks refuse.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=("table", "json"), default="table", help="Output format."
        )
        parser.add_argument(
            "--credentials",
            action="store_true",
            help="Only routes that accept credentialed cross-origin calls, and from where.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [describe(endpoint) for endpoint in endpoints()]
        if options["credentials"]:
            rows = [row for row in rows if row["credentials"]]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif rows:
            self.stdout.write(table(rows))
        else:
            self.stdout.write("No routes match.")
        invalid = [row for row in rows if row["kind"] == "invalid"]
        if invalid:
            where = ", ".join(f"{row['path']} ({row['source']})" for row in invalid)
            raise CommandError(
                f"{len(invalid)} route(s) cannot be served as configured and grant nothing: "
                f"{where}. Run manage.py check for the fix.",
                returncode=1,
            )
