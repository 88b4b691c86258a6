"""Drive the worker in interleaved rounds; print the table; write the same figures as JSON.

    python -m benchmarks [--rounds 41] [--batch-ms 20] [--json benchmarks/results.json]

One worker process holds every configuration size (``scenarios.CONFIGS``)
and variant. In each round it times one batch per (scenario, variant):
scenarios in a shuffled order, a scenario's variants side by side in
slices, so the machine's drift hits every variant alike. Time is the
worker's CPU time unless ``--clock wall``. Reported per scenario and
variant: the median µs per request, the overhead over the variant's floor
(the median over rounds of the paired difference with the floor's batch of
the same round), and the ratio overhead(drf_cors) / overhead(django-cors-
headers). Targets are ratios of figures measured side by side, since
absolute times on shared machines drift.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from .scenarios import (
    CONFIGS,
    CORS_VARIANTS,
    REFERENCE_SUFFIX,
    SCENARIOS,
    Scenario,
    variants_for,
)

ROOT = Path(__file__).resolve().parent.parent
#: Variants the ratio targets apply to (the issue: "drf_cors middleware and view").
TARGETED = ("drf_cors middleware", "drf_cors view")


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


def check_equivalence(checks: dict[str, dict[str, Any]]) -> list[str]:
    """Every CORS variant must grant exactly what the scenario says, or timing is moot."""
    problems = []
    for scenario in SCENARIOS:
        for variant in variants_for(scenario):
            seen = checks.get(f"{scenario.name}|{variant}")
            if seen is None:
                continue
            if variant.startswith("baseline"):
                if seen["acao"] is not None:
                    problems.append(f"{scenario.name}: {variant} sent CORS headers")
                continue
            if (seen["acao"] is not None) != scenario.granted:
                problems.append(f"{scenario.name}: {variant} answered {seen}")
            if "origin" not in (seen["vary"] or "").lower():
                problems.append(f"{scenario.name}: {variant} did not vary on Origin")
    return problems


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


def summarise(samples: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, Figure]]:
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
        reference = row["django-cors-headers"].overhead_us
        for variant, figure in row.items():
            if variant.startswith("drf_cors") and figure.overhead_us is not None and reference:
                figure.ratio = figure.overhead_us / reference
            small = variant + REFERENCE_SUFFIX
            if small in row:
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
    value: float | None
    limit: str
    passed: bool


def judge(table: dict[str, dict[str, Figure]]) -> list[Target]:
    targets: list[Target] = []
    by_name = {s.name: s for s in SCENARIOS}

    def ratio_target(name: str, scenario: str, variant: str, limit: float) -> None:
        row = table.get(scenario)
        if row is None or variant not in row:
            return
        mine, theirs = row[variant].overhead_us, row["django-cors-headers"].overhead_us
        assert mine is not None
        assert theirs is not None
        if theirs > 0:
            passed = mine <= limit * theirs
            targets.append(
                Target(name, scenario, variant, row[variant].ratio, f"<= {limit}x", passed)
            )
            return
        # A preflight answer replaces the view, so both libraries cost less
        # than the floor: a ratio of two negative overheads means nothing.
        # Then the costs themselves are compared: ours must not be dearer.
        cost = row[variant].us / row["django-cors-headers"].us
        targets.append(
            Target(
                name, scenario, variant, cost, "cost <= 1.0x theirs (both below floor)", cost <= 1.0
            )
        )

    for scenario in SCENARIOS:
        if scenario.config == "default":
            for variant in TARGETED:
                ratio_target("overhead <= 0.5x django-cors-headers", scenario.name, variant, 0.5)
        elif scenario.config == "1k":
            for variant in TARGETED:
                ratio_target("overhead <= 0.1x django-cors-headers", scenario.name, variant, 0.1)
    for scenario in SCENARIOS:
        if scenario.config != "10k" or scenario.name not in table:
            continue
        for variant in TARGETED:
            change = table[scenario.name][variant].vs_3
            targets.append(
                Target(
                    "overhead with 10,000 origins within 10% of 3",
                    scenario.name,
                    variant,
                    change,
                    "within ±10%",
                    change is not None and abs(change) <= 0.10,
                )
            )
    for prefix in ("", "asgi-"):
        pre, get = f"{prefix}preflight-allowed", f"{prefix}get-allowed"
        if pre not in table or get not in table:
            continue
        for variant in table[pre]:
            if not variant.startswith("drf_cors"):
                continue
            ratio = table[pre][variant].us / table[get][variant].us
            iface = by_name[pre].interface.upper()
            targets.append(
                Target(
                    f"{iface} preflight costs less than the same GET",
                    pre,
                    variant,
                    ratio,
                    "< 1.0x the GET",
                    ratio < 1.0,
                )
            )
    return targets


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


def render(table: dict[str, dict[str, Figure]], targets: list[Target], info: dict[str, Any]) -> str:
    by_name = {s.name: s for s in SCENARIOS}
    variants = ["baseline", "baseline-fn", *CORS_VARIANTS]
    lines = [
        "µs/request (median); in brackets: overhead over the floor in µs "
        "(baseline; baseline-fn for the function variant) and the ratio "
        "overhead(drf_cors) / overhead(django-cors-headers).",
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
        lines.append(f"| {by_name[name].description} | " + " | ".join(cells) + " |")
    flat = [
        (name, variant, figure)
        for name, row in table.items()
        for variant, figure in row.items()
        if figure.vs_3_us is not None
    ]
    if flat:
        lines += [
            "",
            "The same request with 10,000 origins and with 3 of them (side by side, one process):",
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
    lines += [
        "",
        "| target | scenario | variant | measured | limit | result |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for t in targets:
        if t.value is None:
            value = "n/a"
        elif "%" in t.limit:
            value = f"{t.value:+.1%}"
        else:
            value = f"{t.value:.2f}x"
        lines.append(
            f"| {t.name} | {t.scenario} | {t.variant} | {value} | {t.limit} | "
            f"{'PASS' if t.passed else 'MISS'} |"
        )
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines += [
        "",
        f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['system']}, Python {info['python']}; "
        f"{versions}. {info['rounds']} rounds of ~{info['batch_ms']:g} ms batches, "
        f"{info['clock']} time.",
    ]
    return "\n".join(lines)


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
    args = parser.parse_args(argv)

    workers: list[Worker] = []
    try:
        # One worker for every configuration: the figures compared across
        # sizes come from one process, one heap and one set of handlers.
        workers.append(Worker(args.configs, args))
        checks = {k: v for w in workers for k, v in w.ready["checks"].items()}
        problems = check_equivalence(checks)
        if problems:
            print(
                "The variants do not answer alike; refusing to time them:",
                *problems,
                sep="\n  ",
                file=sys.stderr,
            )
            return 2
        samples: dict[str, dict[str, list[float]]] = {}
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

    table = summarise(samples)
    targets = judge(table)
    info = {
        **machine(),
        "seed": seed,
        "rounds": args.rounds,
        "batch_ms": args.batch_ms,
        "clock": args.clock,
    }
    text = render(table, targets, info)
    print(text)
    report = {
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": info,
        "scenarios": [
            {
                **{k: v for k, v in asdict(s).items() if k != "headers"},
                "request_headers": s.headers,
                "variants": {v: asdict(f) for v, f in table[s.name].items()},
            }
            for s in SCENARIOS
            if s.name in table
        ],
        "targets": [asdict(t) for t in targets],
        "checks": checks,
        "table": text,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


__all__ = ["Scenario", "main"]
