"""Several travellers sharing one account list (docs/scenario.md, travellers): plans keep
the team rules (tests/checker.py), are optimal on tiny cases against the brute force, and
are never worse than the first traveller alone."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.model import Endpoint, Traveller

from .bruteforce import optimum
from .checker import check_plan
from .conftest import ROOT, customer_row

NEAR = [(41.8880, -87.6217), (41.8830, -87.6290), (41.8950, -87.6350), (41.9000, -87.6200), (41.8750, -87.6300)]


def _team(scenario, *members: Traveller, **changes):
    return dataclasses.replace(scenario, travellers=members, **changes)


def _member(name: str, start: int = 8 * 60, end: int = 18 * 60, **fields) -> Traveller:
    return Traveller(name, fields.pop("base", "hotel"), fields.pop("arrive", None), fields.pop("depart", None),
                     start, end, fields.pop("max_drive", None))


def _checked(scenario):
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return plan, document


def test_two_travellers_share_the_accounts_each_visited_once(one_day):
    rows = [customer_row(f"C{i}", *NEAR[i % 5], 10 + i, meeting="3h", hours="Mon 09:00-17:00") for i in range(5)]
    scenario = _team(tripopt.load_scenario(one_day(rows)), _member("Dana"), _member("Lee"))
    plan, document = _checked(scenario)
    assert [d["traveller"] for d in document["days"]] == ["Dana", "Lee"]
    assert document["summary"]["travellers"] == ["Dana", "Lee"]
    alone = tripopt.solve(tripopt.load_scenario(one_day(rows)))
    assert (alone.visited, plan.visited) == (2, 4)  # two 3-hour meetings fit a day: each traveller does two
    assert plan.value >= alone.value


def test_commitments_bind_who_they_name_and_owners_keep_their_accounts(one_day):
    rows = [customer_row("Owned", *NEAR[0], 50), customer_row("Open", *NEAR[1], 5)]
    scenario = tripopt.load_scenario(one_day(rows))
    owned = dataclasses.replace(scenario.customers[0], travellers=("Lee",))
    booth = tripopt.Commitment("Booth", "venue", scenario.trip.start, 9 * 60, 17 * 60, who=("Lee",))
    team = _team(scenario, _member("Dana"), _member("Lee"), customers=(owned, scenario.customers[1]),
                 commitments=(booth,))
    plan, document = _checked(team)
    by = {d["traveller"]: [s["name"] for s in d["stops"] if s["type"] != "start" and s["type"] != "end"]
          for d in document["days"]}
    assert "Booth" in by["Lee"] and "Booth" not in by.get("Dana", [])
    assert "Owned" not in plan.visited_names  # only Lee may visit it, and Lee is at the booth all day
    assert "Open" in by["Dana"]


def test_each_traveller_starts_from_their_own_place(one_day):
    rows = [customer_row("A", *NEAR[0], 10)]
    scenario = tripopt.load_scenario(one_day(rows))
    late = _member("Lee", arrive=Endpoint("airport", 13 * 60))
    _, document = _checked(_team(scenario, _member("Dana"), late))
    lee = next(d for d in document["days"] if d["traveller"] == "Lee")
    assert lee["stops"][0]["name"] == scenario.places["airport"].name


@st.composite
def _tiny_team(draw):
    count = draw(st.integers(1, 4))
    rows = []
    for i in range(count):
        start = draw(st.sampled_from([9, 10, 13]))
        meeting = draw(st.sampled_from([45, 120, 240]))
        rows.append(customer_row(f"c{i}", *NEAR[i], draw(st.integers(0, 20)), meeting=f"{meeting}min",
                                 hours=f"Mon {start:02d}:00-{start + 5:02d}:00"))
    owners = [draw(st.sampled_from([(), ("Dana",), ("Lee",)])) for _ in range(count)]
    booth = draw(st.sampled_from([None, ("Dana",), ("Lee",), ()]))
    cap = draw(st.sampled_from([None, 30]))
    return rows, owners, booth, cap


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(case=_tiny_team())
def test_tiny_teams_are_optimal(one_day, case):
    rows, owners, booth, cap = case
    scenario = tripopt.load_scenario(one_day(rows))
    customers = tuple(dataclasses.replace(c, travellers=o) for c, o in zip(scenario.customers, owners))
    commitments = () if booth is None else (
        tripopt.Commitment("Booth", "venue", scenario.trip.start, 11 * 60, 13 * 60, who=booth),)
    team = _team(scenario, _member("Dana", max_drive=cap), _member("Lee", 10 * 60, 16 * 60), customers=customers,
                 commitments=commitments)
    best = optimum(team)
    if best is None:
        return
    plan, _ = _checked(team)
    assert abs(plan.value - best.value) < 1e-6
    alone = optimum(dataclasses.replace(team, travellers=team.travellers[:1]))
    assert alone is None or plan.value >= alone.value - 1e-6  # a team is never worse than its first alone


TEAM = [{"name": "Dana"}, {"name": "Lee", "arrive": {"place": "airport", "time": "13:00"}}]


@pytest.mark.parametrize("change, culprit", [
    ({"travellers": [{"name": "Dana"}, {"name": "Dana"}]}, "travellers #2 (Dana): the name 'Dana' is taken"),
    ({"travellers": [{"name": "Dana", "base": "motel"}]}, "travellers #1 (Dana).base: unknown place"),
    ({"travellers": TEAM, "commitments": [{"name": "Booth", "who": "Dana; Kim", "place": "venue",
                                            "date": "2026-10-05", "start": "10:00", "end": "12:00"}]},
     "commitments #1 (Booth).who: 'Kim' is not a traveller (travellers: Dana, Lee)"),
    ({"commitments": [{"name": "Booth", "who": "Dana", "place": "venue", "date": "2026-10-05", "start": "10:00",
                       "end": "12:00"}]},
     "'Dana' is not a traveller (travellers: none: the scenario has no travellers)"),
], ids=["duplicate_name", "unknown_base", "unknown_who", "who_without_a_team"])
def test_bad_team_input_names_the_entry(one_day, change, culprit):
    path = one_day([customer_row("A", *NEAR[0], 10)], **change)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert culprit in result.output, result.output


def test_an_unknown_owner_in_the_travellers_column_names_the_row(one_day):
    path = one_day([customer_row("A", *NEAR[0], 10, travellers="Lee, Kim")], travellers=TEAM)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "(A)" in result.output and "travellers: 'Kim' is not a traveller (travellers: Dana, Lee)" in result.output


def test_the_team_example_plans_and_checks():
    path = ROOT / "scenarios" / "reinvent-team-2026.yaml"
    scenario = tripopt.load_scenario(path).with_time_limit(2)
    plan, document = _checked(scenario)
    assert document["summary"]["travellers"] == ["Dana", "Lee", "Sam"]
    alone = tripopt.solve(dataclasses.replace(scenario, travellers=scenario.travellers[:1]))
    assert plan.value >= alone.value


def test_commitments_of_different_travellers_may_overlap(one_day):
    """Booth shifts of two travellers at one time, even under one name, are fine; one
    traveller's two commitments at one time are not."""
    shifts = [{"name": "Booth", "who": who, "place": "venue", "date": "2026-10-05", "start": "10:00", "end": "12:00"}
              for who in ("Dana", "Lee")]
    pair = [{"name": "Dana"}, {"name": "Lee"}]
    plan, _ = _checked(tripopt.load_scenario(one_day([customer_row("A", *NEAR[0], 10)], travellers=pair,
                                                     commitments=shifts)))
    assert sum(s.name == "Booth" for d in plan.days for s in d.stops) == 2
    clash = one_day([customer_row("A", *NEAR[0], 10)], travellers=pair,
                    commitments=[{**shifts[0], "name": "Booth"}, {**shifts[0], "name": "Call", "who": None}])
    result = CliRunner().invoke(app, ["check", str(clash)])
    assert result.exit_code == 2 and "'Booth' (10:00-12:00) and 'Call' (10:00-12:00) overlap" in result.output
