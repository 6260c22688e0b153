"""Every statement the plan makes is true: infeasible only with a proof, reason codes that
hold, hints that work when applied (checked by the brute force, not by the solver)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import tripopt
from tripopt import diagnose, planner
from tripopt.cli import app

from .bruteforce import feasible_with, optimum
from .checker import check_plan
from .scenario_factory import write_scenario

SF = {"hotel": {"lat": 37.7840, "lon": -122.4010}, "venue": {"lat": 37.7842, "lon": -122.4016},
      "elsewhere": {"lat": 37.8044, "lon": -122.2712}}  # Moscone, and Oakland


def _customer(name, lat, lon, value, meeting="45min", hours="Mon-Fri 09:00-17:00", **extra):
    return {"name": name, "lat": lat, "lon": lon, "value": value, "meeting": meeting, "hours": hours, **extra}


def _plan(path, **changes):
    scenario = tripopt.load_scenario(path)
    for key, value in changes.items():
        scenario = getattr(scenario, f"with_{key}")(value)
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return scenario, plan, document


def _sf(tmp_path, customers, **overrides):
    return write_scenario(tmp_path, customers, timezone="America/Los_Angeles", places=SF, **overrides)


def test_far_apart_must_visits_plan_under_a_budget(tmp_path):
    """Downtown San Francisco and Mountain View, both must-visit, with budget 150: a plan
    exists (it used to be called infeasible when the search failed to find it)."""
    customers = [_customer("Downtown", 37.7897, -122.3942, 10, must_visit=True),
                 _customer("Mountain View", 37.3861, -122.0839, 10, must_visit=True)]
    customers += [_customer(f"c{i}", 37.77 + i * 0.01, -122.42, 5) for i in range(12)]
    path = _sf(tmp_path, customers, budget=150)
    _, plan, _ = _plan(path)
    assert {"Downtown", "Mountain View"} <= plan.visited_names
    assert plan.cost <= 150


def test_must_visits_that_cannot_meet_are_proven_infeasible(tmp_path):
    customers = [_customer("Long A", 37.79, -122.39, 10, meeting="5h", hours="Mon 09:00-15:00", must_visit=True),
                 _customer("Long B", 37.39, -122.08, 10, meeting="5h", hours="Mon 10:00-17:00", must_visit=True)]
    result = CliRunner().invoke(app, ["plan", str(_sf(tmp_path, customers))])
    assert result.exit_code == 1, result.output
    assert "cannot all be visited together" in result.output and "every day, order and start time" in result.output


def test_must_visits_over_budget_say_what_the_cheapest_trip_costs(tmp_path):
    customers = [_customer("Downtown", 37.7897, -122.3942, 10, must_visit=True),
                 _customer("Mountain View", 37.3861, -122.0839, 10, must_visit=True)]
    scenario = tripopt.load_scenario(_sf(tmp_path, customers, budget=68.5))  # each alone costs 68.04
    with pytest.raises(tripopt.InfeasibleError) as raised:
        tripopt.solve(scenario)
    assert "fit together with the commitments, but the cheapest such trip costs" in raised.value.reason
    cheapest = float(raised.value.reason.split("costs ")[1].split(" ")[0].replace(",", ""))
    assert optimum(scenario.with_budget(cheapest)) is not None  # the stated cost is enough
    assert optimum(scenario.with_budget(cheapest - 0.05)) is None  # and it is the least (cents rounded up per leg)


def test_undecided_is_said_and_is_not_exit_1(tmp_path, monkeypatch):
    """When neither the search nor the exhaustive check decides, the answer says so (exit 3)."""
    monkeypatch.setattr(diagnose, "CORE_WORK", 1)
    monkeypatch.setattr(planner, "EXACT_MAX_CUSTOMERS", 0)
    customers = [_customer("Long A", 37.79, -122.39, 10, meeting="5h", hours="Mon 09:00-15:00", must_visit=True),
                 _customer("Long B", 37.39, -122.08, 10, meeting="5h", hours="Mon 10:00-17:00", must_visit=True)]
    result = CliRunner().invoke(app, ["plan", str(_sf(tmp_path, customers)), "--time-limit", "0.3"])
    assert result.exit_code == 3, result.output
    assert "not decided" in result.output and "cannot" not in result.output


def test_mandatory_visit_is_moved_for_the_optimum(tmp_path):
    """The issue's counterexample: the optimum (3) needs c1 and c2 around the must-visit c0."""
    path = write_scenario(tmp_path, [
        _customer("c0", 41.755, -87.63, 0, meeting="90min", hours="Mon 12:00-15:30", must_visit=True),
        _customer("c1", 42.13, -87.63, 1, meeting="15min", hours="Mon 11:00-15:30"),
        _customer("c2", 41.88, -87.63, 2, meeting="15min", hours="Mon 12:00-14:30"),
    ])
    scenario, plan, document = _plan(path)
    assert plan.value == optimum(scenario)[0] == 3
    assert document["summary"]["optimal"] is True


def test_blocked_by_a_commitment_is_conflicts_naming_it(tmp_path):
    """An account 300 m from the hotel, open only while the traveller is at a commitment
    across the bay: `conflicts`, naming the commitment, not `too_far`."""
    path = _sf(tmp_path, [_customer("Next door", 37.7867, -122.4010, 10, hours="Mon 10:00-11:30")],
               commitments=[{"name": "Oakland workshop", "place": "elsewhere", "date": "2026-10-05",
                             "start": "10:00", "end": "12:00"}])
    _, plan, _ = _plan(path)
    (left,) = plan.unvisited
    assert left.code == "conflicts" and "Oakland workshop" in left.reason


def test_out_of_reach_alone_is_too_far(tmp_path):
    path = _sf(tmp_path, [_customer("Sacramento", 38.58, -121.49, 10, hours="Mon 09:00-10:00")])
    _, plan, _ = _plan(path)
    assert plan.unvisited[0].code == "too_far"


def test_over_budget_alone(tmp_path):
    path = _sf(tmp_path, [_customer("Pricey", 37.80, -122.41, 10, cost=80)], budget=50)
    scenario, plan, _ = _plan(path)
    (left,) = plan.unvisited
    assert left.code == "over_budget"
    short = float(left.reason.split("need ")[1].split(" ")[0])  # the visit's 80 and the driving
    assert feasible_with(scenario, {"Pricey"}, 50 + short)
    assert not feasible_with(scenario, {"Pricey"}, 50 + short - 0.05)


def test_value_zero_customer_is_not_visited_for_nothing(tmp_path):
    path = _sf(tmp_path, [_customer("Dinner", 37.79, -122.40, 0, cost=40), _customer("Acme", 37.80, -122.41, 5)])
    _, plan, document = _plan(path)
    assert plan.visited_names == {"Acme"}
    assert {u["name"]: u["code"] for u in document["unvisited"]} == {"Dinner": "no_value"}


def _day_of(document, name):
    return next(d["date"] for d in document["days"] for s in d["stops"] if s.get("name") == name)


def test_budget_hint_holds_when_applied(tmp_path):
    """Two customers, money for one: the other's hint names the extra budget at which it
    joins with every visit kept; the brute force confirms it, and a little less is not enough."""
    path = _sf(tmp_path, [_customer("Near", 37.79, -122.40, 20, cost=30),
                          _customer("Also near", 37.80, -122.41, 10, cost=30)], budget=40)
    scenario, plan, document = _plan(path)
    (left,) = document["unvisited"]
    assert left["code"] == "lower_value" and left["hint"]["kind"] == "budget"
    extra = left["hint"]["extra_budget"]
    names = plan.visited_names | {left["name"]}
    assert feasible_with(scenario, names, scenario.budget + extra)
    assert not feasible_with(scenario, names, scenario.budget + extra - 0.05)  # cents rounded up per leg
    raised = tripopt.solve(scenario.with_budget(scenario.budget + extra))
    assert left["name"] in raised.visited_names


def test_swap_hint_holds_when_applied(tmp_path):
    """Two long meetings, room for one: the other fits in place of the visit the hint names."""
    path = _sf(tmp_path, [_customer("Big", 37.79, -122.40, 20, meeting="5h", hours="Mon 09:00-17:00"),
                          _customer("Small", 37.80, -122.41, 10, meeting="5h", hours="Mon 09:00-17:00")])
    scenario, plan, document = _plan(path)
    (left,) = document["unvisited"]
    hint = left["hint"]
    assert left["code"] == "lower_value" and hint["kind"] == "swap" and hint["replaces"] == "Big"
    assert "every day, order and start time was checked" in left["reason"]
    assert feasible_with(scenario, plan.visited_names - {hint["replaces"]} | {left["name"]}, scenario.budget)
    assert not feasible_with(scenario, plan.visited_names | {left["name"]}, scenario.budget)


@pytest.mark.parametrize("customers, overrides, fragment", [
    ([_customer("a", 37.79, -122.40, 5)],
     {"commitments": [{"name": "Keynote", "place": "elsewhere", "date": "2026-10-05", "start": "08:05",
                       "end": "09:00"}]}, "commitment 'Keynote'"),
    ([_customer("Sacramento", 38.58, -121.49, 10, hours="Mon 09:00-10:00", must_visit=True)], {},
     "must-visit customer 'Sacramento' cannot be visited"),
    ([_customer("Long A", 37.79, -122.39, 10, meeting="5h", hours="Mon 09:00-15:00", must_visit=True),
      _customer("Long B", 37.39, -122.08, 10, meeting="5h", hours="Mon 10:00-17:00", must_visit=True)], {},
     "cannot all be visited together"),
])
def test_check_says_what_plan_would_refuse(tmp_path, customers, overrides, fragment):
    """`check` runs the proven infeasibility checks too, and agrees with `plan`."""
    path = _sf(tmp_path, customers, **overrides)
    checked = CliRunner().invoke(app, ["check", str(path)])
    planned = CliRunner().invoke(app, ["plan", str(path)])
    assert checked.exit_code == planned.exit_code == 1, checked.output + planned.output
    assert fragment in checked.output and fragment in planned.output


def test_window_after_the_day_ends_is_left_out_without_a_crash(tmp_path):
    """A window opening after the day's end used to make OR-Tools fail ('CP Solver fail')
    on problems too large for the exhaustive search."""
    customers = [_customer(f"c{i}", 41.88 + 0.01 * i, -87.63, i + 1, hours="Mon 09:00-17:00") for i in range(12)]
    customers.append(_customer("late", 41.90, -87.64, 50, hours="Mon 18:30-20:00"))
    _, plan, _ = _plan(write_scenario(tmp_path, customers))
    assert {u.name: u.code for u in plan.unvisited}["late"] == "too_far"
