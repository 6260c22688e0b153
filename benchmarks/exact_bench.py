"""Exact on small cases (issue 12): the solver against the brute force on random small scenarios.

Each seed names one scenario of tests/small_scenarios.py (drawn with random.Random(seed), so
seeds are stable), written as YAML and loaded by tripopt.load_scenario. It is solved in this
process with `tripopt.solve(scenario.with_time_limit(T))` and compared with the exact optimum
of tests/bruteforce.py. Usage:

    python benchmarks/exact_bench.py                          # 1,000 seeds from 0 at 0.5 s
    python benchmarks/exact_bench.py --n 300 --seed-start 5000 --time-limit 1 --csv out.csv

It prints the counts, the share optimal in value (of the scenarios the brute force finds
feasible; a wrong "infeasible" counts as not optimal), the share optimal in cost among those
optimal in value (the plan's exact contract cost within 0.011 of the least), wrong
"infeasible" and wrong "feasible" answers, plans the independent checker rejects, plans with
an optional value-0 visit that costs something (its visit cost, or the km saved by driving
past it), the mean solve time, and the first failing seeds with found vs optimum.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bruteforce import free_visits, optimum, plan_cost, solution
from tests.checker import check_plan
from tests.small_scenarios import random_spec, write_spec

import tripopt

VALUE_TOL = 1e-6
COST_TOL = 0.011  # cents: the plan reports whole cents, the brute force exact amounts

COLUMNS = ("seed", "customers", "days", "optimum_value", "optimum_cost", "optimum_visited", "optimum_layout",
           "status", "value", "cost", "exact_cost", "visited", "layout", "seconds", "stopped_by",
           "verdict", "detail")


def run_seed(seed: int, time_limit: float, folder: Path) -> dict:
    spec = random_spec(seed)
    path = write_spec(folder, spec)
    scenario = tripopt.load_scenario(path)
    best = solution(scenario)
    row = {"seed": seed, "customers": len(scenario.customers), "days": len(scenario.trip.core_days),
           "optimum_value": None if best is None else best.value,
           "optimum_cost": None if best is None else round(best.cost, 4),
           "optimum_visited": "" if best is None else " ".join(sorted(best.visited)),
           "optimum_layout": "" if best is None else f"{best.layout[0]}+{best.layout[1]}",
           "value": None, "cost": None, "exact_cost": None, "visited": "", "layout": "", "stopped_by": "",
           "detail": ""}
    began = time.perf_counter()
    try:
        plan = tripopt.solve(scenario.with_time_limit(time_limit))
    except tripopt.InfeasibleError as exc:
        row["seconds"] = time.perf_counter() - began
        row["status"] = "infeasible"
        row["verdict"] = "ok" if best is None else "wrongly_infeasible"
        row["detail"] = exc.reason
        return row
    except Exception as exc:
        row["seconds"] = time.perf_counter() - began
        row.update(status="error", verdict="crash", detail=f"{type(exc).__name__}: {exc}")
        return row
    row["seconds"] = time.perf_counter() - began
    row["status"] = "feasible"
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    summary = document["summary"]
    ext = summary.get("extension_days") or {"before": 0, "after": 0}
    exact = plan_cost(document, scenario)
    visits = sorted(s["name"] for d in document["days"] for s in d["stops"] if s["type"] == "visit")
    row.update(value=plan.value, cost=plan.cost, exact_cost=round(exact, 4), layout=f"{ext['before']}+{ext['after']}",
               visited=" ".join(visits), stopped_by=summary.get("stopped_by", ""))
    try:
        check_plan(document, scenario)
    except AssertionError as exc:
        row.update(verdict="invalid_plan", detail=str(exc))
        return row
    if best is None:
        row.update(verdict="wrongly_feasible", detail="the brute force finds no feasible plan")
        return row
    free = free_visits(document, scenario)
    if plan.value < best.value - VALUE_TOL:
        row["verdict"] = "value_below"
        if scenario.budget is not None:
            legs = len(scenario.customers) + len(scenario.commitments) + 2 * len(scenario.trip.possible_days)
            looser = optimum(scenario, budget=scenario.budget - 0.01 * legs)
            if looser is not None and looser.value <= plan.value + VALUE_TOL:
                row["detail"] = "within cent rounding of the budget"
    elif plan.value > best.value + VALUE_TOL:
        row.update(verdict="value_above", detail="above the brute force's optimum: a brute-force or checker bug")
    elif exact > best.cost + COST_TOL:
        row.update(verdict="cost_above", detail=f"{exact - best.cost:.2f} more than the least cost")
    elif exact < best.cost - COST_TOL:
        row.update(verdict="cost_below", detail="cheaper than the brute force's least cost: a brute-force bug?")
    else:
        row["verdict"] = "ok"
    if free:
        text = ", ".join(f"{name} ({saving:.2f})" for name, saving in free)
        row["detail"] = (row["detail"] + "; " if row["detail"] else "") + f"value-0 visits with a cost: {text}"
        if row["verdict"] == "ok":
            row["verdict"] = "free_visit"
    return row


def summarise(rows: list[dict], first: int) -> str:
    n = len(rows)
    feasible = [r for r in rows if r["optimum_value"] is not None]
    value_ok = [r for r in feasible if r["status"] == "feasible" and r["verdict"] != "invalid_plan"
                and abs(r["value"] - r["optimum_value"]) <= VALUE_TOL]
    cost_ok = [r for r in value_ok if abs(r["exact_cost"] - r["optimum_cost"]) <= COST_TOL]

    def count(verdict: str) -> int:
        return sum(r["verdict"] == verdict for r in rows)

    with_free = sum("value-0 visits" in r["detail"] for r in rows)
    rounding = sum(r["detail"].startswith("within cent rounding") for r in rows)

    def share(part: int, whole: int) -> str:
        return f"{part:>5} / {whole:<5} {100 * part / whole:6.2f}%" if whole else f"{part} / 0"

    seconds = [r["seconds"] for r in rows]
    lines = [
        f"scenarios                      {n} (seeds {rows[0]['seed']}-{rows[-1]['seed']})",
        f"brute force: feasible          {len(feasible)}, infeasible {n - len(feasible)}",
        f"solver: plans                  {sum(r['status'] == 'feasible' for r in rows)}, "
        f"infeasible {sum(r['status'] == 'infeasible' for r in rows)}",
        f"optimal in value               {share(len(value_ok), len(feasible))}",
        f"optimal in cost (at opt value) {share(len(cost_ok), len(value_ok))}",
        f"all correct                    {share(sum(r['verdict'] == 'ok' for r in rows), n)}",
        f"value below optimum            {count('value_below')} (of which within cent rounding of the budget: "
        f"{rounding})",
        f"cost above least               {count('cost_above')}",
        f"wrongly infeasible             {count('wrongly_infeasible')}",
        f"wrongly feasible               {count('wrongly_feasible')}",
        f"invalid plans (checker)        {count('invalid_plan')}",
        f"crashes (exceptions)           {count('crash')}",
        f"optional value-0 visit w/ cost {with_free} plans",
        f"above the brute force          {count('value_above') + count('cost_below')} (should be 0)",
        f"solve seconds                  mean {sum(seconds) / n:.3f}, max {max(seconds):.3f}",
    ]
    failing = [r for r in rows if r["verdict"] != "ok"][:first]
    if failing:
        lines.append(f"first {len(failing)} failing seeds:")
    for r in failing:
        found = r["status"] if r["status"] != "feasible" else \
            f"value {r['value']:g} cost {r['exact_cost']:.2f} [{r['visited']}] layout {r['layout']}"
        best = "infeasible" if r["optimum_value"] is None else \
            f"value {r['optimum_value']:g} cost {r['optimum_cost']:.2f} [{r['optimum_visited']}] " \
            f"layout {r['optimum_layout']}"
        lines.append(f"  seed {r['seed']:>5} {r['verdict']:<18} found {found}; optimum {best}"
                     + (f"  ({r['detail'][:160]})" if r["detail"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of scenarios (seeds)")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed")
    parser.add_argument("--time-limit", type=float, default=0.5, help="solver time limit per scenario, seconds")
    parser.add_argument("--csv", type=Path, help="write one row per scenario to this CSV file")
    parser.add_argument("--show", type=int, default=10, help="how many failing seeds to list")
    args = parser.parse_args(argv)
    rows = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, seed in enumerate(range(args.seed_start, args.seed_start + args.n)):
            folder = Path(tmp) / str(seed)
            folder.mkdir()
            rows.append(run_seed(seed, args.time_limit, folder))
            if (i + 1) % 100 == 0:
                print(f"... {i + 1} scenarios, {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for r in rows:
                writer.writerow({k: (f"{r[k]:.3f}" if k == "seconds" else r[k]) for k in COLUMNS})
    print(f"tripopt {tripopt.__file__}, time limit {args.time_limit:g} s")
    print(summarise(rows, args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
