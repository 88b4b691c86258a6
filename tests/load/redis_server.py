"""A real ``redis-server`` for the tests, on a free loopback port, that a test may stop and restart.

Started from the system package (``/usr/bin/redis-server``; ``.ci/run``
installs it), in a directory of its own, with no persistence (``--save ''
--appendonly no``): a restart comes back empty, as a Redis that lost its
memory does. Bound to ``127.0.0.1`` only, in its own process group, stopped
when the context ends whatever happened inside.

Without the binary the tests that need it are skipped, except under
``CI=true``, where they must run (as ``tests/e2e/conftest.py`` does for
Chromium).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .servers import free_port, stop_process

REDIS_SERVER = "/usr/bin/redis-server"
START_TIMEOUT = 20.0


def binary() -> str | None:
    if Path(REDIS_SERVER).exists():
        return REDIS_SERVER
    return shutil.which("redis-server")


def require() -> str:
    """The ``redis-server`` binary, or skip (fail under ``CI=true``)."""
    found = binary()
    if found is not None:
        return found
    reason = f"{REDIS_SERVER} is not installed (apt-get install -y redis-server)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: the Redis tests must run, but {reason}.")
    pytest.skip(f"Redis tests skipped: {reason}")


def ping(port: int, timeout: float = 1.0) -> bool:
    """Whether a Redis answers ``PING`` on ``127.0.0.1:port`` (raw RESP, no client library)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` on a fixed port: :meth:`stop` and :meth:`start` keep the port."""

    def __init__(self, executable: str, directory: Path) -> None:
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.log = directory / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        #: Each start and stop, as ``(event, time.time())``, for the results.
        self.events: list[tuple[str, float]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        command = [
            self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
            "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not ping(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server not ready after {START_TIMEOUT}s")
            time.sleep(0.05)
        self.events.append(("start", time.time()))

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL): its clients see connections refused."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        stop_process(process)
        self.events.append(("stop", time.time()))

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A running ``redis-server`` until the block ends (skipped without the binary)."""
    directory.mkdir(parents=True, exist_ok=True)
    server = RedisServer(require(), directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
