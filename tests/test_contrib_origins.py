"""``drf_cors.contrib.origins``: the ``AllowedOrigin`` table as ``ALLOWED_ORIGINS_SOURCE``.

Through Django's real request path and the real admin (test client). A save
refreshes the origins once its transaction commits: inside a test's
transaction ``django_capture_on_commit_callbacks(execute=True)`` runs that
commit's callbacks; ``TestRealTransactions`` commits for real. The clocks of
``drf_cors._sources`` are frozen, so a source is read on the first request
and by ``refresh_origins()`` only, never in a background thread (which would
not see the test's uncommitted rows).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_delete
from django.test import Client, override_settings

import drf_cors
from drf_cors import _snapshots, _sources, checks, conf
from drf_cors.contrib.origins import SOURCE_PATH, source
from drf_cors.contrib.origins.models import AllowedOrigin
from tests import settings as test_settings
from tests.conftest import APP, granted, preflight_headers, with_cors

pytestmark = pytest.mark.django_db

TENANT = "https://tenant-a.example"
OTHER = "https://tenant-b.example"
EVERY = "https://every-tenant.example"
PARTNER = "https://partner-db.example"
WIDGET = "https://widget-db.example"
HOST_A = "api.tenant-a.example"
HOST_B = "api.tenant-b.example"
HOSTS = ["testserver", HOST_A, HOST_B]
#: The test settings' policies; "partners" and "widgets" read the table too.
POLICIES = {
    **test_settings.REST_FRAMEWORK["CORS"]["POLICIES"],
    "partners": {
        **test_settings.REST_FRAMEWORK["CORS"]["POLICIES"]["partners"],
        "ALLOWED_ORIGINS_SOURCE": SOURCE_PATH,
    },
    "widgets": {"ALLOWED_ORIGINS_SOURCE": SOURCE_PATH},
    "static": {"ALLOWED_ORIGINS": ["https://static.example"]},
}
ROOT = Path(__file__).resolve().parent.parent
ADD_URL = "/admin/drf_cors_origins/allowedorigin/add/"
LIST_URL = "/admin/drf_cors_origins/allowedorigin/"


cors = with_cors  # the tests' REST_FRAMEWORK with CORS keys set


@pytest.fixture(autouse=True)
def frozen_clocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sources, "_clock", lambda: 1000.0)
    monkeypatch.setattr(_sources, "_wall", lambda: 1_700_000_000.0)


@pytest.fixture(autouse=True)
def origins_source() -> Iterator[None]:
    """The table serves the global defaults and the policies "partners" and "widgets"."""
    with override_settings(
        REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE_PATH, POLICIES=POLICIES),
        ALLOWED_HOSTS=HOSTS,
    ):
        yield


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """One item per ``refresh_origins()`` call (the real one still runs)."""
    calls: list[None] = []
    real = conf.refresh_origins

    def spy() -> None:
        calls.append(None)
        real()

    monkeypatch.setattr(conf, "refresh_origins", spy)
    return calls


Commit = Callable[..., Any]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Commit) -> Callable[[], Any]:
    """``with commit():`` runs what the block's transaction would run when it commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# -- the request path ---------------------------------------------------------


def test_a_row_added_is_granted_at_once(client: Client, commit: Commit) -> None:
    assert not granted(client, TENANT)  # the source is read, and serves nothing yet
    with commit():
        AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, TENANT)


def test_a_row_deleted_is_revoked_at_once(client: Client, commit: Commit) -> None:
    row = AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, TENANT)
    with commit():
        row.delete()
    assert not granted(client, TENANT)


def test_a_row_edited_grants_the_new_origin_and_revokes_the_old(
    client: Client, commit: Commit
) -> None:
    row = AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, TENANT)
    row.origin = OTHER
    with commit():
        row.save()
    assert granted(client, OTHER)
    assert not granted(client, TENANT)


def test_a_preflight_from_a_row_is_granted(client: Client) -> None:
    AllowedOrigin.objects.create(origin=TENANT)
    response = client.options("/api/spy/", **preflight_headers(TENANT, "PUT"))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == TENANT


def test_patterns_match_like_listed_ones(client: Client) -> None:
    AllowedOrigin.objects.create(origin="https://*.tenant.example")
    assert granted(client, "https://a.b.tenant.example")
    assert not granted(client, "https://tenant.example")


def test_the_listed_origins_still_work_next_to_the_table(client: Client) -> None:
    AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, APP)


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        (HOST_A, TENANT, True),
        (HOST_A.upper(), TENANT, True),
        (f"{HOST_A}:8443", TENANT, True),
        (HOST_A, OTHER, False),
        (HOST_B, OTHER, True),
        (HOST_B, TENANT, False),
        ("testserver", TENANT, False),
        (HOST_A, EVERY, True),
        ("testserver", EVERY, True),
        ("testserver", APP, True),
    ],
    ids=[
        "own-host",
        "own-host-upper-case",
        "own-host-with-port",
        "another-hosts-row",
        "other-host",
        "other-host-another-hosts-row",
        "host-without-rows",
        "every-host-row-on-a-host",
        "every-host-row-elsewhere",
        "listed-origin",
    ],
)
def test_host_rows_are_granted_on_their_host_only(
    client: Client, host: str, origin: str, allowed: bool
) -> None:
    AllowedOrigin.objects.create(origin=TENANT, host=HOST_A)
    AllowedOrigin.objects.create(origin=OTHER, host=HOST_B)
    AllowedOrigin.objects.create(origin=EVERY)
    assert granted(client, origin, HTTP_HOST=host) is allowed


@pytest.mark.parametrize(
    ("path", "origin", "allowed"),
    [
        ("/api/partner/", PARTNER, True),
        ("/api/partner/", "https://partner-a.example", True),  # its ALLOWED_ORIGINS
        ("/api/partner/", TENANT, False),
        ("/api/partner/", WIDGET, False),
        ("/api/plain-api/", TENANT, True),
        ("/api/plain-api/", PARTNER, False),
        ("/api/plain-api/", WIDGET, False),
        ("/api/spy/", PARTNER, False),
    ],
    ids=[
        "policy-row",
        "policy-listed-origin",
        "global-row-on-policy",
        "other-policys-row",
        "global-row",
        "policy-row-on-global",
        "other-policy-row-on-global",
        "policy-row-on-a-mixin-view",
    ],
)
def test_policy_rows_serve_their_policy_only(
    client: Client, path: str, origin: str, allowed: bool
) -> None:
    AllowedOrigin.objects.create(origin=PARTNER, policy="partners")
    AllowedOrigin.objects.create(origin=WIDGET, policy="widgets")
    AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, origin, path) is allowed


def test_host_rows_of_a_policy_serve_that_policy_on_that_host(client: Client) -> None:
    AllowedOrigin.objects.create(origin=PARTNER, host=HOST_A, policy="partners")
    assert granted(client, PARTNER, "/api/partner/", HTTP_HOST=HOST_A)
    assert not granted(client, PARTNER, "/api/partner/", HTTP_HOST=HOST_B)
    assert not granted(client, PARTNER, HTTP_HOST=HOST_A)


def test_a_read_is_one_query_and_a_request_none(
    client: Client, django_assert_num_queries: Callable[..., Any]
) -> None:
    for index in range(30):
        AllowedOrigin.objects.create(origin=f"https://t{index}.example", host=HOSTS[index % 3])
    with django_assert_num_queries(1):
        assert granted(client, "https://t1.example", HTTP_HOST=HOST_A)
    with django_assert_num_queries(0):
        for index in range(20):
            granted(client, f"https://t{index}.example", HTTP_HOST=HOSTS[index % 3])
    with django_assert_num_queries(3):  # one read each: the global source, partners, widgets
        drf_cors.refresh_origins()


def test_without_the_app_the_read_fails_with_a_clear_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    without = [app for app in test_settings.INSTALLED_APPS if app != "drf_cors.contrib.origins"]
    with override_settings(INSTALLED_APPS=without):
        with pytest.raises(ImproperlyConfigured) as raised:
            source()
        assert not granted(client, TENANT)
        assert granted(client, APP)
    message = (
        "ALLOWED_ORIGINS_SOURCE 'drf_cors.contrib.origins.source' reads the AllowedOrigin "
        "table, but 'drf_cors.contrib.origins' is not in INSTALLED_APPS. Add it there and run "
        "'manage.py migrate'."
    )
    assert str(raised.value) == message
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert message in errors[0]
    assert "origins source drf_cors.contrib.origins.source failed" in errors[0]


def test_the_object_and_its_path_are_one_source(client: Client) -> None:
    assert _sources.source_key(source) == SOURCE_PATH == repr(source)
    AllowedOrigin.objects.create(origin=TENANT)
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=source)):
        assert granted(client, TENANT)


# -- the source itself ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "scope", "expected"),
    [
        ([], None, []),
        ([(OTHER, "", ""), (TENANT, "", "")], None, [TENANT, OTHER]),
        (
            [(TENANT, HOST_B, ""), (EVERY, "", ""), (OTHER, HOST_A, ""), (TENANT, HOST_A, "")],
            None,
            {"*": [EVERY], HOST_A: [TENANT, OTHER], HOST_B: [TENANT]},
        ),
        ([(TENANT, HOST_A, "")], None, {"*": [], HOST_A: [TENANT]}),
        ([(PARTNER, "", "partners"), (TENANT, "", "")], "partners", [PARTNER]),
        (
            [(PARTNER, HOST_A, "partners"), (TENANT, HOST_B, "")],
            None,
            {"*": [], HOST_B: [TENANT]},
        ),
        ([(PARTNER, "", "partners")], "widgets", []),
    ],
    ids=[
        "empty",
        "sorted-list",
        "by-host-sorted",
        "host-only",
        "policy-rows-only",
        "host-of-another-scope",
        "no-rows-for-policy",
    ],
)
def test_the_source_returns_the_rows_of_its_scope(
    rows: list[tuple[str, str, str]],
    scope: str | None,
    expected: Any,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for origin, host, policy in rows:
        AllowedOrigin.objects.create(origin=origin, host=host, policy=policy)
    with django_assert_num_queries(1):
        assert source.for_policy(scope)() == expected


def test_calling_the_source_reads_the_global_rows() -> None:
    AllowedOrigin.objects.create(origin=TENANT)
    AllowedOrigin.objects.create(origin=PARTNER, policy="partners")
    assert source() == [TENANT]


def test_importing_the_package_imports_no_model() -> None:
    code = (
        "import sys, drf_cors.contrib.origins as o; "
        "assert o.source is not None; "
        "assert 'drf_cors.contrib.origins.models' not in sys.modules; "
        "assert 'django.contrib.contenttypes.models' not in sys.modules"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


# -- refresh on commit ----------------------------------------------------------


class Boom(Exception):
    pass


def rolled_back(change: Callable[[], object]) -> None:
    """Make ``change`` in a transaction (a savepoint, inside another) that rolls back."""
    with contextlib.suppress(Boom), transaction.atomic():
        change()
        raise Boom


def test_a_save_refreshes_only_when_its_transaction_commits(
    client: Client, commit: Commit, refreshes: list[None]
) -> None:
    assert not granted(client, TENANT)
    with commit() as callbacks:
        AllowedOrigin.objects.create(origin=TENANT)
        assert refreshes == []  # not before the commit...
        assert not granted(client, TENANT)
    assert len(callbacks) == 1
    assert refreshes == [None]  # ...at the commit
    assert granted(client, TENANT)


def test_a_save_rolled_back_never_refreshes(
    client: Client, commit: Commit, refreshes: list[None]
) -> None:
    assert not granted(client, TENANT)
    with commit() as callbacks:
        rolled_back(lambda: AllowedOrigin.objects.create(origin=TENANT))
    assert callbacks == []
    assert refreshes == []
    assert not granted(client, TENANT)


def test_a_delete_rolled_back_never_refreshes(
    client: Client, commit: Commit, refreshes: list[None]
) -> None:
    row = AllowedOrigin.objects.create(origin=TENANT)
    assert granted(client, TENANT)
    with commit() as callbacks:
        rolled_back(row.delete)
    assert (callbacks, refreshes) == ([], [])
    assert granted(client, TENANT)


def test_many_rows_changed_in_one_transaction_refresh_once(
    commit: Commit, refreshes: list[None]
) -> None:
    with commit() as callbacks:
        for index in range(5):
            AllowedOrigin.objects.create(origin=f"https://t{index}.example")
        AllowedOrigin.objects.filter(origin="https://t0.example").get().delete()
    assert len(callbacks) == 6
    assert refreshes == [None]


def test_a_later_transaction_refreshes_again(commit: Commit, refreshes: list[None]) -> None:
    with commit():
        row = AllowedOrigin.objects.create(origin=TENANT)
    with commit():
        row.delete()
    assert refreshes == [None, None]


def test_a_queryset_delete_sends_the_signals(client: Client, commit: Commit) -> None:
    AllowedOrigin.objects.create(origin=TENANT)
    AllowedOrigin.objects.create(origin=OTHER)
    assert granted(client, TENANT)
    with commit() as callbacks:
        AllowedOrigin.objects.filter(origin__startswith="https://tenant-").delete()
    assert len(callbacks) == 2
    assert not granted(client, TENANT)
    assert not granted(client, OTHER)


def test_bulk_create_and_update_need_refresh_origins(client: Client, commit: Commit) -> None:
    """The documented caveat: these send no signals, so nothing refreshes by itself."""
    assert not granted(client, TENANT)
    with commit() as callbacks:
        AllowedOrigin.objects.bulk_create([AllowedOrigin(origin=TENANT)])
    assert callbacks == []
    assert not granted(client, TENANT)
    drf_cors.refresh_origins()
    assert granted(client, TENANT)
    with commit() as callbacks:
        AllowedOrigin.objects.filter(origin=TENANT).update(origin=OTHER)
    assert callbacks == []
    assert granted(client, TENANT)  # the old rows, until...
    drf_cors.refresh_origins()
    assert granted(client, OTHER)
    assert not granted(client, TENANT)


def test_a_failing_refresh_never_breaks_the_save(
    commit: Commit, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("cache down")

    monkeypatch.setattr(conf, "refresh_origins", broken)
    with commit():
        AllowedOrigin.objects.create(origin=TENANT)
    assert AllowedOrigin.objects.filter(origin=TENANT).exists()
    assert any("drf_cors.refresh_origins" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
class TestRealTransactions:
    """Real commits and rollbacks (no test transaction around them)."""

    def test_a_committed_row_is_granted(self, client: Client, refreshes: list[None]) -> None:
        assert not granted(client, TENANT)
        with transaction.atomic():
            AllowedOrigin.objects.create(origin=TENANT)
            AllowedOrigin.objects.create(origin=OTHER)
            assert refreshes == []
        assert refreshes == [None]
        assert granted(client, TENANT)
        assert granted(client, OTHER)

    def test_autocommit_refreshes_at_once(self, client: Client, refreshes: list[None]) -> None:
        assert not granted(client, TENANT)
        row = AllowedOrigin.objects.create(origin=TENANT)
        assert granted(client, TENANT)
        row.delete()
        assert not granted(client, TENANT)
        assert refreshes == [None, None]

    def test_a_rolled_back_row_never_refreshes(self, client: Client, refreshes: list[None]) -> None:
        assert not granted(client, TENANT)
        rolled_back(lambda: AllowedOrigin.objects.create(origin=TENANT))
        assert refreshes == []
        drf_cors.refresh_origins()
        assert not granted(client, TENANT)

    def test_a_change_in_a_savepoint_rolled_back_keeps_the_outer_refresh(
        self, client: Client, refreshes: list[None]
    ) -> None:
        with transaction.atomic():
            AllowedOrigin.objects.create(origin=TENANT)
            rolled_back(lambda: AllowedOrigin.objects.create(origin=OTHER))
        assert refreshes == [None]
        assert granted(client, TENANT)
        assert not granted(client, OTHER)


# -- validation: full_clean() and the admin form ---------------------------------

CHECK_KEY = 'REST_FRAMEWORK["CORS"]["ALLOWED_ORIGINS"][0]'
#: Entries the system checks refuse in ALLOWED_ORIGINS (errors).
REFUSED_BY_THE_CHECKS = [
    "https://app.example.com/",
    "app.example.com",
    "*",
    "HTTPS://App.Example.com",
    "https://app.example.com:443",
    "https://user@app.example.com",
    "https://bücher.example",
    "https://a.*.example.com",
    "wss://app.example.com",
    r"^https://.*\.example\.com$",
]
#: Entries a listed origin is only warned about, and a source never allows.
REFUSED_IN_DATA = ["null", "https://*.github.io", "https://*.co.uk"]


def check_says(entry: str) -> tuple[str, str]:
    """What ``manage.py check`` says of ``entry`` in ALLOWED_ORIGINS, worded for a form."""
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS=[entry])):
        found = [m for m in checks.check_settings() if m.msg.startswith(CHECK_KEY)]
    assert len(found) == 1, found
    assert found[0].is_serious()
    return f"This entry{found[0].msg[len(CHECK_KEY) :]} {found[0].hint}", str(found[0].id)


def source_says(entry: str) -> tuple[str, str]:
    """What drf_cors logs when a source gives ``entry`` (the rules stricter for data)."""
    problem = _snapshots.entry_problem(entry, 0, "KEY")
    assert problem is not None
    return f"This entry{problem.message[len('KEY[0]') :]} {problem.hint}", f"drf_cors.{problem.id}"


def origin_errors(**fields: str) -> list[ValidationError]:
    row = AllowedOrigin(**{"origin": TENANT, **fields})
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    assert set(raised.value.error_dict) == set(fields)
    errors: list[ValidationError] = raised.value.error_dict[next(iter(fields))]
    return errors


@pytest.mark.parametrize("entry", REFUSED_BY_THE_CHECKS)
def test_full_clean_refuses_an_origin_in_the_checks_words(entry: str) -> None:
    [error] = origin_errors(origin=entry)
    assert (error.message, error.code) == check_says(entry)


@pytest.mark.parametrize("entry", REFUSED_IN_DATA)
def test_full_clean_refuses_what_a_source_never_allows(entry: str) -> None:
    [error] = origin_errors(origin=entry)
    assert (error.message, error.code) == source_says(entry)


def test_the_message_for_a_trailing_slash_reads_well() -> None:
    [error] = origin_errors(origin="https://app.example.com/")
    assert error.message == (
        "This entry 'https://app.example.com/' has a path, query or fragment; an origin is "
        "only scheme://host[:port]. Write it as 'https://app.example.com'."
    )


@pytest.mark.parametrize(
    ("fields", "stored_host"),
    [
        ({"origin": TENANT}, ""),
        ({"origin": "https://*.tenant.example"}, ""),
        ({"origin": "http://localhost:*"}, ""),
        ({"origin": "http://127.0.0.1:8000"}, ""),
        ({"origin": TENANT, "host": HOST_A}, HOST_A),
        ({"origin": TENANT, "host": "API.Tenant-A.example"}, HOST_A),
        ({"origin": TENANT, "host": f"{HOST_A}."}, HOST_A),
        ({"origin": TENANT, "policy": "partners"}, ""),
        (
            {"origin": TENANT, "host": HOST_B, "policy": "widgets", "note": "Acme's front end"},
            HOST_B,
        ),
    ],
    ids=[
        "exact",
        "subdomains",
        "any-port",
        "ip-and-port",
        "host",
        "host-upper-case",
        "host-trailing-dot",
        "policy",
        "everything",
    ],
)
def test_full_clean_accepts_a_valid_row(fields: dict[str, str], stored_host: str) -> None:
    row = AllowedOrigin(**fields)
    row.full_clean()
    assert row.host == stored_host


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"host": f"{HOST_A}:8443"},
            f"The host '{HOST_A}:8443' has a port; a row applies to its host on every port: "
            f"write '{HOST_A}'.",
        ),
        (
            {"host": "api tenant.example"},
            "The host 'api tenant.example' contains whitespace; write the host name alone, "
            "e.g. 'api.example.com'.",
        ),
        (
            {"host": f"https://{HOST_A}"},
            f"The host 'https://{HOST_A}' is not a host name: write the host alone, without "
            "scheme or path, e.g. 'api.example.com'.",
        ),
        (
            {"host": "*.tenant-a.example"},
            "The host '*.tenant-a.example' matches one host exactly, with no wildcard; leave it "
            "blank for every host.",
        ),
        (
            {"host": "*"},
            "The host '*' matches one host exactly, with no wildcard; leave it blank for every "
            "host.",
        ),
        (
            {"host": "api_tenant!.example"},
            "The host 'api_tenant!.example' is not a valid host name; write it as a request's "
            "Host header has it, e.g. 'api.example.com'.",
        ),
        (
            {"host": "evil.example"},
            "Django refuses requests for the host 'evil.example' (it does not match "
            "ALLOWED_HOSTS), so this row would never be served. Add the host to ALLOWED_HOSTS "
            "first.",
        ),
        (
            {"policy": "nope"},
            'There is no policy \'nope\' in REST_FRAMEWORK["CORS"]["POLICIES"]. The defined '
            "policies are 'partners', 'public', 'static', 'widgets'. Leave it blank to serve "
            "wherever the source is set globally or on a CorsPolicy.",
        ),
        (
            {"policy": "static"},
            "The policy 'static' has no ALLOWED_ORIGINS_SOURCE, so this row would never be "
            'served. Set REST_FRAMEWORK["CORS"]["POLICIES"]["static"]["ALLOWED_ORIGINS_SOURCE"] '
            "to 'drf_cors.contrib.origins.source' first.",
        ),
        (
            {"policy": "public"},
            "The policy 'public' allows every origin (ALLOW_ALL_ORIGINS), so it reads no source "
            "and this row would never be served.",
        ),
    ],
    ids=[
        "host-port",
        "host-space",
        "host-scheme",
        "host-wildcard",
        "host-star",
        "host-invalid",
        "host-not-allowed",
        "policy-unknown",
        "policy-without-source",
        "policy-allow-all",
    ],
)
def test_full_clean_refuses_a_host_or_policy_that_would_never_be_served(
    fields: dict[str, str], message: str
) -> None:
    assert [e.message for e in origin_errors(**fields)] == [message]


def test_full_clean_without_policies_says_none_are_defined() -> None:
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE_PATH, POLICIES={})):
        [error] = origin_errors(policy="partners")
    assert "No policies are defined." in error.message


def test_under_debug_without_allowed_hosts_localhost_is_a_host(settings: Any) -> None:
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    AllowedOrigin(origin=TENANT, host="api.localhost").full_clean()
    assert origin_errors(host=HOST_A)[0].code == "disallowed_host"


def test_full_clean_refuses_a_duplicate_and_reports_every_field_at_once() -> None:
    AllowedOrigin.objects.create(origin=TENANT, host=HOST_A, policy="partners")
    duplicate = AllowedOrigin(origin=TENANT, host=HOST_A.upper(), policy="partners")
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()
    row = AllowedOrigin(origin="https://a.example/", host="a b", policy="nope")
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    assert set(raised.value.error_dict) == {"origin", "host", "policy"}


def test_full_clean_keeps_djangos_own_field_errors() -> None:
    row = AllowedOrigin(origin="", host="x" * 254, policy="nope")
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    errors = raised.value.message_dict
    assert errors["origin"] == ["This field cannot be blank."]
    assert errors["host"] == ["Ensure this value has at most 253 characters (it has 254)."]
    assert errors["policy"][0].startswith("There is no policy 'nope'")


def test_full_clean_respects_exclude() -> None:
    AllowedOrigin(origin="https://a.example/", host="a b").full_clean(exclude=["origin", "host"])


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"origin": TENANT}, TENANT),
        ({"origin": TENANT, "host": HOST_A}, f"{TENANT} on {HOST_A}"),
        ({"origin": TENANT, "policy": "partners"}, f"{TENANT} (policy 'partners')"),
        (
            {"origin": TENANT, "host": HOST_A, "policy": "partners"},
            f"{TENANT} on {HOST_A} (policy 'partners')",
        ),
    ],
    ids=["origin", "host", "policy", "both"],
)
def test_str_is_readable(fields: dict[str, str], text: str) -> None:
    assert str(AllowedOrigin(**fields)) == text


# -- the admin ------------------------------------------------------------------

ADMIN_SETTINGS: dict[str, Any] = {
    "INSTALLED_APPS": [
        *test_settings.INSTALLED_APPS,
        "django.contrib.admin",
        "django.contrib.messages",
    ],
    "MIDDLEWARE": [
        *test_settings.MIDDLEWARE,
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    ],
    "ROOT_URLCONF": "tests.contrib_origins_urls",
}


@pytest.fixture(scope="class")
def admin_installed(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Django's admin on top of the test settings (its log table migrated for the class)."""
    with override_settings(**ADMIN_SETTINGS):
        with django_db_blocker.unblock():
            call_command("migrate", "admin", verbosity=0)
        try:
            yield
        finally:
            with django_db_blocker.unblock():
                call_command("migrate", "admin", "zero", verbosity=0)


@pytest.fixture
def admin(client: Client, django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", None)
    client.force_login(user)
    return client


def add(admin: Client, **fields: str) -> Any:
    return admin.post(ADD_URL, {"origin": "", "host": "", "policy": "", "note": "", **fields})


def form_errors(response: Any) -> dict[str, list[tuple[str, str | None]]]:
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    return {field: [(e.messages[0], e.code) for e in found] for field, found in errors.items()}


@pytest.mark.usefixtures("admin_installed")
class TestAdmin:
    def test_adding_a_row_grants_it_at_once(self, admin: Client, commit: Commit) -> None:
        anonymous = Client()
        assert not granted(anonymous, TENANT)
        with commit():
            response = add(admin, origin=TENANT, note="tenant Acme's front end")
        assert response.status_code == 302
        assert AllowedOrigin.objects.get().note == "tenant Acme's front end"
        assert granted(anonymous, TENANT)

    @pytest.mark.parametrize("entry", REFUSED_BY_THE_CHECKS)
    def test_the_form_refuses_an_origin_in_the_checks_words(
        self, admin: Client, entry: str
    ) -> None:
        assert form_errors(add(admin, origin=entry)) == {"origin": [check_says(entry)]}
        assert not AllowedOrigin.objects.exists()

    @pytest.mark.parametrize("entry", REFUSED_IN_DATA)
    def test_the_form_refuses_what_a_source_never_allows(self, admin: Client, entry: str) -> None:
        assert form_errors(add(admin, origin=entry)) == {"origin": [source_says(entry)]}

    def test_the_form_shows_the_fix_for_a_trailing_slash(self, admin: Client) -> None:
        response = add(admin, origin="https://app.example.com/")
        assert "Write it as &#x27;https://app.example.com&#x27;" in response.content.decode()

    def test_the_form_stores_the_host_in_lower_case(self, admin: Client, commit: Commit) -> None:
        with commit():
            assert add(admin, origin=TENANT, host="API.Tenant-A.example").status_code == 302
        assert AllowedOrigin.objects.get().host == HOST_A
        assert granted(Client(), TENANT, HTTP_HOST=HOST_A)
        assert not granted(Client(), TENANT, HTTP_HOST=HOST_B)

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"host": f"{HOST_A}:8443"}, "invalid_host"),
            ({"host": "api tenant.example"}, "invalid_host"),
            ({"host": "evil.example"}, "disallowed_host"),
            ({"policy": "nope"}, "unknown_policy"),
            ({"policy": "static"}, "policy_without_source"),
        ],
        ids=["host-port", "host-space", "host-not-allowed", "policy-unknown", "policy-no-source"],
    )
    def test_the_form_refuses_a_host_or_policy_as_full_clean_does(
        self, admin: Client, fields: dict[str, str], code: str
    ) -> None:
        [expected] = origin_errors(**fields)
        field = next(iter(fields))
        assert form_errors(add(admin, origin=TENANT, **fields)) == {
            field: [(expected.message, code)]
        }

    def test_the_form_refuses_a_duplicate(self, admin: Client) -> None:
        AllowedOrigin.objects.create(origin=TENANT, host=HOST_A)
        errors = form_errors(add(admin, origin=TENANT, host=HOST_A.upper()))
        assert errors == {
            "__all__": [
                (
                    "Allowed origin with this Origin, Host and Policy already exists.",
                    "unique_together",
                )
            ]
        }

    def test_a_policy_row_added_serves_that_policy(self, admin: Client, commit: Commit) -> None:
        with commit():
            assert add(admin, origin=PARTNER, policy="partners").status_code == 302
        assert granted(Client(), PARTNER, "/api/partner/")
        assert not granted(Client(), PARTNER)

    def test_editing_a_row_moves_the_grant(self, admin: Client, commit: Commit) -> None:
        row = AllowedOrigin.objects.create(origin=TENANT)
        assert granted(Client(), TENANT)
        with commit():
            response = admin.post(
                f"{LIST_URL}{row.pk}/change/",
                {"origin": OTHER, "host": "", "policy": "", "note": ""},
            )
        assert response.status_code == 302
        assert granted(Client(), OTHER)
        assert not granted(Client(), TENANT)

    def test_deleting_a_row_revokes_it(self, admin: Client, commit: Commit) -> None:
        row = AllowedOrigin.objects.create(origin=TENANT)
        assert granted(Client(), TENANT)
        with commit():
            response = admin.post(f"{LIST_URL}{row.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not granted(Client(), TENANT)

    def test_delete_selected_sends_the_signals_and_refreshes_once(
        self, admin: Client, commit: Commit, refreshes: list[None]
    ) -> None:
        rows = [AllowedOrigin.objects.create(origin=o) for o in (TENANT, OTHER, EVERY)]
        assert granted(Client(), TENANT)
        deleted: list[str] = []

        def spy(sender: Any, instance: AllowedOrigin, **kwargs: Any) -> None:
            deleted.append(instance.origin)

        post_delete.connect(spy, sender=AllowedOrigin)
        try:
            with commit():
                response = admin.post(
                    LIST_URL,
                    {
                        "action": "delete_selected",
                        "_selected_action": [row.pk for row in rows],
                        "post": "yes",
                    },
                )
        finally:
            post_delete.disconnect(spy, sender=AllowedOrigin)
        assert response.status_code == 302
        assert sorted(deleted) == sorted([TENANT, OTHER, EVERY])
        assert refreshes == [None]
        assert not any(granted(Client(), origin) for origin in (TENANT, OTHER, EVERY))

    def test_the_list_filters_and_searches(self, admin: Client) -> None:
        AllowedOrigin.objects.create(origin=TENANT, host=HOST_A, note="Acme")
        AllowedOrigin.objects.create(origin=OTHER, policy="partners")
        cases = [
            ({"q": "Acme"}, [TENANT]),
            ({"policy": "partners"}, [OTHER]),
            ({}, [TENANT, OTHER]),
        ]
        for query, origins in cases:
            response = admin.get(LIST_URL, query)
            assert response.status_code == 200
            shown = [row.origin for row in response.context["cl"].result_list]
            assert sorted(shown) == sorted(origins), query
        changelist = response.context["cl"]
        assert list(changelist.list_display) == [
            "action_checkbox",
            "origin",
            "host",
            "policy",
            "note",
            "updated",
        ]
