"""The sample project's settings pass drf_cors' system checks, as ``check --deploy`` runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "check",
    ["check_settings", "check_middleware", "check_views"],
    ids=["settings", "middleware", "views"],
)
def test_sample_settings_pass_the_cors_check(check: str) -> None:
    from drf_cors import checks as cors_checks

    assert getattr(cors_checks, check)() == []


def test_sample_routes_pass_every_security_check_of_drf_cors() -> None:
    messages = checks.run_checks(tags=[checks.Tags.security])
    assert [m.id for m in messages if (m.id or "").startswith("drf_cors.")] == []


def test_manage_py_check_deploy_reports_nothing_from_drf_cors(tmp_path: Path) -> None:
    """The real ``manage.py check --deploy``, in its own process with the sample's settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sample_project.settings",
        "DEMO_DB": str(tmp_path / "db.sqlite3"),
        "DEMO_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "sample_project/manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, "drf_cors." in result.stdout + result.stderr) == (0, False)
