"""The example at a short time limit, seed by seed, against a long run (issue 21, item 4).

    python benchmarks/seed_bench.py                          # re:Invent, seeds 1-12 at 1 s, seeds 1-2 at 60 s
    python benchmarks/seed_bench.py --seeds 3 --short 1 --long 10

The seed of ruin and recreate is not a scenario key (a plan is repeatable without one), so
this benchmark sets it in-process: the planner's scouting (`routing.scout`) and main search
(`limits.phase_settings`) get it. Each run is `tripopt.solve` in this process with no plan
store (`--fresh` in effect: TRIPOPT_CACHE_DIR points at an empty folder). Prints, per seed,
the value at the short limit, its gap to the best long-run value, and the time.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import tempfile
import time
from pathlib import Path

import tripopt
from tripopt import planner

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "reinvent-2026.yaml"


def solve(scenario: tripopt.Scenario, seed: int, seconds: float) -> tuple[float, float, str]:
    """(value, wall seconds, stopped by) of one plan with ruin and recreate's seed set."""
    scout, settings = planner.scout, planner.phase_settings
    planner.scout = functools.partial(scout, seed=seed)
    planner.phase_settings = lambda *a, **k: dataclasses.replace(settings(*a, **k), seed=seed)
    try:
        began = time.monotonic()
        plan = tripopt.solve(scenario.with_time_limit(seconds))
        return plan.value, time.monotonic() - began, plan.stopped_by
    finally:
        planner.scout, planner.phase_settings = scout, settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--short", type=float, default=1.0)
    parser.add_argument("--long", type=float, default=60.0)
    parser.add_argument("--long-seeds", type=int, default=2)
    args = parser.parse_args()
    os.environ["TRIPOPT_CACHE_DIR"] = tempfile.mkdtemp(prefix="seed-bench-")
    scenario = tripopt.load_scenario(args.scenario)
    long_runs = [solve(scenario, seed, args.long) for seed in range(1, args.long_seeds + 1)]
    best = max(value for value, _, _ in long_runs)
    for seed, (value, seconds, stop) in enumerate(long_runs, 1):
        print(f"seed {seed:2d} at {args.long:g} s: {value:,.0f} ({seconds:.1f} s, {stop})")
    print("| seed | value | gap to the long runs' best % | wall s | stopped by |")
    print("| ---: | ---: | ---: | ---: | --- |")
    gaps = []
    for seed in range(1, args.seeds + 1):
        value, seconds, stop = solve(scenario, seed, args.short)
        gaps.append(100 * (best - value) / best)
        print(f"| {seed} | {value:,.0f} | {gaps[-1]:.2f} | {seconds:.2f} | {stop} |")
    print(f"mean gap {sum(gaps) / len(gaps):.2f}%, max {max(gaps):.2f}%, within 0.5%: "
          f"{sum(g <= 0.5 for g in gaps)} of {len(gaps)}")


if __name__ == "__main__":
    main()
