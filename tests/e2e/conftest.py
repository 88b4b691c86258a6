"""Real servers and a real browser for the end-to-end tests.

The sample project runs in its own process (``manage.py runserver``) on a
throwaway SQLite file; the demo page is served by its stdlib server from two
origins: ``http://localhost:<port>``, which the API's policies list, and
``http://127.0.0.1:<port>``, which they do not. Ports are free loopback ports;
every process is stopped by the fixture that started it.

Without ``/usr/bin/chromium`` (or Playwright) the tests are skipped, except
under ``CI=true``, where ``.ci/run`` installs Chromium and they must run.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: What Chromium needs on this machine; the resolver rules keep it on loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
STARTUP_SECONDS = 60


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[browser]')"
    return None


@pytest.fixture(scope="package")
def chromium_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: the browser tests must run, but {reason}.")
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Demo:
    api: str
    listed_page: str
    unlisted_page: str
    logs: Path
    #: The API server's process: the same one from start to end (no restart).
    api_process: subprocess.Popen[bytes]


class _Process:
    """A server process writing to a log file; stopped and reaped on exit."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def _wait_until_up(url: str, process: _Process) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            pytest.fail(f"{process.name} exited early:\n{process.output()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"{process.name} did not answer {url} in {STARTUP_SECONDS}s:\n{process.output()}")


@pytest.fixture(scope="package")
def demo(chromium_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The sample API and the demo page, as ``scripts/demo`` serves them, on free ports."""
    logs = tmp_path_factory.mktemp("e2e")
    api_port, page_port, other_port = _free_port(), _free_port(), _free_port()
    api = f"http://localhost:{api_port}"
    listed, unlisted = f"http://localhost:{page_port}", f"http://127.0.0.1:{other_port}"
    env = {
        **os.environ,
        # pytest-django exported the suite's settings; the sample has its own.
        "DJANGO_SETTINGS_MODULE": "sample_project.settings",
        "DEMO_DB": str(logs / "demo.sqlite3"),
        "DEMO_PAGE_ORIGINS": listed,
        "DEMO_PAGE_QUIET": "1",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(ROOT / "sample_project" / "manage.py")]
    for command in (["migrate", "--noinput", "--verbosity", "0"], ["seed_demo"]):
        done = subprocess.run([*manage, *command], cwd=ROOT, env=env, capture_output=True)
        if done.returncode != 0:
            pytest.fail(f"manage.py {command[0]} failed:\n{done.stdout!r}\n{done.stderr!r}")
    servers = [
        _Process("api", [*manage, "runserver", "--noreload", f"127.0.0.1:{api_port}"], env, logs)
    ]
    try:
        page_server = str(ROOT / "sample_project" / "frontend" / "serve.py")
        servers.append(
            _Process(
                "page",
                [
                    sys.executable,
                    page_server,
                    "--api",
                    api,
                    "--listen",
                    f"localhost:{page_port}",
                    "--listen",
                    f"127.0.0.1:{other_port}",
                ],
                env,
                logs,
            )
        )
        _wait_until_up(f"{api}/api/health/", servers[0])
        _wait_until_up(f"{listed}/config.js", servers[1])
        _wait_until_up(f"{unlisted}/config.js", servers[1])
        yield Demo(
            api=api,
            listed_page=listed,
            unlisted_page=unlisted,
            logs=logs,
            api_process=servers[0].proc,
        )
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="package")
def browser(chromium_ready: None) -> Iterator[Any]:
    # Package scope, not session: Playwright's sync API keeps an event loop
    # running in this thread until it stops, and the suite's async tests need
    # the thread to themselves.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass(frozen=True)
class PageRun:
    """What the demo page recorded (``window.demoResults``) and showed."""

    results: dict[str, dict[str, Any]]
    summary: str
    mismatches: int
    rows: int


def run_page(browser: Any, url: str) -> PageRun:
    # A fresh context per origin: no cookie from one run leaks into another.
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-state=done]", timeout=60_000)
        return PageRun(
            results=page.evaluate("window.demoResults"),
            summary=page.inner_text("#summary"),
            mismatches=page.locator("td.expect.mismatch").count(),
            rows=page.locator("#calls tbody tr").count(),
        )
    finally:
        context.close()


@pytest.fixture(scope="package")
def listed_run(demo: Demo, browser: Any) -> PageRun:
    """The page from the origin the API lists, run once for all the browser tests."""
    return run_page(browser, demo.listed_page + "/")


@pytest.fixture(scope="package")
def unlisted_run(demo: Demo, browser: Any, listed_run: PageRun) -> PageRun:
    """The page from an origin the API does not list (after ``listed_run``: fixed order)."""
    return run_page(browser, demo.unlisted_page + "/")
