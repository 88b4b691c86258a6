"""The benchmark command still runs end to end (tiny batches); its structure, never its timings.

Speed is judged by ``python -m benchmarks`` alone: these tests only keep the
script from rotting, so they assert what it reports, not what it measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run
from benchmarks.scenarios import SCENARIOS, Scenario, variants_for


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run over every configuration: two rounds of two requests per cell."""
    path: Path = tmp_path_factory.mktemp("bench") / "results.json"
    code = run.main(["--rounds", "2", "--iterations", "2", "--json", str(path)])
    assert code == 0
    result: dict[str, Any] = json.loads(path.read_text())
    return result


@pytest.fixture(scope="module")
def scenarios(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["scenarios"]}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_scenario_reports_every_variant(
    scenarios: dict[str, dict[str, Any]], scenario: Scenario
) -> None:
    assert set(scenarios[scenario.name]["variants"]) == set(variants_for(scenario))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_cors_variants_report_overhead_and_ratio(
    scenarios: dict[str, dict[str, Any]], scenario: Scenario
) -> None:
    figures = scenarios[scenario.name]["variants"]
    assert all(isinstance(figures[v]["overhead_us"], float) for v in figures if "cors" in v)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_variant_answered_as_the_scenario_expects(
    report: dict[str, Any], scenario: Scenario
) -> None:
    granted = {
        variant: report["checks"][f"{scenario.name}|{variant}"]["acao"] is not None
        for variant in variants_for(scenario)
        if not variant.startswith("baseline")
    }
    assert granted == dict.fromkeys(granted, scenario.granted)


@pytest.mark.parametrize(
    "name",
    [
        "overhead <= 0.5x django-cors-headers",
        "overhead <= 0.1x django-cors-headers",
        "overhead with 10,000 origins within 10% of 3",
        "WSGI preflight costs less than the same GET",
    ],
    ids=["default-size", "1k", "10k-flat", "preflight"],
)
def test_every_target_is_judged(report: dict[str, Any], name: str) -> None:
    judged = [t for t in report["targets"] if t["name"] == name]
    assert judged
    assert all(isinstance(t["passed"], bool) for t in judged)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_printed_table_has_a_row_per_scenario(report: dict[str, Any], scenario: Scenario) -> None:
    assert f"| {scenario.description} |" in report["table"]


def test_printed_table_gives_a_verdict_per_target(report: dict[str, Any]) -> None:
    verdicts = [
        line for line in report["table"].splitlines() if line.endswith(("| PASS |", "| MISS |"))
    ]
    assert len(verdicts) == len(report["targets"])


def test_disagreeing_variants_are_refused() -> None:
    checks = {
        "get-allowed|drf_cors view": {"status": 200, "acao": None, "vary": "Origin"},
        "get-allowed|django-cors-headers": {"status": 200, "acao": "https://x", "vary": "origin"},
    }
    assert run.check_equivalence(checks) == [
        "get-allowed: drf_cors view answered {'status': 200, 'acao': None, 'vary': 'Origin'}"
    ]
