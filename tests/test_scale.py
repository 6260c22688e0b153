"""Large scenarios (issue 20): thousands of accounts are read, searched on a pool, and
every promise of the plan holds over all of them.

The accounts are `benchmarks/large_scenario.py`'s Bay Area (its rows are a prefix-stable
sequence: the first N rows of a bigger file are the N-account file), plus accounts that
no day can serve. Work-bound settings (`solver.work_limit`, a time limit far away), so
every plan here repeats. Timing figures are in benchmarks/README.md, not here.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest

import tripopt
from tests.checker import check_plan
from tripopt import pool
from tripopt.compile import compile_layout, layouts
from tripopt.customers import MAX_CUSTOMERS
from tripopt.decode import encode
from tripopt.exact import insertion_options, tour_cost
from tripopt.replan import read_plan, replan

ROOT = Path(__file__).resolve().parents[1]
WORK = "solver: {time_limit: 600s, work_limit: 20}"
FAR = 30  # accounts in Portland: hundreds of km past a day's drive
CLOSED = 30  # accounts open on Saturdays only, on a Monday-Friday trip


def _generator():
    spec = importlib.util.spec_from_file_location("large_scenario", ROOT / "benchmarks" / "large_scenario.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bay_area(folder: Path, customers: int, unreachable: bool = False) -> Path:
    """The generated scenario of `customers` accounts, work-bound; with `unreachable`,
    FAR and CLOSED accounts appended that no plan can visit."""
    path = _generator().write(folder, customers)
    path.write_text(path.read_text(encoding="utf-8").replace("solver: {time_limit: 30s}", WORK), encoding="utf-8")
    if unreachable:
        with open(folder / "customers.csv", "a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for i in range(FAR):
                writer.writerow([f"Far {i}", f"{45.5 + i / 1000:.5f}", "-122.67", 200000, "30min",
                                 "Mon-Fri 09:00-17:00", ""])
            for i in range(CLOSED):
                writer.writerow([f"Closed {i}", f"{37.78 + i / 1000:.5f}", "-122.41", 200000, "30min",
                                 "Sat 09:00-12:00", ""])
    return path


def _plan(path: Path) -> tuple[tripopt.Scenario, dict, tripopt.Plan]:
    scenario = tripopt.load_scenario(path)
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return scenario, document, plan


def test_the_loader_reads_thousands_of_rows(tmp_path):
    scenario = tripopt.load_scenario(_bay_area(tmp_path, 5000))
    assert len(scenario.customers) == 5000 <= MAX_CUSTOMERS


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A plan of 3,000 Bay Area accounts and the unreachable ones, checked by the independent checker."""
    return _plan(_bay_area(tmp_path_factory.mktemp("large"), 3000, unreachable=True))


def test_a_large_plan_keeps_the_rules_and_accounts_for_every_customer(large):
    scenario, document, _ = large
    assert document["summary"]["candidates"] == len(scenario.customers) == 3000 + FAR + CLOSED
    assert pool.pooled(scenario, pool.census(scenario))  # (the checker saw each one visited or unvisited once)
    assert document["summary"]["stopped_by"] == "work"


def test_customers_no_day_can_serve_never_enter_the_search_and_get_their_true_codes(large):
    scenario, document, _ = large
    counted = pool.census(scenario)
    searched = {c.name for c in pool.pool(scenario, counted).customers}
    codes = {u["name"]: u["code"] for u in document["unvisited"]}
    for i, customer in enumerate(scenario.customers):
        if customer.name.startswith(("Far", "Closed")):
            assert not counted.reachable[i] and customer.name not in searched
            assert codes[customer.name] == ("too_far" if customer.name.startswith("Far") else "no_availability")
        else:
            assert counted.reachable[i]  # every Bay Area account fits some day alone


def test_every_customer_left_out_of_a_large_plan_was_tried_in_it(large):
    """`lower_value` is a claim about all customers, not only the pool's: none of those
    outside the pool fits into the plan with every visit kept, within the budget
    (checked on the plan's customers and theirs, compiled apart)."""
    scenario, document, plan = large
    searched = {c.name for c in pool.pool(scenario, pool.census(scenario)).customers}
    codes = {u["name"]: u["code"] for u in document["unvisited"]}
    outside = [name for name in codes if name not in searched]
    assert outside and {codes[n] for n in outside if not n.startswith(("Far", "Closed"))} == {"lower_value"}
    kept = plan.visited_names | set(outside)
    part = pool.subset(scenario, {i for i, c in enumerate(scenario.customers) if c.name in kept})
    compiled = compile_layout(part, layouts(part)[0])
    routes = encode(compiled, plan.outline)
    assert routes is not None
    p, spent = compiled.problem, tour_cost(compiled.problem, routes)
    index = {c.name: i for i, c in enumerate(part.customers)}
    nodes = [n for name in outside for n in compiled.customer_nodes(index[name]) if p.servable(n)]
    fits = [o for found in insertion_options(p, routes, nodes) for o in found
            if p.budget is None or spent + o.added_cost <= p.budget]
    assert fits == []


def test_more_accounts_plan_no_worse_than_a_prefix_of_them(tmp_path):
    """The same region, the same seed: 2,500 accounts (searched on a pool) against their
    first 1,000 (searched whole), at the same work."""
    _, subset, _ = _plan(_bay_area(tmp_path / "subset", 1000))
    _, full, _ = _plan(_bay_area(tmp_path / "full", 2500))
    assert subset["summary"]["stopped_by"] == full["summary"]["stopped_by"] == "work"
    assert full["summary"]["value"] >= subset["summary"]["value"]


def test_a_pooled_replan_cancels_a_visit_and_says_which_windows_have_passed(tmp_path):
    """A re-plan of a plan searched on a pool: the cancelled visit's customer is outside the
    re-plan's search pool (it crashed there once), and customers whose windows are all before
    --now are `passed`, never `no_availability` (they had windows); the checker judges it."""
    scenario, document, _ = _plan(_bay_area(tmp_path, 1300))
    assert pool.pooled(scenario, pool.census(scenario))
    day = document["days"][2]
    visits = [s for s in day["stops"] if s["type"] == "visit"]
    now = datetime.fromisoformat(visits[len(visits) // 2]["start"])
    new = replan(scenario, read_plan(document, "plan.json"), now, [visits[-1]["name"]])
    redone = json.loads(json.dumps(tripopt.plan_dict(new)))
    check_plan(redone, scenario)
    codes = {u["name"]: u["code"] for u in redone["unvisited"]}
    assert codes[visits[-1]["name"]] == "cancelled" and "passed" in codes.values()
