"""Profile one benchmark cell: ``python -m benchmarks.profile SCENARIO VARIANT``.

    python -m benchmarks.profile get-allowed "drf_cors middleware"            # cProfile
    python -m benchmarks.profile get-allowed "drf_cors view" --pyinstrument    # call tree

Serves the cell's request through the same handler the benchmark times, under
cProfile (sorted by own time, limited to ``--limit`` rows) or pyinstrument
(``pip install -e ".[bench]"``). Use it to see what drf_cors itself costs
per request; the benchmark's figures come from ``python -m benchmarks`` only.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from . import worker
from .scenarios import CONFIGS, SCENARIOS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=[s.name for s in SCENARIOS])
    parser.add_argument("variant")
    parser.add_argument("-n", "--requests", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    scenario = next(s for s in SCENARIOS if s.name == args.scenario)
    config = CONFIGS[scenario.config]
    worker.configure(config)
    cells = {c.key: c for c in worker.build_cells([config])}
    cell = cells.get(f"{scenario.name}|{args.variant}")
    if cell is None:
        raise SystemExit(f"no such variant for {scenario.name}: {args.variant!r}")
    cell.run(50)  # warm up: compile policies, fill resolver caches
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0001)
        profiler.start()
        cell.run(args.requests)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    cell.run(args.requests)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.limit)


if __name__ == "__main__":
    main()
