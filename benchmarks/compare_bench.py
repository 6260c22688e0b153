"""Compare benchmark: what a budget sweep costs against one plan, in wall time.

Runs `tripopt plan` once and `tripopt compare` over five budgets on the trade-show
example, both as child processes at the same per-budget time limit, and prints the
ratio, the sweep's values (which must never fall as the budget rises) and the plan's
value beside the sweep's row at the scenario's own budget (never below it when both end
by work: that row is the same search). Usage:

    python benchmarks/compare_bench.py                     # 1 s and 10 s limits
    python benchmarks/compare_bench.py --limits 2 --budgets 300:1500:300
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_bench import ROOT, run_plan, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "reinvent-2026.yaml")
    parser.add_argument("--budgets", default="300:1500:300")
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 10.0])
    args = parser.parse_args()
    print(f"{'limit s':>7} {'plan wall s':>11} {'sweep wall s':>12} {'ratio':>6} {'peak MB':>8} {'plan value':>11} "
          f"{'its row':>11}  values by budget")
    for limit in args.limits:
        plan = run_plan(args.scenario, limit)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "sweep.json"
            wall, peak = timed([sys.executable, "-m", "tripopt", "compare", str(args.scenario), "--budgets",
                                args.budgets, "--time-limit", str(limit), "--format", "json", "--out", str(out),
                                "--fresh"])
            rows = json.loads(out.read_text())
        values = [r.get("value") for r in rows]
        monotone = all(a <= b for a, b in zip(values, values[1:]) if a is not None and b is not None)
        shown = ", ".join(f"{r['budget']:g}: {r['value']:,.0f}" if r["status"] == "feasible" else
                          f"{r['budget']:g}: infeasible" for r in rows)
        own = next((r.get("value") for r in rows if r["budget"] == plan["budget"]), None)
        print(f"{limit:7g} {plan['wall_s']:11.2f} {wall:12.2f} {wall / plan['wall_s']:6.2f} {peak:8.0f} "
              f"{plan['value']:11,.0f} {'-' if own is None else format(own, ',.0f'):>11}  {shown}"
              f"{'' if monotone else '  NOT MONOTONE'}", flush=True)


if __name__ == "__main__":
    main()
