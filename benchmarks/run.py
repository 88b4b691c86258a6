"""Drive the worker in interleaved rounds; judge the targets; print the tables; write the JSON.

    python -m benchmarks [--rounds 41] [--batch-ms 20] [--json benchmarks/results.json]

One worker process holds every configuration (``scenarios.CONFIGS``) and
variant. In each round it times one batch per (scenario, variant): groups
of scenarios (a request with the requests judged against it) in a shuffled
order, a group's cells side by side in slices, so the machine's drift hits
every variant alike; then request pairs for the differences batches cannot
resolve (``scenarios.PAIRS``). Time is the worker's CPU time unless
``--clock wall``. Reported per scenario and variant: the median µs per
request, the overhead over the variant's floor (the median over rounds of
the paired difference with the floor's batch of the same round), and the
ratio overhead(drf_cors) / overhead(django-cors-headers).

Targets are judged on figures measured side by side, round by round: each
target's value is computed in every round, the verdict is the median's, and
the 95% confidence interval of that median (distribution-free, from the
rounds' order statistics) says whether the run's own noise could decide it
otherwise ("within noise"). The per-round figures are kept in the JSON
(``rounds``): ``python -m benchmarks --rejudge benchmarks/results.json``
judges and prints a saved run again without measuring.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from .scenarios import (
    ADVERSARIAL_LIMIT,
    CONFIGS,
    CORS_VARIANTS,
    DRF_CORS_VARIANTS,
    PAIRS,
    REFERENCE_SUFFIX,
    SCENARIOS,
    SOURCE_REFRESH_S,
    Scenario,
    by_name,
    variants_for,
)

ROOT = Path(__file__).resolve().parent.parent
DCH = "django-cors-headers"
#: Variants the targets apply to (issue 11: "middleware, view and function").
TARGETED = DRF_CORS_VARIANTS
#: Where the worker's round puts the source's refresh cycle (``worker.SOURCE_REFRESH_KEY``).
REFRESH = ("@source", "refresh cycle")

#: Target names, as the JSON and the tests know them.
T_ACTUAL = "overhead <= 0.3x django-cors-headers'"
T_ACTUAL_1K = "overhead <= 0.1x django-cors-headers'"
T_PREFLIGHT = "preflight cost <= django-cors-headers'"
T_ADVERSARIAL = f"cost <= {ADVERSARIAL_LIMIT}x the ordinary request"
T_FLAT = "overhead with 10,000 origins within 10% of 3"
T_SOURCE_STATIC = "source: overhead within 10% of the same origins listed"
T_SOURCE_NONE = "source: at most 1 µs more than no source"
T_PREFLIGHT_GET = "preflight costs less than the same GET"
TARGET_NAMES = (
    T_ACTUAL,
    T_ACTUAL_1K,
    T_PREFLIGHT,
    T_ADVERSARIAL,
    T_FLAT,
    T_SOURCE_STATIC,
    T_SOURCE_NONE,
    T_PREFLIGHT_GET,
)


class Worker:
    def __init__(self, configs: list[str], args: argparse.Namespace) -> None:
        command = [
            sys.executable,
            "-m",
            "benchmarks.worker",
            *configs,
            "--batch-ms",
            str(args.batch_ms),
        ]
        command += ["--clock", args.clock, "--slices", str(args.slices)]
        if args.iterations:
            command += ["--iterations", str(args.iterations)]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.configs = configs
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise SystemExit(f"benchmark worker {self.configs} exited with {code}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, command: dict[str, Any]) -> None:
        stdin: IO[str] | None = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()

    def round(self, seed: int) -> dict[str, float]:
        self.send({"cmd": "round", "seed": seed})
        times: dict[str, float] = self._read()["times"]
        return times

    def close(self) -> None:
        if self.process.poll() is None:
            self.send({"cmd": "quit"})
        # communicate() closes both pipes and reaps the process.
        self.process.communicate(timeout=60)


def check_equivalence(checks: dict[str, dict[str, Any]], unstable: Sequence[str] = ()) -> list[str]:
    """Every variant must grant exactly what the scenario says, or timing is moot.

    drf_cors variants must give identical answers (status, headers) to each
    other; django-cors-headers must grant what ``Scenario.granted_by_dch``
    says (it differs on purpose where it never reads the request headers).
    """
    problems = [
        f"{key}: answered otherwise after other configurations ran (a drf_cors cache "
        "that worker.use_config does not swap?)"
        for key in unstable
    ]
    for scenario in SCENARIOS:
        answers: dict[str, dict[str, Any]] = {}
        for variant in variants_for(scenario):
            seen = checks.get(f"{scenario.name}|{variant}")
            if seen is None:
                continue
            if variant.startswith("baseline"):
                if seen["acao"] is not None:
                    problems.append(f"{scenario.name}: {variant} sent CORS headers")
                continue
            expected = scenario.granted_by_dch if variant == DCH else scenario.granted
            if (seen["acao"] is not None) != expected:
                problems.append(f"{scenario.name}: {variant} answered {seen}")
            if "origin" not in (seen["vary"] or "").lower():
                problems.append(f"{scenario.name}: {variant} did not vary on Origin")
            if variant != DCH:
                answers[variant] = seen
        if len({json.dumps(a, sort_keys=True) for a in answers.values()}) > 1:
            problems.append(f"{scenario.name}: the drf_cors variants answered apart: {answers}")
        if scenario.method == "OPTIONS" and scenario.granted:
            problems += [
                f"{scenario.name}: {v} granted the preflight with status {a['status']}"
                for v, a in answers.items()
                if a["status"] != 200
            ]
    return problems


def median_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """``(median, low, high)``: the median and its distribution-free confidence interval.

    The interval runs between order statistics chosen from the binomial
    distribution (the sign-test interval): with 41 rounds, the 14th to the
    28th value. Below 6 rounds no such interval reaches 95%: then the whole
    range is given.
    """
    ordered = sorted(values)
    n = len(ordered)
    middle = statistics.median(ordered)
    alpha = (1 - confidence) / 2
    k, tail = 0, 0.0
    while k < n // 2:
        p = math.comb(n, k) / 2**n
        if tail + p > alpha:
            break
        tail += p
        k += 1
    if k == 0:
        return middle, ordered[0], ordered[-1]
    return middle, ordered[k - 1], ordered[n - k]


@dataclass
class Figure:
    us: float
    overhead_us: float | None = None
    ratio: float | None = None
    #: For a 10,000-origin variant: its cost minus the same variant's with 3
    #: origins (requests served in turn, compared pair by pair; the median
    #: over rounds of each round's median), in µs, and that as a fraction of
    #: the 3-origin overhead.
    vs_3_us: float | None = None
    vs_3: float | None = None


Samples = dict[str, dict[str, list[float]]]


def summarise(samples: Samples) -> dict[str, dict[str, Figure]]:
    table: dict[str, dict[str, Figure]] = {}
    for scenario in SCENARIOS:
        cells = samples.get(scenario.name)
        if not cells:
            continue
        row: dict[str, Figure] = {}
        for variant, floor in variants_for(scenario).items():
            figure = Figure(statistics.median(cells[variant]) / 1000)
            if floor is not None:
                paired = [v - b for v, b in zip(cells[variant], cells[floor], strict=True)]
                figure.overhead_us = statistics.median(paired) / 1000
            row[variant] = figure
        reference = row[DCH].overhead_us if DCH in row else None
        for variant, figure in row.items():
            if variant.startswith("drf_cors") and figure.overhead_us is not None and reference:
                figure.ratio = figure.overhead_us / reference
            small = variant + REFERENCE_SUFFIX
            if small in row and variant + "|vs3" in cells:
                # Each round's figure is already a median of request pairs.
                figure.vs_3_us = statistics.median(cells[variant + "|vs3"]) / 1000
                base = row[small].overhead_us
                figure.vs_3 = figure.vs_3_us / base if base and base > 0 else None
        table[scenario.name] = row
    return table


@dataclass
class Target:
    name: str
    scenario: str
    variant: str
    #: The median over rounds of the per-round value, and its 95% interval.
    value: float | None
    low: float | None
    high: float | None
    limit: str
    passed: bool
    #: Whether the whole interval lies on the verdict's side of the limit;
    #: ``False``: the run's noise could have decided it otherwise.
    clear: bool
    #: "x" (a ratio), "%" (a relative change) or "µs".
    unit: str

    @property
    def verdict(self) -> str:
        text = "PASS" if self.passed else "MISS"
        return text if self.clear else f"{text} (within noise)"


def _target(
    name: str,
    scenario: str,
    variant: str,
    per_round: Sequence[float],
    bounds: tuple[float, float],
    limit: str,
    unit: str,
) -> Target:
    middle, low, high = median_ci(per_round)
    lowest, highest = bounds
    passed = lowest <= middle <= highest
    # Clear: the whole interval lies on the verdict's side of the limit.
    inside = lowest <= low and high <= highest
    outside = high < lowest or low > highest
    clear = inside if passed else outside
    return Target(name, scenario, variant, middle, low, high, limit, passed, clear, unit)


def _ratios(mine: Sequence[float], theirs: Sequence[float]) -> list[float]:
    return [m / t if t > 0 else math.inf for m, t in zip(mine, theirs, strict=True)]


class Rounds:
    """Per-round figures of one run, by scenario and variant (ns)."""

    def __init__(self, samples: Samples) -> None:
        self.samples = samples
        self.scenarios = by_name()

    def has(self, scenario: str, key: str) -> bool:
        return key in self.samples.get(scenario, {})

    def cost(self, scenario: str, key: str) -> list[float]:
        return self.samples[scenario][key]

    def overhead(self, scenario: str, variant: str) -> list[float]:
        floor = variants_for(self.scenarios[scenario])[variant]
        assert floor is not None
        cost, base = self.cost(scenario, variant), self.cost(scenario, floor)
        return [c - b for c, b in zip(cost, base, strict=True)]

    def refresh(self) -> list[float] | None:
        return self.samples.get(REFRESH[0], {}).get(REFRESH[1])

    def amortised(self, scenario: str, variant: str) -> list[float]:
        """The source's refresh cycle per request, for a process serving flat out (ns).

        A process checks once per ``ORIGINS_REFRESH`` whatever its load, and
        with a per-process cache (``ORIGINS_CACHE`` on locmem, as here) reads
        the source itself each time: ``cycle / (R / cost of one request)``
        per request at full load, and more per request at any lighter load
        (the same cycle shared by fewer requests). With a shared cache, one
        process of all reads; the others pay only the look.
        """
        refresh = self.refresh()
        assert refresh is not None
        period_ns = SOURCE_REFRESH_S * 1e9
        return [
            cycle * cost / period_ns
            for cycle, cost in zip(refresh, self.cost(scenario, variant), strict=True)
        ]


def judge(samples: Samples) -> list[Target]:
    rounds = Rounds(samples)
    targets: list[Target] = []
    for scenario in SCENARIOS:
        if scenario.name not in samples:
            continue
        variants = [v for v in TARGETED if v in variants_for(scenario)]
        if DCH in variants_for(scenario):
            for variant in variants:
                if scenario.method == "GET":
                    limit = 0.1 if scenario.config == "1k" else 0.3
                    mine = rounds.overhead(scenario.name, variant)
                    theirs = rounds.overhead(scenario.name, DCH)
                    targets.append(
                        _target(
                            T_ACTUAL_1K if scenario.config == "1k" else T_ACTUAL,
                            scenario.name,
                            variant,
                            _ratios(mine, theirs),
                            (-math.inf, limit),
                            f"<= {limit}x",
                            "x",
                        )
                    )
                else:
                    # A preflight answer replaces the view: both libraries can
                    # cost less than the floor, so the costs are compared.
                    targets.append(
                        _target(
                            T_PREFLIGHT,
                            scenario.name,
                            variant,
                            _ratios(
                                rounds.cost(scenario.name, variant), rounds.cost(scenario.name, DCH)
                            ),
                            (-math.inf, 1.0),
                            "cost <= 1.0x theirs",
                            "x",
                        )
                    )
        twin = scenario.beside
        if scenario.kind == "adversarial" and twin is not None and twin in samples:
            for variant in variants:
                targets.append(
                    _target(
                        T_ADVERSARIAL,
                        scenario.name,
                        variant,
                        _ratios(rounds.cost(scenario.name, variant), rounds.cost(twin, variant)),
                        (-math.inf, ADVERSARIAL_LIMIT),
                        f"cost <= {ADVERSARIAL_LIMIT}x {twin}",
                        "x",
                    )
                )
    for pair in PAIRS:
        kind = rounds.scenarios[pair.scenario].kind
        for variant in TARGETED:
            key = f"{variant}|{pair.label}"
            if not rounds.has(pair.scenario, key):
                continue
            difference = rounds.cost(pair.scenario, key)
            # "Within 10%" is the pairs' difference over the run's median
            # overhead of the reference: a scale, not a second measurement
            # (one batch's overhead of a few µs is far noisier than a
            # median of request pairs, and would decide the interval).
            scale = statistics.median(rounds.overhead(pair.reference, variant + pair.suffix))
            base = [scale] * len(difference)
            if kind != "source":
                targets.append(
                    _target(
                        T_FLAT,
                        pair.scenario,
                        variant,
                        _ratios(difference, base),
                        (-0.10, 0.10),
                        "within ±10%",
                        "%",
                    )
                )
                continue
            if rounds.refresh() is None:
                continue
            amortised = rounds.amortised(pair.scenario, variant)
            total = [d + a for d, a in zip(difference, amortised, strict=True)]
            if pair.label == "vs static":
                targets.append(
                    _target(
                        T_SOURCE_STATIC,
                        pair.scenario,
                        variant,
                        _ratios(total, base),
                        (-0.10, 0.10),
                        "within ±10% (refresh included)",
                        "%",
                    )
                )
            else:
                targets.append(
                    _target(
                        T_SOURCE_NONE,
                        pair.scenario,
                        variant,
                        [t / 1000 for t in total],
                        (-math.inf, 1.0),
                        "<= +1.0 µs (refresh included)",
                        "µs",
                    )
                )
    for prefix in ("", "asgi-"):
        pre, get = f"{prefix}preflight-allowed", f"{prefix}get-allowed"
        if pre not in samples or get not in samples:
            continue
        for variant in variants_for(rounds.scenarios[pre]):
            if variant.startswith("drf_cors"):
                targets.append(
                    _target(
                        T_PREFLIGHT_GET,
                        pre,
                        variant,
                        _ratios(rounds.cost(pre, variant), rounds.cost(get, variant)),
                        (-math.inf, 1.0),
                        "cost < 1.0x the GET",
                        "x",
                    )
                )
    return targets


def twin_ratios(samples: Samples) -> dict[str, dict[str, tuple[float, float, float]]]:
    """For adversarial and regex scenarios: cost / the twin's cost, per variant (median, 95% CI)."""
    rounds = Rounds(samples)
    result: dict[str, dict[str, tuple[float, float, float]]] = {}
    for scenario in SCENARIOS:
        twin = scenario.beside
        if scenario.kind not in ("adversarial", "regex") or twin is None:
            continue
        if scenario.name not in samples or twin not in samples:
            continue
        result[scenario.name] = {
            variant: median_ci(
                _ratios(rounds.cost(scenario.name, variant), rounds.cost(twin, variant))
            )
            for variant in variants_for(scenario)
            if rounds.has(twin, variant)
        }
    return result


def regex_report(samples: Samples) -> list[dict[str, Any]]:
    """Regex cells: their cost, what they cost over their twin, and the regex engine's own time."""
    rounds = Rounds(samples)
    rows: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        twin = scenario.beside
        if scenario.kind != "regex" or twin is None or scenario.name not in samples:
            continue
        if twin not in samples:
            continue
        cells = samples[scenario.name]
        combined = statistics.median(cells["regex engine|combined"]) / 1000
        one_by_one = statistics.median(cells["regex engine|one by one"]) / 1000
        for variant in (DCH, *DRF_CORS_VARIANTS):
            extra, low, high = median_ci(
                [a - b for a, b in zip(cells[variant], rounds.cost(twin, variant), strict=True)]
            )
            rows.append(
                {
                    "scenario": scenario.name,
                    "twin": twin,
                    "variant": variant,
                    "us": statistics.median(cells[variant]) / 1000,
                    "twin_us": statistics.median(rounds.cost(twin, variant)) / 1000,
                    "extra_us": extra / 1000,
                    "extra_low_us": low / 1000,
                    "extra_high_us": high / 1000,
                    "engine_combined_us": combined,
                    "engine_one_by_one_us": one_by_one,
                }
            )
    return rows


def source_report(samples: Samples) -> list[dict[str, Any]]:
    """Source cells: request pairs against the same origins listed and against no source."""
    rounds = Rounds(samples)
    refresh = rounds.refresh()
    rows: list[dict[str, Any]] = []
    if refresh is None:
        return rows
    for scenario in SCENARIOS:
        if scenario.kind != "source" or scenario.name not in samples:
            continue
        for variant in DRF_CORS_VARIANTS:
            row: dict[str, Any] = {
                "scenario": scenario.name,
                "variant": variant,
                "overhead_us": statistics.median(rounds.overhead(scenario.name, variant)) / 1000,
                "refresh_cycle_ms": statistics.median(refresh) / 1e6,
                "refresh_s": SOURCE_REFRESH_S,
                "amortised_us": statistics.median(rounds.amortised(scenario.name, variant)) / 1000,
            }
            for label in ("vs static", "vs none"):
                key = f"{variant}|{label}"
                if rounds.has(scenario.name, key):
                    middle, low, high = median_ci(rounds.cost(scenario.name, key))
                    slug = label.replace(" ", "_")
                    row[f"{slug}_us"] = middle / 1000
                    row[f"{slug}_low_us"] = low / 1000
                    row[f"{slug}_high_us"] = high / 1000
            rows.append(row)
    return rows


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("Django", "djangorestframework", "django-cors-headers", "drf-cors"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
    }


def _fmt_overhead(figure: Figure) -> str:
    if figure.overhead_us is None:
        return ""
    text = f"{figure.overhead_us:+.1f}"
    if figure.ratio is not None:
        text += f" ({figure.ratio:.2f}x)"
    return text


def _fmt(value: float | None, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "%":
        return f"{value:+.1%}"
    if unit == "µs":
        return f"{value:+.2f} µs"
    return f"{value:.2f}x"


def _fmt_ci(figures: tuple[float, float, float], unit: str = "x") -> str:
    middle, low, high = figures
    return f"{_fmt(middle, unit)} [{_fmt(low, unit)}, {_fmt(high, unit)}]"


def _main_table(table: dict[str, dict[str, Figure]]) -> list[str]:
    scenarios = by_name()
    variants = ["baseline", "baseline-fn", *CORS_VARIANTS]
    lines = [
        "µs/request (median); in brackets: overhead over the floor in µs "
        "(baseline; baseline-fn for the function variant) and the ratio "
        "overhead(drf_cors) / overhead(django-cors-headers). A row marked ↳ is "
        "judged against the unmarked row above it (its ordinary twin).",
        "",
        "| scenario | " + " | ".join(variants) + " |",
        "| --- |" + " ---: |" * len(variants),
    ]
    for name, row in table.items():
        cells = []
        for variant in variants:
            figure = row.get(variant)
            if figure is None:
                cells.append("-")
            elif figure.overhead_us is None:
                cells.append(f"{figure.us:.1f}")
            else:
                cells.append(f"{figure.us:.1f} ({_fmt_overhead(figure)})")
        scenario = scenarios[name]
        mark = "↳ " if scenario.beside and scenario.beside in table else ""
        lines.append(f"| {mark}{scenario.description} | " + " | ".join(cells) + " |")
    return lines


def _twin_table(ratios: dict[str, dict[str, tuple[float, float, float]]]) -> list[str]:
    if not ratios:
        return []
    scenarios = by_name()
    variants = ["baseline", "baseline-fn", *CORS_VARIANTS]
    lines = [
        "",
        "Adversarial input, configuration size and regexes, next to the ordinary request "
        "(cost / the ordinary request's cost, median over rounds [95% interval]; "
        f"the drf_cors target is <= {ADVERSARIAL_LIMIT}x, regex rows are not judged):",
        "",
        "| scenario | ordinary request | " + " | ".join(variants) + " |",
        "| --- | --- |" + " ---: |" * len(variants),
    ]
    for name, row in ratios.items():
        cells = [_fmt_ci(row[v]) if v in row else "-" for v in variants]
        lines.append(f"| {name} | {scenarios[name].beside} | " + " | ".join(cells) + " |")
    return lines


def _regex_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    lines = [
        "",
        "Regexes: what the 200-regex requests cost over the same request with 3 listed "
        "origins, and how much of that the regex engine alone takes on the same origin "
        "(one fullmatch of the alternation of all 200, as drf_cors combines them; re.match "
        "per regex, django-cors-headers' loop):",
        "",
        "| scenario | variant | µs | ordinary µs | extra µs [95%] | engine: combined | "
        "engine: one by one |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['scenario']} | {row['variant']} | {row['us']:.1f} | {row['twin_us']:.1f} | "
            f"{row['extra_us']:+.1f} [{row['extra_low_us']:+.1f}, {row['extra_high_us']:+.1f}] | "
            f"{row['engine_combined_us']:.1f} | {row['engine_one_by_one_us']:.1f} |"
        )
    return lines


def _flat_table(table: dict[str, dict[str, Figure]]) -> list[str]:
    flat = [
        (name, variant, figure)
        for name, row in table.items()
        for variant, figure in row.items()
        if figure.vs_3_us is not None
    ]
    if not flat:
        return []
    lines = [
        "",
        "The same request with 10,000 origins and with 3 of them (request pairs, one process):",
        "",
        "| scenario | variant | overhead, 3 origins | overhead, 10,000 | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, variant, figure in flat:
        small = table[name][variant + REFERENCE_SUFFIX].overhead_us or 0.0
        change = f"{figure.vs_3:+.0%}" if figure.vs_3 is not None else "n/a"
        lines.append(
            f"| {name} | {variant} | {small:+.1f} | {figure.overhead_us or 0.0:+.1f} | "
            f"{figure.vs_3_us:+.2f} µs ({change}) |"
        )
    return lines


def _source_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    cycle = statistics.median(r["refresh_cycle_ms"] for r in rows)
    lines = [
        "",
        f"10,000 origins from ALLOWED_ORIGINS_SOURCE (ORIGINS_REFRESH {SOURCE_REFRESH_S} s, "
        "ORIGINS_CACHE per process), request pairs against the same request with the same "
        "10,000 listed and with 3 listed and no source, µs per request [95%]; the refresh "
        f"cycle (a look at the shared entry and a read of the source: {cycle:.1f} ms of CPU "
        f"per {SOURCE_REFRESH_S} s) is amortised over the requests one process serves flat "
        "out in that time, and added:",
        "",
        "| scenario | variant | overhead | vs listed | vs no source | refresh, amortised | "
        "total vs listed | total vs no source |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def ci(row: dict[str, Any], slug: str) -> str:
        if f"{slug}_us" not in row:
            return "n/a"
        return (
            f"{row[slug + '_us']:+.2f} [{row[slug + '_low_us']:+.2f}, "
            f"{row[slug + '_high_us']:+.2f}]"
        )

    for row in rows:
        amortised = row["amortised_us"]
        totals = [
            f"{row[slug + '_us'] + amortised:+.2f}" if f"{slug}_us" in row else "n/a"
            for slug in ("vs_static", "vs_none")
        ]
        lines.append(
            f"| {row['scenario']} | {row['variant']} | {row['overhead_us']:+.1f} | "
            f"{ci(row, 'vs_static')} | {ci(row, 'vs_none')} | {amortised:+.2f} | "
            f"{totals[0]} | {totals[1]} |"
        )
    return lines


def _target_table(targets: list[Target]) -> list[str]:
    rows: dict[tuple[str, str], dict[str, Target]] = {}
    for target in targets:
        rows.setdefault((target.name, target.scenario), {})[target.variant] = target
    lines = [
        "",
        "Targets: the median over rounds of each round's figure [its 95% interval]; "
        '"within noise": the interval crosses the limit.',
        "",
        "| target | scenario | limit | " + " | ".join(TARGETED) + " |",
        "| --- | --- | --- |" + " --- |" * len(TARGETED),
    ]
    for (name, scenario), row in rows.items():
        limit = next(iter(row.values())).limit
        cells = [
            f"{_fmt_ci((t.value, t.low, t.high), t.unit)} {t.verdict}"  # type: ignore[arg-type]
            if (t := row.get(v)) is not None
            else "-"
            for v in TARGETED
        ]
        lines.append(f"| {name} | {scenario} | {limit} | " + " | ".join(cells) + " |")
    passed = [t for t in targets if t.passed]
    missed = [t for t in targets if not t.passed]
    lines += [
        "",
        f"{len(targets)} targets: {len(passed)} PASS "
        f"({sum(not t.clear for t in passed)} within noise), {len(missed)} MISS "
        f"({sum(not t.clear for t in missed)} within noise).",
    ]
    return lines


def render(
    table: dict[str, dict[str, Figure]],
    targets: list[Target],
    info: dict[str, Any],
    samples: Samples | None = None,
) -> str:
    samples = samples or {}
    lines = _main_table(table)
    lines += _twin_table(twin_ratios(samples))
    lines += _regex_table(regex_report(samples))
    lines += _flat_table(table)
    lines += _source_table(source_report(samples))
    lines += _target_table(targets)
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines += [
        "",
        f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['system']}, Python {info['python']}; "
        f"{versions}. {info['rounds']} rounds of ~{info['batch_ms']:g} ms batches, "
        f"{info['clock']} time.",
    ]
    return "\n".join(lines)


def _finite(value: Any) -> Any:
    """JSON has no infinity: a ratio over a non-positive overhead is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=41, help="interleaved rounds (median over them)"
    )
    parser.add_argument("--batch-ms", type=float, default=20.0, help="target duration of one batch")
    parser.add_argument(
        "--iterations", type=int, default=0, help="fixed batch size, no calibration (smoke tests)"
    )
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: the worker process's CPU time (default; other processes do not count)",
    )
    parser.add_argument(
        "--slices", type=int, default=5, help="a batch is served in this many turns"
    )
    parser.add_argument("--seed", type=int, default=None, help="of the shuffled orders")
    parser.add_argument("--configs", nargs="*", default=sorted(CONFIGS), choices=sorted(CONFIGS))
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument(
        "--rejudge",
        type=Path,
        default=None,
        metavar="RESULTS",
        help="judge and print the rounds saved in RESULTS again, without measuring",
    )
    args = parser.parse_args(argv)
    if args.rejudge is not None:
        saved = json.loads(args.rejudge.read_text())
        samples = _unflatten(saved["rounds"])
        return _report(samples, saved["checks"], saved["machine"], saved["command"], args.json)

    workers: list[Worker] = []
    try:
        # One worker for every configuration: the figures compared across
        # configurations come from one process, one heap and one set of handlers.
        workers.append(Worker(args.configs, args))
        checks = {k: v for w in workers for k, v in w.ready["checks"].items()}
        unstable = [k for w in workers for k in w.ready.get("unstable", [])]
        problems = check_equivalence(checks, unstable)
        if problems:
            print(
                "The variants do not answer alike; refusing to time them:",
                *problems,
                sep="\n  ",
                file=sys.stderr,
            )
            return 2
        samples: Samples = {}
        # A fresh seed per run: a fixed one would repeat the same orders, and
        # any cost of following a particular cell would stick to one variant.
        seed = args.seed if args.seed is not None else random.randrange(1 << 30)
        for number in range(args.rounds):
            shift = number % len(workers)
            for worker in workers[shift:] + workers[:shift]:
                for key, ns in worker.round(seed + number).items():
                    scenario, variant = key.split("|", 1)
                    samples.setdefault(scenario, {}).setdefault(variant, []).append(ns)
            print(f"round {number + 1}/{args.rounds}", file=sys.stderr, flush=True)
    finally:
        for worker in workers:
            worker.close()

    info = {
        **machine(),
        "seed": seed,
        "rounds": args.rounds,
        "batch_ms": args.batch_ms,
        "clock": args.clock,
    }
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    return _report(samples, checks, info, command, args.json)


def _flatten(samples: Samples) -> dict[str, list[float]]:
    return {
        f"{scenario}|{key}": [round(v, 1) for v in values]
        for scenario, cells in samples.items()
        for key, values in cells.items()
    }


def _unflatten(rounds: dict[str, list[float]]) -> Samples:
    samples: Samples = {}
    for key, values in rounds.items():
        scenario, rest = key.split("|", 1)
        samples.setdefault(scenario, {})[rest] = [float(v) for v in values]
    return samples


def _report(
    samples: Samples,
    checks: dict[str, dict[str, Any]],
    info: dict[str, Any],
    command: str,
    path: Path,
) -> int:
    """Judge, print, and write the JSON (with every round's figures, one line per cell)."""
    # Judged from the figures as saved (0.1 ns), so --rejudge gives the same verdicts.
    samples = _unflatten(_flatten(samples))
    table = summarise(samples)
    targets = judge(samples)
    text = render(table, targets, info, samples)
    print(text)
    report = {
        "command": command,
        "machine": info,
        "scenarios": [
            {
                **{k: v for k, v in asdict(s).items() if k != "headers"},
                # Long adversarial values are written by size, not in full.
                "request_headers": {
                    k: v if len(v) <= 120 else f"<{len(v)} characters: {v[:40]}...>"
                    for k, v in s.headers.items()
                },
                "variants": {v: asdict(f) for v, f in table[s.name].items()},
            }
            for s in SCENARIOS
            if s.name in table
        ],
        "beside_ordinary": twin_ratios(samples),
        "regexes": regex_report(samples),
        "source": source_report(samples),
        "targets": [{**asdict(t), "verdict": t.verdict} for t in targets],
        "checks": checks,
        "table": text,
    }
    body = json.dumps(_finite(report), indent=2, ensure_ascii=False)
    # Every round's figure (ns), one line per cell: what --rejudge reads.
    rounds = ",\n".join(
        f"    {json.dumps(key)}: {json.dumps(_finite(values))}"
        for key, values in _flatten(samples).items()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{body[:-2]},\n  "rounds": {{\n{rounds}\n  }}\n}}\n')
    return 0


__all__ = ["Scenario", "main"]
