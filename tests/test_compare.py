"""Budget sweeps: monotone, every plan feasible under its own budget, contract rows."""

from __future__ import annotations

import csv
import json
import sys
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt import compare as sweeps
from tripopt import curve, report
from tripopt.cli import app
from tripopt.compare import auto_compare, compare
from tripopt.comparison import BudgetRow, Comparison, parse_budgets

from .checker import check_plan
from .conftest import SCENARIOS, customer_row, customer_strategy, spread_customers
from .scenario_factory import write_scenario

REINVENT = next(p for p in SCENARIOS if "reinvent" in p.name)
CONTRACT_FIELDS = {"budget", "status", "value", "visited", "cost", "extension_days", "drive_km"}
# Ended by work (in about 0.2 s), so the plans repeat exactly; the time limit is only a cap,
# set well above that: a sweep's rows get 8% of it, and on a busy machine a tight cap
# would sometimes end a phase first.
WORK = {"work_limit": 10, "time_limit": "30s"}


def _check_sweep(scenario, comparison):
    """Each plan is feasible under its own budget; values never fall as budgets rise."""
    values = []
    for row in comparison.rows:
        if row.plan is None:
            assert row.reason, f"budget {row.budget}: no plan and no reason"
            assert not values, f"budget {row.budget} infeasible above a feasible one"
            continue
        under = scenario.with_budget(row.budget)
        check_plan(json.loads(json.dumps(tripopt.plan_dict(row.plan))), under)
        assert row.plan.cost <= row.budget + 1e-9
        values.append(row.plan.value)
    assert values == sorted(values), f"not monotone: {values}"


def test_marginal_value_is_against_the_next_lower_budget_with_a_plan():
    def row(budget, value=None, status="feasible"):
        plan = None if value is None else SimpleNamespace(value=value)
        return BudgetRow(budget, plan, "" if plan else "no plan", status if plan else "infeasible")

    rows = (row(50), row(100, 10.0), row(200, status="undecided"), row(300, 30.0), row(400, 30.0), row(700, 31.0))
    assert Comparison("s", "USD", rows).marginal_values() == [None, None, None, 0.1, 0.0, round(1 / 300, 6)]
    assert Comparison("s", "USD", ()).marginal_values() == []


def test_parse_budgets_ranges_include_the_end():
    assert parse_budgets([100.0], ["250:1000:250"]) == [100, 250, 500, 750, 1000]
    assert parse_budgets([500.0, 500.0], []) == [500]


@pytest.mark.parametrize("text", ["250-1000", "1000:250:250", "0:100:0"])
def test_parse_budgets_rejects_bad_ranges(text):
    with pytest.raises(tripopt.InputError, match="--budgets"):
        parse_budgets([], [text])


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customers=st.lists(customer_strategy, min_size=2, max_size=7, unique_by=lambda c: c["name"]),
       must=st.booleans(), two_days=st.booleans())
def test_random_sweeps_are_monotone_and_feasible(tmp_path_factory, customers, must, two_days):
    if must:
        customers[0]["must_visit"] = True
    trip = {"end": "2026-10-06" if two_days else "2026-10-05"}
    path = write_scenario(tmp_path_factory.mktemp("sweep"), customers, trip=trip, solver={"time_limit": "0.3s"})
    scenario = tripopt.load_scenario(path)
    comparison = compare(scenario, [0, 5, 10, 20, 40, 80], processes=1)
    assert [r.budget for r in comparison.rows] == [0, 5, 10, 20, 40, 80]
    _check_sweep(scenario, comparison)


def test_example_sweep_in_parallel(tmp_path):
    scenario = tripopt.load_scenario(REINVENT).with_time_limit(0.5)
    comparison = compare(scenario, [0, 300, 900], processes=2)
    _check_sweep(scenario, comparison)
    zero, small, large = comparison.rows
    assert zero.plan is None and "commitments alone cost" in zero.reason
    assert small.plan.value < large.plan.value
    assert comparison.breakpoints == (300, 900)
    step = comparison.steps()[2]
    assert set(step.gained) == large.plan.visited_names - small.plan.visited_names


def test_auto_finds_the_budgets_where_value_changes(tmp_path):
    path = write_scenario(tmp_path, [
        {"name": n, "lat": lat, "lon": -87.63, "value": v, "meeting": "30min", "hours": "Mon 09:00-17:00"}
        for n, lat, v in (("near", 41.90, 10), ("mid", 41.98, 20), ("far", 42.10, 40))
    ], solver={"time_limit": "0.3s"})
    scenario = tripopt.load_scenario(path)
    comparison = auto_compare(scenario, processes=1)
    _check_sweep(scenario, comparison)
    breakpoints = comparison.breakpoints
    rows = {r.budget: r for r in comparison.rows}
    # at a breakpoint the plan costs exactly the budget, and just below it less value is found
    for budget in breakpoints[1:]:
        assert rows[budget].plan.cost == pytest.approx(budget)
        lower = [r for b, r in rows.items() if b < budget and r.plan is not None]
        assert all(r.value < rows[budget].value for r in lower)
    assert rows[breakpoints[-1]].value == 70  # all three once money allows


def test_cli_json_rows_carry_the_contract_fields(tmp_path):
    out = tmp_path / "sweep.json"
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "0", "--budgets", "400:800:400",
                                      "--time-limit", "0.4", "--format", "json", "--out", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert [r["budget"] for r in rows] == [0, 400, 800]
    # every row has every field; a budget without a plan has null wherever a plan would speak
    assert all(set(r) == set(rows[0]) >= CONTRACT_FIELDS | {"reason", "marginal_value_per_dollar"} for r in rows)
    assert rows[0]["status"] == "infeasible" and rows[0]["reason"] and rows[0]["breakpoint"] is False
    assert all(v is None for k, v in rows[0].items() if k not in ("budget", "status", "reason", "breakpoint"))
    for row in rows[1:]:
        assert row["status"] == "feasible" and row["reason"] is None
        assert row["cost"] <= row["budget"]
        ext = row["extension_days"]
        assert set(ext) == {"before", "after"} and all(isinstance(v, int) and v >= 0 for v in ext.values())
    assert rows[1]["value"] <= rows[2]["value"]
    assert rows[1]["marginal_value_per_dollar"] is None  # the lowest budget with a plan
    assert rows[2]["marginal_value_per_dollar"] == pytest.approx((rows[2]["value"] - rows[1]["value"]) / 400, abs=1e-6)
    assert rows[1]["value_per_dollar"] == pytest.approx(rows[1]["value"] / rows[1]["cost"], abs=0.005)


def test_cli_table_csv_and_plot(tmp_path):
    png, csv_path = tmp_path / "curve.png", tmp_path / "sweep.csv"
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "300", "--budget", "900",
                                      "--time-limit", "0.4", "--plot", str(png), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "breakpoint" in result.stdout and "+600.00 USD" in result.stdout  # "(+ Monday 30 Nov ...)" when it buys it
    assert "before+after" in result.stdout and "marginal" in result.stdout
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "300", "--time-limit", "0.3",
                                      "--format", "csv", "--out", str(csv_path), "-j", "1"])
    assert result.exit_code == 0, result.output
    header, row = csv_path.read_text().splitlines()[:2]
    assert header == ("budget,status,value,visited,cost,extension_before,extension_after,drive_km,drive_minutes,"
                      "value_per_dollar,marginal_value_per_dollar,breakpoint,gained,lost,reason,extension_gained,extension_lost")
    assert row.startswith("300.0,feasible,")
    cells = dict(zip(header.split(","), next(csv.reader([row]))))
    assert cells["extension_before"].isdigit() and cells["extension_after"].isdigit()
    assert cells["marginal_value_per_dollar"] == "" and cells["reason"] == ""


def test_cli_plot_without_matplotlib_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    png = tmp_path / "curve.png"
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "300", "--plot", str(png)])
    assert result.exit_code == 2
    assert "pip install 'tripopt[plot]'" in result.output
    assert not png.exists()


@pytest.mark.parametrize("args, fragment", [
    (["--budgets", "1:2"], "FROM:TO:STEP"),
    (["--auto", "--budget", "5"], "either --auto or budgets"),
    (["--auto", "--floor", "-1"], "--floor must be >= 0"),
    (["--auto", "--floor", "500", "--ceiling", "100"], "below --floor"),
    ([], "give at least one budget"),
    (["--budget", "5", "--out", "/nonexistent-folder/x.json"], "does not exist"),
])
def test_cli_bad_arguments_exit_2_before_solving(args, fragment):
    result = CliRunner().invoke(app, ["compare", str(REINVENT), *args])
    assert result.exit_code == 2
    assert fragment in result.output


# -- the budget curve from one search (issue 20) ------------------------------------------


@pytest.fixture
def work_bound(two_days):
    """30 customers over two days with an extension day before, a budget of 200: searched
    heuristically (more customers than the exact search takes), every search ended by work."""
    path = two_days(spread_customers(30, 7), solver=WORK, budget=200,
                    trip={"extend": {"before": {"days": 1, "cost": 40}}})
    return tripopt.load_scenario(path)


@pytest.fixture
def searches(monkeypatch):
    """The budgets the sweeps in a test searched in full: (one search's, full per-budget
    searches'). The real solver runs; the calls are only counted."""
    one, full = [], []
    search, solve_budget = curve.search, sweeps._solve_budget

    def counted_search(scenario, budget, warm, interrupted=None):
        one.append(budget)
        return search(scenario, budget, warm, interrupted)

    def counted_budget(scenario, budget, warm, interrupted=None):
        full.append(budget)
        return solve_budget(scenario, budget, warm, interrupted)

    monkeypatch.setattr(curve, "search", counted_search)
    monkeypatch.setattr(sweeps, "_solve_budget", counted_budget)
    return one, full


def _without_seconds(plan):
    document = tripopt.plan_dict(plan)
    document["summary"].pop("seconds", None)
    return document


def test_one_search_serves_every_budget_and_its_row_is_the_plan(work_bound, searches):
    plan = tripopt.solve(work_bound)
    comparison = compare(work_bound, [120, 160, 200, 260, 320], processes=1)
    assert searches == ([200], [])  # at the scenario's own budget, one of the sweep's
    _check_sweep(work_bound, comparison)
    rows = {r.budget: r for r in comparison.rows}
    assert all(r.plan is not None and r.plan.stopped_by == "work" for r in comparison.rows)
    assert rows[200].rank() <= (-plan.value, plan.cost)  # never below `plan` at the scenario's budget
    if rows[200].plan.value == plan.value and rows[200].plan.cost == plan.cost:
        assert _without_seconds(rows[200].plan) == _without_seconds(plan)
    again = compare(work_bound, [120, 160, 200, 260, 320], processes=2)  # waves of two: the same rows
    assert report.comparison_to_json(again) == report.comparison_to_json(comparison)


def test_the_one_search_is_the_plan_search(work_bound):
    searched = curve.search(work_bound, 200, None)
    assert _without_seconds(searched.row.plan) == _without_seconds(tripopt.solve(work_bound))
    assert searched.routes.size > 0


def test_without_the_scenarios_budget_the_search_is_at_the_largest(work_bound, searches):
    comparison = compare(work_bound, [150, 250], processes=1)
    assert searches == ([250], [])
    _check_sweep(work_bound, comparison)


def test_auto_reuses_the_one_search(work_bound, searches):
    comparison = auto_compare(work_bound, points=4, resolution=25, processes=1)
    assert searches == ([None], [])  # the plan with no budget limit sets the ceiling; it serves every row
    _check_sweep(work_bound, comparison)
    assert len(comparison.breakpoints) >= 2


def test_infeasible_budgets_get_rows_with_reasons(one_commitment):
    path = one_commitment([customer_row(f"c{i}", 41.88 + i * 0.01, -87.63, 10 + i) for i in range(12)],
                          solver=WORK)
    scenario = tripopt.load_scenario(path)
    for budgets in ([0.5, 1, 300], [0.5]):  # the one search's own budget infeasible too
        comparison = compare(scenario, budgets, processes=1)
        assert [r.budget for r in comparison.rows] == budgets
        _check_sweep(scenario, comparison)
        assert [r.status for r in comparison.rows][:2] == ["infeasible"] * min(2, len(budgets))
        assert all(r.reason for r in comparison.rows if r.plan is None)
        rows = json.loads(report.comparison_to_json(comparison))
        assert all(set(r) == set(rows[0]) for r in rows)
        assert all(v is None for k, v in rows[0].items() if k not in ("budget", "status", "reason", "breakpoint"))
