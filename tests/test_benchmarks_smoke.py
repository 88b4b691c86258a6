"""The benchmark command still runs end to end (tiny batches); its structure, never its timings.

Speed is judged by ``python -m benchmarks`` alone: these tests only keep the
script from rotting, so they assert what it reports, not what it measured.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run, worker
from benchmarks.scenarios import (
    CONFIGS,
    DRF_CORS_VARIANTS,
    KINDS,
    PAIRS,
    SCENARIOS,
    Scenario,
    by_name,
    variants_for,
)

ROOT = Path(__file__).resolve().parent.parent
ADVERSARIAL = [s for s in SCENARIOS if s.kind == "adversarial"]
JUDGED_BY_DCH = [s for s in SCENARIOS if "django-cors-headers" in variants_for(s)]


@pytest.fixture(scope="module")
def report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run over every configuration: two rounds of two requests per cell."""
    path: Path = tmp_path_factory.mktemp("bench") / "results.json"
    code = run.main(["--rounds", "2", "--iterations", "2", "--json", str(path)])
    assert code == 0
    return path


@pytest.fixture(scope="module")
def report(report_path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(report_path.read_text())
    return result


@pytest.fixture(scope="module")
def scenarios(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["scenarios"]}


def targets_of(report: dict[str, Any], name: str, scenario: str) -> dict[str, dict[str, Any]]:
    return {
        t["variant"]: t
        for t in report["targets"]
        if t["name"] == name and t["scenario"] == scenario
    }


# -- the table of scenarios itself -------------------------------------------------


def test_scenario_names_are_unique_and_twins_exist() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    known = by_name()
    for scenario in SCENARIOS:
        assert scenario.kind in KINDS
        assert scenario.config in CONFIGS
        if scenario.beside is not None:
            twin = known[scenario.beside]
            assert twin.interface == scenario.interface
            assert twin.method == scenario.method
            assert twin.beside is None, "a twin is an ordinary request, not another twin"


@pytest.mark.parametrize("scenario", ADVERSARIAL, ids=[s.name for s in ADVERSARIAL])
def test_every_adversarial_scenario_has_an_ordinary_twin(scenario: Scenario) -> None:
    assert scenario.beside is not None
    assert by_name()[scenario.beside].kind == "ordinary"


def test_issue_11_inputs_are_all_measured() -> None:
    """8 KB, 200-label and non-ASCII origins (GET and preflight), 500-name and 8 KB
    request headers with and without ``*``, 1,000 wildcards, 200 regexes, and ASGI
    for at least the 8 KB origin and the 500-name preflight."""
    names = set(by_name())
    for origin in ("8kb-origin", "200-labels", "non-ascii"):
        assert {f"wild-get-{origin}", f"wild-preflight-{origin}"} <= names
    for headers in ("500-headers", "8kb-header"):
        assert {f"preflight-{headers}", f"star-preflight-{headers}"} <= names
    assert {"1kwild-get-last", "1kwild-get-disallowed"} <= names
    assert {"200re-get-last-regex", "200re-get-disallowed"} <= names
    assert {"asgi-wild-get-8kb-origin", "asgi-preflight-500-headers"} <= names
    assert len(CONFIGS["1kwild"].wildcards) == 1000
    assert len(CONFIGS["200re"].regexes) == 200
    assert CONFIGS["star"].allow_headers == ("*",)


def test_django_cors_headers_gets_a_regex_for_every_wildcard() -> None:
    for config in CONFIGS.values():
        assert not any("*" in origin for origin in config.dch_origins)
        assert len(config.dch_regexes) == len(config.regexes) + len(config.wildcards)


def test_the_source_returns_the_10k_origins() -> None:
    config = CONFIGS["source"]
    assert config.source is not None
    module, _, name = config.source.rpartition(".")
    source = getattr(importlib.import_module(module), name)
    assert source() == CONFIGS["10k"].origins


def test_the_worker_swaps_every_cache_it_names() -> None:
    """``use_config`` swaps these private drf_cors caches: if one is renamed, fail here."""
    for module, name in worker.CACHE_NAMES:
        assert isinstance(getattr(importlib.import_module(f"drf_cors.{module}"), name), dict)


def test_pairs_name_cells_that_exist() -> None:
    known = by_name()
    for pair in PAIRS:
        measured, reference = known[pair.scenario], known[pair.reference]
        for variant in DRF_CORS_VARIANTS:
            assert variant in variants_for(measured)
            assert variant + pair.suffix in variants_for(reference)


# -- one run ---------------------------------------------------------------------------


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
    expected = {
        variant: scenario.granted_by_dch if variant == "django-cors-headers" else scenario.granted
        for variant in granted
    }
    assert granted == expected


@pytest.mark.parametrize("name", run.TARGET_NAMES)
def test_every_target_is_judged(report: dict[str, Any], name: str) -> None:
    judged = [t for t in report["targets"] if t["name"] == name]
    assert judged
    for target in judged:
        assert isinstance(target["passed"], bool)
        assert isinstance(target["clear"], bool)
        assert target["verdict"].split()[0] in ("PASS", "MISS")


@pytest.mark.parametrize("scenario", JUDGED_BY_DCH, ids=[s.name for s in JUDGED_BY_DCH])
def test_every_request_next_to_django_cors_headers_is_judged_for_every_variant(
    report: dict[str, Any], scenario: Scenario
) -> None:
    if scenario.method == "GET":
        name = run.T_ACTUAL_1K if scenario.config == "1k" else run.T_ACTUAL
    else:
        name = run.T_PREFLIGHT
    expected = {v for v in run.TARGETED if v in variants_for(scenario)}
    assert set(targets_of(report, name, scenario.name)) == expected


@pytest.mark.parametrize("scenario", ADVERSARIAL, ids=[s.name for s in ADVERSARIAL])
def test_every_adversarial_scenario_is_judged_against_its_twin(
    report: dict[str, Any], scenario: Scenario
) -> None:
    judged = targets_of(report, run.T_ADVERSARIAL, scenario.name)
    assert set(judged) == {v for v in run.TARGETED if v in variants_for(scenario)}
    assert all(str(scenario.beside) in t["limit"] for t in judged.values())
    assert set(report["beside_ordinary"][scenario.name]) >= set(judged)


def test_regex_cells_report_the_engine_not_a_verdict(report: dict[str, Any]) -> None:
    regex = {s.name for s in SCENARIOS if s.kind == "regex"}
    assert regex
    assert not [
        t for t in report["targets"] if t["name"] == run.T_ADVERSARIAL and t["scenario"] in regex
    ]
    rows = [r for r in report["regexes"] if r["scenario"] in regex]
    assert {(r["scenario"], r["variant"]) for r in rows} == {
        (name, v) for name in regex for v in ("django-cors-headers", *DRF_CORS_VARIANTS)
    }
    assert all(r["engine_combined_us"] > 0 and r["engine_one_by_one_us"] > 0 for r in rows)


def test_source_rows_pair_against_listed_and_no_source(report: dict[str, Any]) -> None:
    rows = report["source"]
    sources = {s.name for s in SCENARIOS if s.kind == "source"}
    assert {(r["scenario"], r["variant"]) for r in rows} == {
        (name, v) for name in sources for v in DRF_CORS_VARIANTS
    }
    for row in rows:
        assert isinstance(row["vs_static_us"], float)
        assert isinstance(row["vs_none_us"], float)
        assert row["refresh_cycle_ms"] > 0  # the source really was read again
        assert row["refresh_s"] == 10
    for name in (run.T_SOURCE_STATIC, run.T_SOURCE_NONE):
        for scenario in sources:
            assert set(targets_of(report, name, scenario)) == set(run.TARGETED)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_printed_table_has_a_row_per_scenario(report: dict[str, Any], scenario: Scenario) -> None:
    mark = "↳ " if scenario.beside else ""
    assert f"| {mark}{scenario.description} |" in report["table"]


def test_printed_table_gives_a_verdict_per_target(report: dict[str, Any]) -> None:
    rows = [line for line in report["table"].splitlines() if line.startswith("| ")]
    for target in report["targets"]:
        row = next(
            (
                line
                for line in rows
                if line.startswith(f"| {target['name']} | {target['scenario']} |")
            ),
            None,
        )
        assert row is not None, target
        assert target["verdict"] in row
    verdicts = sum(line.count(" PASS") + line.count(" MISS") for line in rows)
    assert verdicts == len(report["targets"])


def test_every_round_is_kept_and_a_saved_run_is_judged_again_alike(
    report: dict[str, Any], report_path: Path, tmp_path: Path
) -> None:
    assert all(len(values) == 2 for values in report["rounds"].values())
    assert "@source|refresh cycle" in report["rounds"]
    again = tmp_path / "again.json"
    assert run.main(["--rejudge", str(report_path), "--json", str(again)]) == 0
    rejudged = json.loads(again.read_text())
    assert rejudged["targets"] == report["targets"]
    assert rejudged["table"] == report["table"]


def test_long_request_headers_are_written_by_size(scenarios: dict[str, dict[str, Any]]) -> None:
    written = scenarios["wild-get-8kb-origin"]["request_headers"]["Origin"]
    assert written.startswith("<8192 characters")


def test_disagreeing_variants_are_refused() -> None:
    checks = {
        "get-allowed|drf_cors view": {"status": 200, "acao": None, "vary": "Origin"},
        "get-allowed|django-cors-headers": {"status": 200, "acao": "https://x", "vary": "origin"},
    }
    assert run.check_equivalence(checks) == [
        "get-allowed: drf_cors view answered {'status': 200, 'acao': None, 'vary': 'Origin'}"
    ]


def test_drf_cors_variants_answering_apart_are_refused() -> None:
    granted = {"status": 200, "acao": "https://www.example.com", "vary": "Origin", "acah": None}
    checks = {
        "get-allowed|drf_cors middleware": granted,
        "get-allowed|drf_cors view": {**granted, "vary": "Accept, Origin"},
    }
    [problem] = run.check_equivalence(checks)
    assert problem.startswith("get-allowed: the drf_cors variants answered apart")


def test_answers_that_depend_on_the_order_are_refused() -> None:
    [problem] = run.check_equivalence({}, ["get-allowed|drf_cors middleware"])
    assert "answered otherwise after other configurations" in problem


def test_the_confidence_interval_of_a_median() -> None:
    assert run.median_ci(list(range(1, 42))) == (21, 14, 28)
    assert run.median_ci([3.0, 1.0]) == (2.0, 1.0, 3.0)  # too few rounds: the whole range


def test_a_verdict_says_when_the_noise_could_decide_it() -> None:
    clear = run._target("t", "s", "v", [0.1, 0.2, 0.2, 0.2, 0.3], (-1, 0.5), "", "x")
    close = run._target("t", "s", "v", [0.1, 0.4, 0.45, 0.5, 0.9], (-1, 0.5), "", "x")
    assert (clear.verdict, close.verdict) == ("PASS", "PASS (within noise)")


@pytest.mark.parametrize(
    ("scenario", "variant", "tool"),
    [
        ("wild-get-8kb-origin", "drf_cors middleware", "--pyinstrument"),
        ("source-last", "drf_cors view", "--limit=3"),
        ("asgi-preflight-500-headers", "drf_cors function", "--limit=3"),
        ("200re-get-last-regex", "django-cors-headers", "--limit=3"),
    ],
)
def test_profile_runs_on_the_new_scenarios(scenario: str, variant: str, tool: str) -> None:
    if tool == "--pyinstrument":
        pytest.importorskip("pyinstrument")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.profile", scenario, variant, "-n", "3", tool],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Cell.run" in done.stdout or "function calls" in done.stdout
