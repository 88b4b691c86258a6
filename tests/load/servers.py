"""Real servers on loopback for the load and fault tests: gunicorn (sync, gthread), uvicorn.

Each server runs in its own process group on ``127.0.0.1`` and a free port,
logs to a file, and is stopped (SIGTERM, then SIGKILL) when its context ends,
whatever happened inside. Nothing listens beyond loopback.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Server kinds: the two gunicorn worker classes people deploy, and uvicorn (ASGI).
KINDS = ("gunicorn-sync", "gunicorn-gthread", "uvicorn")

#: gunicorn's workers: one per core of the 2-core machines the suite runs on.
#: uvicorn runs one process: its event loop serves the concurrency, and with
#: ``--workers`` a supervisor kills a worker that misses a 5-second health
#: check, which a CPU-starved CI machine can make it miss (resetting its
#: connections mid-request).
WORKERS = 2
THREADS = 4
#: Idle keep-alive seconds, well above any pause of the load generator: with
#: gunicorn's 2 s (uvicorn's 5 s) a starved client can send on a connection the
#: server is closing, a transport error that says nothing about CORS.
KEEP_ALIVE = 30
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class App:
    """What to serve: a settings module and the WSGI/ASGI application paths."""

    settings: str
    wsgi: str
    asgi: str
    env: Mapping[str, str]


@dataclass(frozen=True)
class Server:
    kind: str
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def drf_cors_errors(log: str) -> list[str]:
    """Lines of a server log that show drf_cors failing: its ERROR records, its frames."""
    return [
        line
        for line in log.splitlines()
        if re.match(r"LOG (ERROR|CRITICAL) drf_cors", line)
        or re.search(r'File ".*/drf_cors/', line)
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(kind: str, app: App, port: int, extra_args: Sequence[str] = ()) -> list[str]:
    """The server's command line; ``extra_args`` go just before the application path."""
    bind = f"127.0.0.1:{port}"
    extra = list(extra_args)
    if kind == "gunicorn-sync":
        return [
            sys.executable, "-m", "gunicorn", "--bind", bind, "--workers", str(WORKERS),
            "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5",
            "--backlog", "2048", *extra, app.wsgi,
        ]  # fmt: skip
    if kind == "gunicorn-gthread":
        return [
            sys.executable, "-m", "gunicorn", "--bind", bind, "--workers", str(WORKERS),
            "--worker-class", "gthread", "--threads", str(THREADS), "--timeout", "60",
            "--keep-alive", str(KEEP_ALIVE), "--graceful-timeout", "5", "--backlog", "2048",
            *extra, app.wsgi,
        ]  # fmt: skip
    if kind == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", "--log-level", "warning", "--timeout-keep-alive",
            str(KEEP_ALIVE), "--timeout-graceful-shutdown", "5", *extra, app.asgi,
        ]  # fmt: skip
    raise ValueError(f"unknown server kind {kind!r}; use one of {KINDS}")


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the port answers HTTP; fails at once if the server died."""
    deadline = time.monotonic() + START_TIMEOUT
    request = b"GET /__ready__ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(request)
                if sock.recv(16).startswith(b"HTTP/1."):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {START_TIMEOUT}s:\n{log.read_text()}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to its process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serve(kind: str, app: App, log_dir: Path, extra_args: Sequence[str] = ()) -> Iterator[Server]:
    """Serve ``app`` with ``kind`` on loopback until the block ends.

    ``extra_args`` are more options for the server's command line (e.g. gunicorn's
    ``--preload``).
    """
    port = free_port()
    log = log_dir / f"{kind}-{app.settings.rsplit('.', 1)[-1]}-{port}.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": app.settings,
        "PYTHONUNBUFFERED": "1",
        **app.env,
    }
    # Coverage measures this process only; a subprocess must not inherit its
    # settings and write data files of its own.
    env.pop("COVERAGE_PROCESS_START", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command(kind, app, port, extra_args),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, port, log)
        yield Server(kind=kind, host="127.0.0.1", port=port, log=log)
        if process.poll() is not None:
            raise RuntimeError(f"server died during the test:\n{log.read_text()}")
    finally:
        stop_process(process)
