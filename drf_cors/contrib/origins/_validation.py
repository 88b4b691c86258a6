"""The rules an ``AllowedOrigin`` row obeys, as ``ValidationError`` for its field.

A row the engine would skip or never serve is refused when it is entered:
the origin by drf_cors' own rules with the system check's wording, a host
as a request would be keyed, a policy only if ``POLICIES`` has it and it reads
a source.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import split_domain_port, validate_host

from drf_cors import conf
from drf_cors._snapshots import EVERY_HOST, field_problem, normalize_host

from . import SOURCE_PATH

POLICIES = 'REST_FRAMEWORK["CORS"]["POLICIES"]'


def check_origin(value: str) -> None:
    """Refuse what the checks refuse in ``ALLOWED_ORIGINS``, and what a source never allows."""
    problem = field_problem(value)
    if problem is not None:
        raise ValidationError(
            f"{problem.message} {problem.hint}".strip(),
            code=f"drf_cors.{problem.id}",
        )


def clean_host(value: str) -> str:
    """``value`` as requests for that host are keyed (lower case), or ``ValidationError``."""
    host = normalize_host(value)
    if host is not None and host != EVERY_HOST:
        _check_allowed(host)
        return host
    example = "e.g. 'api.example.com'"
    if host == EVERY_HOST or "*" in value:
        why = "matches one host exactly, with no wildcard; leave it blank for every host."
    elif value != value.strip() or any(c.isspace() for c in value):
        why = f"contains whitespace; write the host name alone, {example}."
    elif "://" in value or "/" in value:
        why = f"is not a host name: write the host alone, without scheme or path, {example}."
    elif split_domain_port(value.lower())[1]:
        domain = split_domain_port(value.lower())[0]
        why = f"has a port; a row applies to its host on every port: write {domain!r}."
    else:
        why = f"is not a valid host name; write it as a request's Host header has it, {example}."
    raise ValidationError(f"The host {value!r} {why}", code="invalid_host")


def _check_allowed(host: str) -> None:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as HttpRequest.get_host() does
    if not validate_host(host, allowed):
        raise ValidationError(
            f"Django refuses requests for the host {host!r} (it does not match ALLOWED_HOSTS), "
            "so this row would never be served. Add the host to ALLOWED_HOSTS first.",
            code="disallowed_host",
        )


def check_policy(value: str) -> None:
    """A policy name must be a ``POLICIES`` entry whose origins come from a source."""
    if not value:
        return
    raw = conf.user_settings()
    policies = raw.get("POLICIES", {}) if isinstance(raw, Mapping) else {}
    policies = policies if isinstance(policies, Mapping) else {}
    entry = policies.get(value)
    if not isinstance(entry, Mapping):
        names = sorted(name for name in policies if isinstance(name, str))
        defined = (
            f"The defined policies are {', '.join(map(repr, names))}."
            if names
            else "No policies are defined."
        )
        raise ValidationError(
            f"There is no policy {value!r} in {POLICIES}. {defined} Leave it blank to serve "
            "wherever the source is set globally or on a CorsPolicy.",
            code="unknown_policy",
        )
    if entry.get("ALLOW_ALL_ORIGINS") is True:
        raise ValidationError(
            f"The policy {value!r} allows every origin (ALLOW_ALL_ORIGINS), so it reads no "
            "source and this row would never be served.",
            code="policy_without_source",
        )
    if entry.get("ALLOWED_ORIGINS_SOURCE") is None:
        raise ValidationError(
            f"The policy {value!r} has no ALLOWED_ORIGINS_SOURCE, so this row would never be "
            f'served. Set {POLICIES}["{value}"]["ALLOWED_ORIGINS_SOURCE"] to {SOURCE_PATH!r} '
            "first.",
            code="policy_without_source",
        )
