"""Plans are feasible by an independent checker, optimal on tiny cases, and explained."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app

from .bruteforce import optimum_value
from .checker import PlanError, check_plan
from .conftest import SCENARIOS, customer_row, customer_strategy
from .scenario_factory import write_scenario


def _solve_and_check(path, time_limit=None):
    scenario = tripopt.load_scenario(path)
    if time_limit:
        scenario = scenario.with_time_limit(time_limit)
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return scenario, plan, document


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_examples_plan_feasibly(path):
    scenario, plan, document = _solve_and_check(path, time_limit=1.0)
    assert plan.visited >= 10
    assert all(c.name in plan.visited_names for c in scenario.customers if c.must_visit)
    codes = {u["code"] for u in document["unvisited"]}
    assert codes <= {"no_availability", "conflicts", "too_far", "over_budget", "lower_value"}


def test_reinvent_reasons_are_specific():
    _, plan, _ = _solve_and_check(SCENARIOS[-1] if "reinvent" in SCENARIOS[-1].name else SCENARIOS[0], 1.0)
    codes = {u.name: u.code for u in plan.unvisited}
    assert codes.get("Irvine Biotech") == "no_availability"
    assert codes.get("Reno Battery Works") == "too_far"
    assert codes.get("Phoenix Semiconductor") == "too_far"


def test_checker_catches_a_broken_plan():
    """The checker is only worth something if it can fail."""
    scenario, _, document = _solve_and_check(SCENARIOS[0], 0.5)
    day = next(d for d in document["days"] if len(d["stops"]) > 2)
    visit = next(s for s in day["stops"] if s["type"] in ("visit", "commitment"))
    visit["arrive"] = day["stops"][0]["depart"]  # teleport
    with pytest.raises(PlanError):
        check_plan(document, scenario)


def test_same_input_same_plan():
    scenario = tripopt.load_scenario(SCENARIOS[0]).with_time_limit(1.0)
    first, second = tripopt.solve(scenario), tripopt.solve(scenario)
    assert tripopt.plan_dict(first)["days"] == tripopt.plan_dict(second)["days"]


# -- tiny scenarios with a known optimum ---------------------------------------------


def test_value_beats_travel(tmp_path):
    """A far, valuable customer is worth more than two near, cheap ones when only one fits."""
    path = write_scenario(tmp_path, [
        customer_row("far", 42.10, -87.75, 50, meeting="3h", hours="Mon 10:00-15:00"),
        customer_row("near1", 41.89, -87.63, 10, meeting="3h", hours="Mon 10:00-13:30"),
        customer_row("near2", 41.90, -87.63, 10, meeting="3h", hours="Mon 11:30-15:00"),
    ])
    scenario, plan, _ = _solve_and_check(path)
    assert plan.visited_names == {"far"}
    assert plan.value == optimum_value(scenario) == 50


def test_budget_binds(tmp_path):
    path = write_scenario(tmp_path, [
        customer_row("a", 42.00, -87.70, 20), customer_row("b", 41.75, -87.60, 15), customer_row("c", 41.90, -87.64, 5),
    ], budget=12)
    scenario, plan, _ = _solve_and_check(path)
    assert plan.value == optimum_value(scenario)
    assert plan.cost <= 12


# derandomize: the same examples every run, so CI is repeatable. Without it, seeds 1-8 x 100
# examples all reached the brute-force optimum in session 3 (the counterexamples of session 2,
# a swap of equal-value visits before a third fits, are solved by ruin and recreate).
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    customers=st.lists(customer_strategy, min_size=1, max_size=5, unique_by=lambda c: c["name"]),
    two_days=st.booleans(), budget=st.sampled_from([None, 15, 40]), max_drive=st.sampled_from([None, 90, 240]),
    commitment=st.booleans(), arrive=st.booleans(), must=st.booleans(),
)
def test_random_tiny_scenarios_are_feasible_and_optimal(tmp_path_factory, customers, two_days, budget,
                                                       max_drive, commitment, arrive, must):
    folder = tmp_path_factory.mktemp("random")
    if must:
        customers[0]["must_visit"] = True
    trip = {"end": "2026-10-06" if two_days else "2026-10-05"}
    if max_drive:
        trip["max_drive"] = f"{max_drive}min"
    if arrive:
        trip["arrive"] = {"place": "airport", "time": "09:00"}
    extra = {"budget": budget} if budget is not None else {}
    if commitment:
        extra["commitments"] = [{"name": "talk", "place": "venue", "date": "2026-10-05",
                                 "start": "12:00", "end": "13:00"}]
    path = write_scenario(folder, customers, trip=trip, **extra)
    scenario = tripopt.load_scenario(path)
    best = optimum_value(scenario)
    try:
        plan = tripopt.solve(scenario)
    except tripopt.InfeasibleError as exc:
        assert best is None, f"called infeasible ({exc.reason}) but {best} is reachable"
        assert exc.reason
        return
    check_plan(json.loads(json.dumps(tripopt.plan_dict(plan))), scenario)
    assert best is not None and plan.value == pytest.approx(best), f"found {plan.value}, optimum {best}"


# -- infeasible scenarios: exit 1 with the reason ----------------------------------------


@pytest.mark.parametrize("overrides, fragment", [
    ({"commitments": [{"name": "Keynote", "place": "airport", "date": "2026-10-05", "start": "08:00",
                       "end": "09:00"}]}, "commitment 'Keynote'"),
    ({"commitments": [{"name": "Talk", "place": "venue", "date": "2026-10-05", "start": "10:00", "end": "11:00"},
                      {"name": "Panel", "place": "airport", "date": "2026-10-05", "start": "11:10",
                       "end": "12:00"}]}, "commitment 'Panel'"),
    ({"commitments": [{"name": "Dinner", "place": "venue", "date": "2026-10-05", "start": "17:30",
                       "end": "19:00"}]}, "cannot be back at hotel by 18:00"),
    ({"commitments": [{"name": "Talk", "place": "airport", "date": "2026-10-05", "start": "10:00",
                       "end": "11:00"}], "budget": 5}, "the commitments alone cost"),
    ({"customers": [customer_row("Milwaukee", 43.04, -87.91, 10, must_visit=True)],
      "trip": {"max_drive": "4h"}}, "must-visit customer 'Milwaukee' cannot be visited: cannot be reached"),
    ({"customers": [customer_row("Sunday", 41.9, -87.6, 10, hours="Sun 10:00-12:00", must_visit=True)]},
     "not available on any day"),
])
def test_infeasible_scenarios_exit_1_with_reason(tmp_path, overrides, fragment):
    customers = overrides.pop("customers", [customer_row("a", 41.9, -87.65, 5)])
    path = write_scenario(tmp_path, customers, **overrides)
    result = CliRunner().invoke(app, ["plan", str(path)])
    assert result.exit_code == 1, result.output
    assert fragment in result.output and "Traceback" not in result.output


# -- CLI outputs ---------------------------------------------------------------------------


def test_cli_json_matches_contract(tmp_path):
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(SCENARIOS[0]), "--time-limit", "0.5", "--format", "json",
                                      "--out", str(out), "--budget", "300"])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["format"] == "tripopt.plan/1"
    assert set(document["summary"]) >= {"visited", "candidates", "value", "value_available", "cost", "budget",
                                        "drive_km", "drive_minutes"}
    assert document["summary"]["budget"] == 300 and document["summary"]["cost"] <= 300
    stop = next(s for d in document["days"] for s in d["stops"] if s["type"] == "visit")
    assert set(stop) >= {"type", "name", "lat", "lon", "travel_km", "travel_minutes", "arrive", "start", "end",
                         "value", "cost"}
    assert set(document["unvisited"][0]) == {"name", "value", "code", "reason"}
    check_plan(document, tripopt.load_scenario(SCENARIOS[0]).with_budget(300))


@pytest.mark.parametrize("fmt, marker", [("table", "Not visited"), ("csv", "date,extension,seq,type"),
                                         ("md", "| time |")])
def test_cli_other_formats(fmt, marker):
    result = CliRunner().invoke(app, ["plan", str(SCENARIOS[0]), "--time-limit", "0.3", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert marker in result.output


def test_out_to_missing_folder_is_input_error(tmp_path):
    target = tmp_path / "nope" / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(SCENARIOS[0]), "--time-limit", "0.2", "--format", "json",
                                      "--out", str(target)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not target.parent.exists()


def test_table_prints_names_literally(tmp_path):
    """Names are data: Rich markup or brackets in a customer name must reach the terminal as typed."""
    name = "[bold]Acme[/bold] [EU] <b>"
    path = write_scenario(tmp_path, [customer_row(name, 41.9, -87.65, 5, notes="ask for [red]Bob")])
    result = CliRunner().invoke(app, ["plan", str(path)])
    assert result.exit_code == 0, result.output
    assert name in result.stdout and "[red]Bob" in result.stdout
