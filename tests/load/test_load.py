"""Real servers under load: gunicorn (sync, gthread) and uvicorn, loopback only, bounded.

Each run sends a mix of preflights and actual requests from hundreds of
distinct origins, allowed and refused, to credentialed and anonymous routes
and to routes that answer 401, 404, 429 and 500, at concurrency 32, and checks
every response against its own request (``loadgen.check``). Runs stop by
themselves after their request count or :data:`TIME_LIMIT` seconds.

``DRF_CORS_LOAD_REQUESTS`` sets the requests per run (default
:data:`REQUESTS`: 3 sample-project runs of 4,000, and per server kind 4,000
with and 4,000 without drf_cors in the mixed mix, 2,000 and 2,000 with actual
requests only: 48,000 requests, 30,000 of them checked for their CORS headers).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("httpx", reason="the load extra is not installed: pip install -e .[load]")
pytest.importorskip("gunicorn", reason="the load extra is not installed: pip install -e .[load]")
pytest.importorskip("uvicorn", reason="the load extra is not installed: pip install -e .[load]")

from . import loadgen, plan, sample_plan, servers
from .conftest import record

pytestmark = pytest.mark.load

REQUESTS = int(os.environ.get("DRF_CORS_LOAD_REQUESTS", "4000"))
CONCURRENCY = 32
TIME_LIMIT = 300.0
WARMUP = 200

LOAD_PROJECT = servers.App(
    settings="tests.load.loadproject.settings",
    wsgi="tests.load.loadproject.wsgi:application",
    asgi="tests.load.loadproject.asgi:application",
    env={},
)
PLAIN_PROJECT = servers.App(
    settings="tests.load.loadproject.settings_plain",
    wsgi="tests.load.loadproject.wsgi:application",
    asgi="tests.load.loadproject.asgi:application",
    env={},
)


def assert_clean(result: loadgen.RunResult, server: servers.Server) -> None:
    """Every request answered, every answer right, nothing logged at ERROR by drf_cors."""
    assert result.transport_errors == [], result.transport_errors[:10]
    assert result.problems == [], "\n".join(result.problems[:20])
    assert not result.timed_out, f"{result.label} did not finish in {TIME_LIMIT}s"
    assert result.completed == result.planned
    log = server.log_text()
    assert not re.search(r"^LOG (ERROR|CRITICAL) drf_cors", log, re.M), log[-4000:]
    assert "Traceback" not in log, log[-4000:]


@pytest.fixture(scope="session")
def sample_app(load_dir: Path) -> tuple[servers.App, str]:
    """``sample_project`` on a fresh SQLite file: migrated, seeded, with the demo user's token."""
    env = {
        **os.environ,
        "PYTHONPATH": str(servers.ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.load.sample_settings",
        "DEMO_DB": str(load_dir / "sample.sqlite3"),
        "DEMO_DEBUG": "0",
        "DEMO_PAGE_ORIGINS": ",".join(sample_plan.PAGE_ORIGINS),
    }
    manage = [sys.executable, "-m", "django"]
    for args in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([*manage, *args], env=env, cwd=servers.ROOT, check=True, timeout=120)
    out = subprocess.run(
        [*manage, "drf_create_token", "demo"],
        env=env,
        cwd=servers.ROOT,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    token = re.search(r"\b([0-9a-f]{40})\b", out)
    assert token, out
    app_env = {key: env[key] for key in ("DEMO_DB", "DEMO_DEBUG", "DEMO_PAGE_ORIGINS")}
    app = servers.App(
        settings="tests.load.sample_settings",
        wsgi="sample_project.wsgi:application",
        asgi="sample_project.asgi:application",
        env=app_env,
    )
    return app, token.group(1)


@pytest.mark.parametrize("kind", servers.KINDS, ids=servers.KINDS)
def test_sample_project_under_load(
    kind: str, sample_app: tuple[servers.App, str], load_dir: Path
) -> None:
    """The sample project answers every request of the mix right under concurrency 32."""
    app, token = sample_app
    requests = plan.build(
        REQUESTS, target=sample_plan.target(token), seed=servers.KINDS.index(kind)
    )
    with servers.serve(kind, app, load_dir) as server:
        result = loadgen.run(
            f"sample_project {kind}",
            server.url,
            requests,
            concurrency=CONCURRENCY,
            time_limit=TIME_LIMIT,
        )
        record(result.summary(), load_dir)
    assert_clean(result, server)


#: The two mixes compared: the full one, and actual requests only. Without
#: drf_cors a preflight reaches DRF's OPTIONS handler (authentication,
#: permissions, metadata), which costs more than drf_cors' early answer, so
#: only the second shows the cost drf_cors adds to every actual request.
MIXES = {"mixed": 0.3, "actual-only": 0.0}


@pytest.mark.parametrize("mix", list(MIXES), ids=list(MIXES))
@pytest.mark.parametrize("kind", servers.KINDS, ids=servers.KINDS)
def test_requests_per_second_with_and_without_drf_cors(kind: str, mix: str, load_dir: Path) -> None:
    """The same mix, same server kind, same run: with drf_cors, then the project without it.

    Both servers are up at once and take turns in two rounds each, so drift in
    the machine's speed hits both alike. Every response is checked as in the
    other load tests; the figures are only reported, never asserted.
    """
    half = REQUESTS // 4 if mix == "actual-only" else REQUESTS // 2
    share = MIXES[mix]
    with (
        servers.serve(kind, LOAD_PROJECT, load_dir) as with_cors,
        servers.serve(kind, PLAIN_PROJECT, load_dir) as without,
    ):
        for server, cors in ((with_cors, True), (without, False)):
            loadgen.run("warm-up", server.url, plan.build(WARMUP, seed=1, cors=cors))
        rounds: dict[bool, list[loadgen.RunResult]] = {True: [], False: []}
        for round_no in range(2):
            for server, cors in ((with_cors, True), (without, False)):
                label = f"load project {kind} {mix} {'with' if cors else 'without'} drf_cors"
                requests = plan.build(half, seed=100 + round_no, cors=cors, preflights=share)
                rounds[cors].append(
                    loadgen.run(
                        label, server.url, requests, concurrency=CONCURRENCY, time_limit=TIME_LIMIT
                    )
                )
    for cors, results in rounds.items():
        merged = loadgen.merge(results)
        record(merged.summary(), load_dir)
        assert_clean(merged, with_cors if cors else without)
