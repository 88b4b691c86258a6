"""Load tests: collect every run's figures, print them at the end, write them as JSON."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import pytest

#: Every load run of this session, in order (filled by ``test_load.py``).
RUNS: list[dict[str, Any]] = []
#: Where the JSON went (set when the first run is recorded).
OUTPUT: list[Path] = []


def record(summary: dict[str, Any], out_dir: Path) -> None:
    RUNS.append(summary)
    path = Path(os.environ.get("DRF_CORS_LOAD_RESULTS", out_dir / "load-results.json"))
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "runs": RUNS,
        "total_requests": sum(run["completed"] for run in RUNS),
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    if not OUTPUT:
        OUTPUT.append(path)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RUNS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("load tests (drf_cors)")
    write(f"{'run':56} {'requests':>8} {'conc':>4} {'seconds':>8} {'req/s':>8} {'5xx':>5}")
    for run in RUNS:
        server_errors = sum(n for status, n in run["statuses"].items() if int(status) >= 500)
        write(
            f"{run['label']:56} {run['completed']:>8} {run['concurrency']:>4} "
            f"{run['seconds']:>8.1f} {run['requests_per_second']:>8.1f} {server_errors:>5}"
        )
    write(f"total requests: {sum(run['completed'] for run in RUNS)}; JSON: {OUTPUT[0]}")


@pytest.fixture(scope="session")
def load_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Server logs and results of this session's load runs."""
    return tmp_path_factory.mktemp("load")
