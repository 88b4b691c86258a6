"""``ALLOWED_ORIGINS_SOURCE``: origins from data, matched like listed ones, never read per request.

Through Django's real request path with the test client. The sources are
``tests.testapp.sources`` (plain Python, so background reads need no
database); the clocks of ``drf_cors._sources`` are replaced where a test
needs time to pass. Real processes, Redis and a real database:
``tests/load/test_sources_multiprocess.py``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import AsyncClient, Client, override_settings

import drf_cors
from drf_cors import _shared, _sources, conf
from tests import settings as test_settings
from tests.conftest import APP, granted, preflight_headers, refused, with_cors
from tests.testapp import sources

TENANT = "https://tenant-a.example"
OTHER = "https://tenant-b.example"
SOURCE = "tests.testapp.sources.listed"
#: A route without a policy of its own (the middleware's global defaults) and a mixin view.
ROUTES = ["/api/plain-api/", "/api/spy/"]


cors = with_cors  # the tests' REST_FRAMEWORK with CORS keys set


class Clock:
    """Monotonic and wall clocks that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def source_data() -> Iterator[dict[str, Any]]:
    sources.SOURCE_DATA["value"] = [TENANT]
    sources.FAIL["error"] = None
    sources.CALLS.clear()
    yield sources.SOURCE_DATA
    sources.SOURCE_DATA["value"] = []
    sources.FAIL["error"] = None
    sources.CALLS.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_sources, "_clock", lambda: fake.now)
    monkeypatch.setattr(_sources, "_wall", lambda: fake.now + 1_700_000_000)
    return fake


@pytest.fixture
def with_source() -> Iterator[None]:
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        yield


def wait_for_background_read(timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while any(s._busy for s in _sources.known()):
        assert time.monotonic() < deadline, "the background read did not finish"
        time.sleep(0.01)


@pytest.mark.usefixtures("with_source")
class TestGlobalSource:
    @pytest.mark.parametrize("path", ROUTES)
    def test_an_origin_from_the_source_is_allowed(self, client: Client, path: str) -> None:
        assert granted(client, TENANT, path)

    def test_listed_origins_still_allowed(self, client: Client) -> None:
        assert granted(client, APP)

    def test_an_origin_in_neither_is_refused(self, client: Client) -> None:
        assert not granted(client, OTHER)

    def test_preflight_from_a_source_origin_is_granted(self, client: Client) -> None:
        response = client.options("/api/spy/", **preflight_headers(TENANT, "PUT"))
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == TENANT

    def test_the_source_is_read_once_not_per_request(self, client: Client) -> None:
        for _ in range(50):
            assert granted(client, TENANT)
        assert sources.CALLS == ["listed"]

    def test_a_request_without_origin_never_reads_the_source(self, client: Client) -> None:
        client.get("/api/plain-api/")
        assert sources.CALLS == []

    def test_refresh_origins_serves_a_change_at_once(
        self, client: Client, source_data: dict[str, Any]
    ) -> None:
        assert not granted(client, OTHER)
        source_data["value"] = [OTHER]
        drf_cors.refresh_origins()
        assert granted(client, OTHER)
        assert not granted(client, TENANT)  # a removal is revoked as fast


@pytest.mark.usefixtures("with_source")
class TestFreshness:
    """``ORIGINS_REFRESH`` (10 s here): how long a change takes without refresh_origins()."""

    def test_a_change_is_not_read_before_the_interval(
        self, client: Client, clock: Clock, source_data: dict[str, Any]
    ) -> None:
        assert granted(client, TENANT)
        source_data["value"] = [OTHER]
        clock.advance(9.9)
        assert not granted(client, OTHER)
        assert sources.CALLS == ["listed"]

    def test_a_change_shows_after_the_interval_read_in_the_background(
        self,
        client: Client,
        clock: Clock,
        source_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        threads: list[str] = []
        listed = sources.listed

        def spy() -> Any:
            threads.append(threading.current_thread().name)
            return listed()

        monkeypatch.setattr(sources, "listed", spy)
        assert granted(client, TENANT)
        source_data["value"] = [OTHER]
        clock.advance(10)
        # The request that finds the check due is answered at once (from the
        # snapshot it found, or the new one if the read was quicker); the
        # source is read in a thread of drf_cors', not by the request.
        client.get("/api/plain-api/", HTTP_ORIGIN=OTHER)
        wait_for_background_read()
        assert granted(client, OTHER)
        assert threads == [threading.current_thread().name, "drf_cors-origins"]

    def test_the_shared_result_serves_a_new_process_without_a_read(
        self, client: Client, clock: Clock
    ) -> None:
        assert granted(client, TENANT)
        conf.clear()  # what a second process starts with: no policy, no source
        assert granted(client, TENANT)
        assert sources.CALLS == ["listed"]


class TestHostMapping:
    @pytest.fixture(autouse=True)
    def mapping(self, source_data: dict[str, Any]) -> Iterator[None]:
        source_data["value"] = {
            "api.tenant-a.example": [TENANT],
            "api.tenant-b.example": [OTHER],
            "*": ["https://every-tenant.example"],
        }
        hosts = ["testserver", "api.tenant-a.example", "api.tenant-b.example"]
        with override_settings(
            REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE), ALLOWED_HOSTS=hosts
        ):
            yield

    @pytest.mark.parametrize(
        "host",
        ["api.tenant-a.example", "API.Tenant-A.example", "api.tenant-a.example:8443"],
        ids=["exact", "upper-case", "with-port"],
    )
    def test_a_host_gets_its_own_origins(self, client: Client, host: str) -> None:
        assert granted(client, TENANT, HTTP_HOST=host)

    def test_a_host_never_gets_another_hosts_origins(self, client: Client) -> None:
        assert not granted(client, OTHER, HTTP_HOST="api.tenant-a.example")

    def test_a_host_without_an_entry_gets_the_static_and_every_host_origins(
        self, client: Client
    ) -> None:
        assert not granted(client, TENANT)  # HTTP_HOST testserver
        assert granted(client, APP)
        assert granted(client, "https://every-tenant.example")

    def test_a_refused_host_gets_nothing_from_the_source_and_no_500(self, client: Client) -> None:
        # Not in ALLOWED_HOSTS: Django refuses it (DisallowedHost); the preflight,
        # answered before CommonMiddleware, is refused, never an error.
        response = client.options(
            "/api/plain-api/", HTTP_HOST="evil.example", **preflight_headers(TENANT, "GET")
        )
        assert refused(response)

    def test_use_x_forwarded_host_decides_the_host(self, client: Client, settings: Any) -> None:
        settings.USE_X_FORWARDED_HOST = True
        assert granted(client, OTHER, HTTP_X_FORWARDED_HOST="api.tenant-b.example")


@pytest.mark.parametrize(
    ("entries", "allowed", "refused"),
    [
        ([TENANT, "https://app.tenant.example/"], [TENANT], ["https://app.tenant.example"]),
        ([TENANT, "null"], [TENANT], ["null"]),
        ([TENANT, "https://*.github.io"], [TENANT], ["https://evil.github.io"]),
        ([TENANT, r"^https://.*\.example$"], [TENANT], ["https://x.example"]),
        ([TENANT, "*"], [TENANT], [OTHER]),
        ([TENANT, 42, None], [TENANT], [OTHER]),
        (["https://*.tenant.example"], ["https://a.tenant.example"], ["https://tenant.example"]),
    ],
    ids=["path", "null", "public-suffix-wildcard", "regex", "star", "not-strings", "wildcard"],
)
def test_entries_the_rules_refuse_are_skipped_the_rest_work(
    client: Client,
    source_data: dict[str, Any],
    entries: list[Any],
    allowed: list[str],
    refused: list[str],
) -> None:
    source_data["value"] = entries
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        assert all(granted(client, origin) for origin in allowed)
        assert not any(granted(client, origin) for origin in refused)


def test_a_skipped_entry_is_logged_once_with_the_checks_wording(
    client: Client, source_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    source_data["value"] = [TENANT, "https://app.tenant.example/"]
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        for _ in range(3):
            granted(client, TENANT)
        drf_cors.refresh_origins()
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1
    assert "drf_cors.E013" in skipped[0].getMessage()
    assert "Write it as 'https://app.tenant.example'" in skipped[0].getMessage()


@pytest.mark.usefixtures("with_source")
class TestFaults:
    def test_a_failing_source_keeps_the_last_good_origins(
        self, client: Client, clock: Clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert granted(client, TENANT)
        sources.FAIL["error"] = RuntimeError("database is down")
        for _ in range(3):
            clock.advance(10)
            assert granted(client, TENANT)
            wait_for_background_read()
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1
        assert "database is down" in errors[0].getMessage()
        assert "serving the last good origins (1 entries)" in errors[0].getMessage()

    def test_recovery_is_logged_at_info(
        self, client: Client, clock: Clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="drf_cors")
        granted(client, TENANT)
        sources.FAIL["error"] = RuntimeError("down")
        drf_cors.refresh_origins()
        sources.FAIL["error"] = None
        drf_cors.refresh_origins()
        assert any(
            r.levelno == logging.INFO and "recovered" in r.getMessage() for r in caplog.records
        )

    def test_a_source_that_never_succeeded_allows_nothing_and_fails_no_request(
        self, client: Client
    ) -> None:
        sources.FAIL["error"] = RuntimeError("down")
        assert not granted(client, TENANT)
        assert granted(client, APP)

    def test_refresh_origins_never_raises(self, client: Client) -> None:
        granted(client, TENANT)
        sources.FAIL["error"] = MemoryError("huge")
        drf_cors.refresh_origins()
        assert granted(client, TENANT)

    @pytest.mark.parametrize(
        "value",
        ["just-a-string", 42, {"api.example": "not-a-list"}],
        ids=["str", "int", "host-str"],
    )
    def test_a_malformed_result_is_an_outage_not_a_500(
        self, client: Client, source_data: dict[str, Any], value: Any
    ) -> None:
        source_data["value"] = value
        assert not granted(client, TENANT)
        assert granted(client, APP)


def test_an_unreachable_cache_reads_the_source_in_process(
    client: Client, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caches = {
        "default": test_settings.CACHES["default"],
        # Nothing listens on port 9 (discard) of loopback: every call fails at once.
        "origins": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    with override_settings(
        CACHES=caches,
        REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE, ORIGINS_CACHE="origins"),
    ):
        for _ in range(3):
            assert granted(client, TENANT)
            clock.advance(10)
            wait_for_background_read()
        assert len(sources.CALLS) == 3  # once per interval, never per request
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "ORIGINS_CACHE 'origins' is unreachable" in errors[0].getMessage()


class TestPolicies:
    def test_a_view_policy_naming_its_origins_drops_the_global_source(self, client: Client) -> None:
        with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
            # /api/configured/ has CorsPolicy(allowed_origins=[...]): one field, replaced.
            response = client.get("/api/configured/", HTTP_ORIGIN=TENANT)
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_a_named_policy_with_its_own_source(self, client: Client) -> None:
        policies = {
            **test_settings.REST_FRAMEWORK["CORS"]["POLICIES"],
            "partners": {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.other"},
        }
        with override_settings(REST_FRAMEWORK=cors(POLICIES=policies)):
            response = client.get("/api/partner/", HTTP_ORIGIN="https://other-source.example")
        assert response.headers["Access-Control-Allow-Origin"] == "https://other-source.example"

    def test_a_source_next_to_allow_all_is_never_read(self, client: Client) -> None:
        with override_settings(
            REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE, ALLOW_ALL_ORIGINS=True)
        ):
            assert (
                client.get("/api/plain-api/", HTTP_ORIGIN=OTHER)["Access-Control-Allow-Origin"]
                == "*"
            )
        assert sources.CALLS == []

    def test_a_source_bound_to_the_policy_that_names_it(self, client: Client) -> None:
        policies = {
            **test_settings.REST_FRAMEWORK["CORS"]["POLICIES"],
            "partners": {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.scoped"},
        }
        with override_settings(
            REST_FRAMEWORK=cors(
                ALLOWED_ORIGINS_SOURCE="tests.testapp.sources.scoped", POLICIES=policies
            )
        ):
            assert granted(client, "https://global.scoped.example")
            partner = client.get("/api/partner/", HTTP_ORIGIN="https://partners.scoped.example")
            assert (
                partner.headers["Access-Control-Allow-Origin"] == "https://partners.scoped.example"
            )
            assert not granted(client, "https://partners.scoped.example")


@override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE))
async def test_under_asgi_the_source_never_runs_on_the_event_loop(
    async_client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool]] = []

    def spy() -> list[str]:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((threading.current_thread().name, on_loop))
        return [TENANT]

    monkeypatch.setattr(sources, "listed", spy)
    for path in ("/api/async-plain/", "/api/async-health/"):
        response = await async_client.get(path, headers={"Origin": TENANT})
        assert response.status_code == 200
    preflight = await async_client.options(
        "/api/async-plain/", headers={"Origin": TENANT, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == TENANT
    assert seen
    assert not any(on_loop for _, on_loop in seen)


def test_the_compiled_policy_matches_the_source_with_the_static_matcher() -> None:
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        policy = conf.compiled(None)
        assert policy.source is not None
        assert policy.allows(TENANT, None)
        snapshot = policy.source.snapshot
        assert snapshot is not None
        assert snapshot.common is not None
        assert TENANT in snapshot.common.exact


class TestReport:
    """``cors_report`` shows a source-backed policy: its source, entries, skipped, read time."""

    def run(self, *args: str) -> str:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("cors_report", *args, stdout=out)
        return out.getvalue()

    def test_json_rows_describe_the_source(self, source_data: dict[str, Any]) -> None:
        import json

        source_data["value"] = [TENANT, OTHER, "https://bad.example/"]
        with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
            rows = json.loads(self.run("--format", "json"))
        (row,) = [r for r in rows if r["path"] == "/api/plain-api/"]
        described = row["origins_source"]
        assert (described["source"], described["entries"], described["skipped"]) == (
            SOURCE,
            2,
            1,
        )
        assert described["read_at"].endswith("+00:00")
        assert described["error"] is None
        configured = [r for r in rows if r["path"] == "/api/configured/"]
        assert all(r["origins_source"] is None for r in configured)  # its own origins only

    def test_table_cell_names_the_source(self) -> None:
        with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
            out = self.run()
        assert f"source:{SOURCE} (1 entries, 0 skipped, read " in out

    def test_a_failing_source_says_so(self) -> None:
        sources.FAIL["error"] = RuntimeError("database is down")
        with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
            out = self.run()
        assert "never read successfully: RuntimeError: database is down" in out


class TestExplain:
    """``cors_explain`` names the source entry, or the missing host key, that decided."""

    @pytest.fixture(autouse=True)
    def mapping(self, source_data: dict[str, Any]) -> Iterator[None]:
        source_data["value"] = {"api.tenant-a.example": ["https://*.tenant-a.example"]}
        with override_settings(
            REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE),
            ALLOWED_HOSTS=["testserver", "api.tenant-a.example", "api.tenant-b.example"],
        ):
            yield

    def explain(self, origin: str, *args: str) -> tuple[str, int]:
        from io import StringIO

        from django.core.management import call_command
        from django.core.management.base import CommandError

        out = StringIO()
        try:
            call_command("cors_explain", origin, "/api/plain-api/", *args, stdout=out)
        except CommandError as error:
            return out.getvalue() + str(error), int(error.returncode)
        return out.getvalue(), 0

    def test_names_the_entry_that_allowed(self) -> None:
        out, code = self.explain("https://app.tenant-a.example", "--host", "api.tenant-a.example")
        assert code == 0
        assert (
            f"Origins source: {SOURCE}, for host 'api.tenant-a.example': allowed by its entry "
            "'https://*.tenant-a.example' (for host 'api.tenant-a.example')."
        ) in out

    def test_names_the_missing_host_key(self) -> None:
        out, code = self.explain("https://app.tenant-a.example", "--host", "api.tenant-b.example")
        assert code == 1
        assert "it has no entry for the host 'api.tenant-b.example'" in out
        assert f"the origins of source {SOURCE}" in out

    def test_says_when_the_source_never_read(self) -> None:
        sources.FAIL["error"] = RuntimeError("database is down")
        out, code = self.explain("https://app.tenant-a.example", "--host", "api.tenant-a.example")
        assert code == 1
        assert "has not been read successfully (RuntimeError: database is down)" in out


@pytest.mark.usefixtures("with_source")
class TestRereads:
    """A read that gives what the last one gave is neither checked nor compiled again."""

    def test_an_unchanged_result_keeps_its_compiled_matchers(self, client: Client) -> None:
        assert granted(client, TENANT)
        (source,) = _sources.known()
        before = source.snapshot
        assert before is not None
        drf_cors.refresh_origins()
        after = source.snapshot
        assert after is not None
        assert (after.version, after.common) == (before.version, before.common)
        assert after.started >= before.started

    def test_a_changed_result_has_a_new_version(
        self, client: Client, source_data: dict[str, Any]
    ) -> None:
        assert granted(client, TENANT)
        (source,) = _sources.known()
        assert source.snapshot is not None
        before = source.snapshot.version
        source_data["value"] = [TENANT, OTHER]
        drf_cors.refresh_origins()
        assert source.snapshot.version != before
        assert granted(client, OTHER)

    def test_processes_look_at_the_small_key_and_fetch_entries_only_when_new(
        self, client: Client, clock: Clock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.core.cache import caches

        asked: list[str] = []

        class Recording:
            def __init__(self, cache: Any) -> None:
                self.cache = cache

            def get(self, key: str) -> Any:
                asked.append(key.rsplit(":", 1)[-1])
                return self.cache.get(key)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.cache, name)

        monkeypatch.setattr(_shared, "_cache", lambda alias: Recording(caches[alias]))
        assert granted(client, TENANT)  # this process reads and publishes
        conf.clear()  # a second process: it lacks the version, fetches the entries
        asked.clear()
        assert granted(client, TENANT)
        assert "entries" in asked
        asked.clear()
        drf_cors.refresh_origins()  # the same data read again: the version does not change
        clock.advance(10)
        assert granted(client, TENANT)
        assert "entries" not in asked  # its look read the small key only


class TestAsyncAdapters:
    """Async views with a source of their own: the look runs in a thread before deciding."""

    @override_settings(ROOT_URLCONF="tests.testapp.urls_sourced")
    @pytest.mark.parametrize("path", ["/api/async-sourced/", "/api/async-sourced-cbv/"])
    async def test_actual_and_preflight_are_granted_from_the_source(
        self, async_client: AsyncClient, path: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        on_loop: list[bool] = []
        listed = sources.listed

        def spy() -> Any:
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:
                on_loop.append(False)
            return listed()

        monkeypatch.setattr(sources, "listed", spy)
        conf.clear()  # this test's policies read the source afresh
        actual = await async_client.get(path, headers={"Origin": TENANT})
        preflight = await async_client.options(
            path, headers={"Origin": TENANT, "Access-Control-Request-Method": "GET"}
        )
        assert actual.headers["Access-Control-Allow-Origin"] == TENANT
        assert preflight.headers["Access-Control-Allow-Origin"] == TENANT
        # Read once, off the loop (or not at all: the shared result of an
        # earlier read in this process may serve it).
        assert on_loop in ([], [False])

    @pytest.mark.usefixtures("with_source")
    async def test_a_due_look_found_on_the_event_loop_is_taken_in_the_background(self) -> None:
        policy = conf.compiled(None)
        # Called on the loop (no async adapter looked first): nothing is read
        # here; the look goes to drf_cors' thread, and a later request has it.
        assert not policy.allows(TENANT, None)
        for _ in range(500):
            if policy.source is not None and policy.source.snapshot is not None:
                break
            await asyncio.sleep(0.01)
        assert policy.allows(TENANT, None)


def test_skipped_entries_are_remembered_only_up_to_a_bound(
    client: Client, source_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    source_data["value"] = [TENANT, *(f"not-an-origin-{i}" for i in range(1200))]
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        assert granted(client, TENANT)
    logged = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(logged) == 1000  # an unbounded memory of bad entries would be a leak
