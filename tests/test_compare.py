"""Budget sweeps: monotone, every plan feasible under its own budget, contract rows."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.compare import auto_compare, compare
from tripopt.comparison import parse_budgets

from .checker import check_plan
from .conftest import SCENARIOS, customer_strategy
from .scenario_factory import write_scenario

REINVENT = next(p for p in SCENARIOS if "reinvent" in p.name)
CONTRACT_FIELDS = {"budget", "status", "value", "visited", "cost", "extension_days", "drive_km"}


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
    assert rows[0] == {"budget": 0, "status": "infeasible", "reason": rows[0]["reason"]} and rows[0]["reason"]
    for row in rows[1:]:
        assert set(row) >= CONTRACT_FIELDS and row["status"] == "feasible"
        assert row["cost"] <= row["budget"]
    assert rows[1]["value"] <= rows[2]["value"]


def test_cli_table_csv_and_plot(tmp_path):
    png, csv_path = tmp_path / "curve.png", tmp_path / "sweep.csv"
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "300", "--budget", "900",
                                      "--time-limit", "0.4", "--plot", str(png), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "breakpoint" in result.stdout and "+600.00 USD:" in result.stdout
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--budget", "300", "--time-limit", "0.3",
                                      "--format", "csv", "--out", str(csv_path), "-j", "1"])
    assert result.exit_code == 0, result.output
    header, row = csv_path.read_text().splitlines()[:2]
    assert header.startswith("budget,status,value,visited,cost,extension_days,drive_km")
    assert row.startswith("300.0,feasible,")


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
