"""Plan benchmark: wall time (process start included), peak memory and value.

Runs `tripopt plan` as a child process on every bundled example and on a generated
2,000-customer, 5-day scenario, at a short time limit and at 60 s for comparison, and
prints one row per run. Usage:

    python benchmarks/plan_bench.py                 # all runs (about 4 minutes)
    python benchmarks/plan_bench.py --reference 0   # skip the 60 s reference runs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_scenario import write as write_large


def timed(command: list[str]) -> tuple[float, float]:
    """Run a child process to its end: (wall seconds, peak RSS in MB); exits on failure."""
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)}: exit {os.waitstatus_to_exitcode(status)}: "
                         f"{child.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def run_plan(scenario: Path, seconds: float) -> dict:
    """One `tripopt plan` child process: its JSON summary, wall time and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.json"
        wall, peak = timed([sys.executable, "-m", "tripopt", "plan", str(scenario), "--time-limit", str(seconds),
                            "--format", "json", "--out", str(out), "--fresh"])
        summary = json.loads(out.read_text())["summary"]
    return {"wall_s": wall, "peak_mb": peak, **summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", type=float, default=1.0, help="time limit for the examples (s)")
    parser.add_argument("--large-limit", type=float, default=30.0, help="time limit for the large scenario (s)")
    parser.add_argument("--reference", type=float, default=60.0, help="reference time limit (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(p, args.quick) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
        cases.append((write_large(Path(tmp) / "large"), args.large_limit))
        print(f"{'scenario':28} {'limit':>6} {'wall s':>7} {'peak MB':>8} {'value':>12} {'visited':>7} "
              f"{'stop':>5} {'ref value':>12} {'gap %':>6}")
        for scenario, limit in cases:
            quick = run_plan(scenario, limit)
            ref = run_plan(scenario, args.reference) if args.reference else None
            gap = ("" if ref is None or not ref["value"] else
                   f"{100 * (ref['value'] - quick['value']) / ref['value']:6.2f}")
            label = scenario.parent.name if scenario.name == "scenario.yaml" else scenario.stem
            print(f"{label:28} {limit:6g} {quick['wall_s']:7.2f} {quick['peak_mb']:8.0f} {quick['value']:12,.0f} "
                  f"{quick['visited']:7d} {quick['stopped_by']:>5} "
                  f"{'' if ref is None else format(ref['value'], '12,.0f'):>12} {gap:>6}", flush=True)


if __name__ == "__main__":
    main()
