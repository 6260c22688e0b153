"""Events the plan may attend (docs/scenario.md#events): a user group
that meets customers the days cannot reach is attended, each customer counts once, an
event that adds nothing or cannot be attended is skipped with a true reason, costs count
against the budget, bad events are bad input naming the event, and tiny scenarios with
events are planned optimally (against the brute force of tests/bruteforce.py)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.errors import InfeasibleError
from tripopt.model import Traveller
from tripopt.planner import adopt

from .bruteforce import solution, witness
from .checker import check_plan
from .conftest import MONDAY, ROOT, SCENARIOS, customer_row

HALL = {"hall": {"lat": 41.8900, "lon": -87.6300}}  # 1.5 km from the hotel
FAR = [(43.0731, -89.4012), (43.0800, -89.4100), (44.5133, -88.0133)]  # Madison, Green Bay: no day trip at 40 km/h
ROCKFORD = (42.2711, -89.0940)  # a day trip, barely
NEAR = [(41.8880, -87.6217), (41.8830, -87.6290), (41.8950, -87.6350), (41.9000, -87.6200)]
OFFICE = "Mon 09:00-17:00"


def _event(name="UG", start="16:30", end="17:30", attendees=(), **fields) -> dict:
    return {"name": name, "place": fields.pop("place", "hall"), "date": fields.pop("date", MONDAY),
            "start": start, "end": end, "attendees": list(attendees), **fields}


def _checked(scenario):
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return plan, document


def _event_stops(document) -> dict[str, dict]:
    return {s["name"]: s for d in document["days"] for s in d["stops"] if s["type"] == "event"}


def _skipped(document) -> dict[str, str]:
    return {s["name"]: s["reason"] for s in document["skipped_events"]}


def test_a_user_group_evening_meets_customers_the_day_cannot_reach(one_day):
    """Three far accounts come to the evening user group; one of them also comes to a lunch
    meetup, where it is met first: it counts once, at the earlier event."""
    rows = [customer_row("Local", *NEAR[0], 10, hours=OFFICE)]
    rows += [customer_row(f"Far{i}", *FAR[i], value, hours=OFFICE) for i, value in enumerate((50, 30, 20))]
    events = [_event("UG", attendees=["Far0", "Far1", "Far2"], value=5),
              _event("Lunch meetup", "12:00", "13:00", attendees=["Far0"], value=1)]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=events))
    alone = tripopt.solve(dataclasses.replace(scenario, events=()))
    assert {u.name: u.code for u in alone.unvisited} == {"Far0": "too_far", "Far1": "too_far", "Far2": "too_far"}
    plan, document = _checked(scenario)
    stops = _event_stops(document)
    assert stops["Lunch meetup"]["met"] == ["Far0"] and stops["UG"]["met"] == ["Far1", "Far2"]
    assert stops["UG"]["value"] == 5 + 30 + 20 and stops["Lunch meetup"]["value"] == 1 + 50
    assert document["summary"]["value"] == 10 + 50 + 30 + 20 + 5 + 1
    assert document["summary"]["met"] == 3 and document["summary"]["visited"] == 1
    assert document["unvisited"] == [] and document["skipped_events"] == []
    assert plan.optimal


def test_an_event_whose_attendees_are_all_visited_anyway_is_skipped(one_day):
    rows = [customer_row("A", *NEAR[0], 10, hours=OFFICE), customer_row("B", *NEAR[1], 20, hours=OFFICE)]
    events = [_event("Meetup", "12:00", "13:00", attendees=["A", "B"], cost=30)]
    plan, document = _checked(tripopt.load_scenario(one_day(rows, places=HALL, events=events)))
    assert plan.visited_names == {"A", "B"} and not _event_stops(document)
    reason = _skipped(document)["Meetup"]
    assert reason.startswith("attending would add no value: every attendee is visited, and it has no value of its own")
    assert "attending would cost more than it brings in this plan" in reason  # instead of the visits: dearer


def test_an_event_overlapping_a_commitment_is_skipped_naming_it(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE)]
    booth = {"name": "Booth shift A", "place": "venue", "date": MONDAY, "start": "10:00", "end": "14:00"}
    events = [_event("Lunch meetup", "12:00", "13:00", attendees=["Far0"], value=100)]
    _, document = _checked(tripopt.load_scenario(one_day(rows, places=HALL, events=events, commitments=[booth])))
    assert _skipped(document) == {"Lunch meetup": "it overlaps 'Booth shift A' (10:00-14:00)"}
    assert "not met at an event either: it attends 'Lunch meetup'" in document["unvisited"][0]["reason"]


def test_an_event_that_cannot_be_reached_in_time_says_so(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE)]
    talk = {"name": "Talk", "place": "airport", "date": MONDAY, "start": "10:00", "end": "12:00"}
    events = [_event("Lunch", "12:05", "13:00", attendees=["Far0"])]  # the airport is 30 km from the hall
    _, document = _checked(tripopt.load_scenario(one_day(rows, places=HALL, events=events, commitments=[talk])))
    reason = _skipped(document)["Lunch"]
    assert reason.startswith("it cannot be reached by its start: leaving 'Talk' at 12:00, the earliest arrival is")


def test_an_event_that_can_bring_nothing_is_skipped_whatever_the_plan(one_day):
    rows = [customer_row("A", *NEAR[0], 10, hours=OFFICE), customer_row("Zero", *NEAR[1], 0, hours=OFFICE)]
    events = [_event("Coffee", "12:00", "12:30", cost=5), _event("Zero club", "13:00", "13:30", attendees=["Zero"])]
    _, document = _checked(tripopt.load_scenario(one_day(rows, places=HALL, events=events)))
    assert _skipped(document) == {
        "Coffee": "attending would add no value: it has no attendees and no value of its own",
        "Zero club": "attending would add no value: the attendees it would meet (Zero) have value 0, and it has no "
                     "value of its own"}


def test_in_a_team_the_reason_names_who_cannot_attend(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE)]
    team = [{"name": "Dana"}, {"name": "Lee"}]
    shifts = [{"name": f"Shift {who}", "who": who, "place": "venue", "date": MONDAY, "start": "12:00", "end": "14:00"}
              for who in ("Dana", "Lee")]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, travellers=team, commitments=shifts,
                                             events=[_event("Lunch", "12:30", "13:30", attendees=["Far0"])]))
    _, document = _checked(scenario)
    assert _skipped(document) == {"Lunch": "Dana: it overlaps 'Shift Dana' (12:00-14:00); "
                                           "Lee: it overlaps 'Shift Lee' (12:00-14:00)"}


def test_a_must_visit_met_at_an_event_counts_as_visited(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE, must_visit="yes"),
            customer_row("Local", *NEAR[0], 10, hours=OFFICE)]
    without = tripopt.load_scenario(one_day(rows, places=HALL))
    with pytest.raises(InfeasibleError, match="must-visit customer 'Far0' cannot be visited"):
        tripopt.solve(without)
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=[_event(attendees=["Far0"])]))
    plan, document = _checked(scenario)
    assert _event_stops(document)["UG"]["met"] == ["Far0"] and plan.met_names == {"Far0"}


def test_the_event_cost_counts_against_the_budget(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE)]
    path = one_day(rows, places=HALL, events=[_event(attendees=["Far0"], cost=25)])
    scenario = tripopt.load_scenario(path)
    plan, document = _checked(scenario.with_budget(30))
    assert "UG" in _event_stops(document) and _event_stops(document)["UG"]["cost"] == 25
    assert 25 < plan.cost <= 30  # the ticket and the drive to the hall and back
    _, poorer = _checked(scenario.with_budget(20))
    assert _skipped(poorer)["UG"].startswith("attending it costs more than the budget: with the commitments alone "
                                             "it would cost")


def test_a_customer_blocked_only_by_an_attended_event_is_lower_value_not_conflicts(one_day):
    """Its windows are blocked by the event the plan chose, not by a commitment: the plan
    could see it by not attending, so the claim is `lower_value`."""
    rows = [customer_row("Evening only", *NEAR[1], 5, hours="Mon 16:00-17:45", meeting="60min")]
    rows += [customer_row(f"Far{i}", *FAR[i], 50, hours=OFFICE) for i in range(3)]
    events = [_event(start="16:15", end="17:30", attendees=["Far0", "Far1", "Far2"])]
    plan, document = _checked(tripopt.load_scenario(one_day(rows, places=HALL, events=events)))
    assert plan.met == 3
    entry = next(u for u in document["unvisited"] if u["name"] == "Evening only")
    assert entry["code"] == "lower_value" and "no room beside the events this plan attends ('UG')" in entry["reason"]


def test_in_a_team_one_traveller_attends_and_only_one_allowed(one_day):
    rows = [customer_row("Far0", *FAR[0], 50, hours=OFFICE), customer_row("Local", *NEAR[0], 10, hours=OFFICE)]
    team = [{"name": "Dana"}, {"name": "Lee"}]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, travellers=team,
                                             events=[_event(attendees=["Far0"], who="Lee")]))
    _, document = _checked(scenario)
    lee = next(d for d in document["days"] if d["traveller"] == "Lee")
    assert [s["name"] for s in lee["stops"] if s["type"] == "event"] == ["UG"]
    assert sum(s["type"] == "event" for d in document["days"] for s in d["stops"]) == 1


def test_a_plan_with_events_is_remembered_and_re_checked(one_day):
    rows = [customer_row("Local", *NEAR[0], 10, hours=OFFICE), customer_row("Far0", *FAR[0], 50, hours=OFFICE)]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=[_event(attendees=["Far0"])]))
    plan, _ = _checked(scenario)
    assert ("event", "UG") in dict(plan.outline.days)[("", scenario.trip.start)]
    again = adopt(scenario, plan.outline)
    assert (again.value, again.cost, again.met) == (plan.value, plan.cost, plan.met)
    check_plan(json.loads(json.dumps(tripopt.plan_dict(again))), scenario)
    warm = tripopt.solve(scenario, warm_start=plan.outline)
    assert warm.value >= plan.value


@pytest.mark.parametrize("change, culprit", [
    ({"events": [_event(attendees=["Nobody"])]}, "events #1 (UG).attendees: 'Nobody' is not a customer"),
    ({"events": [_event(attendees=["A", "A"])]}, "events #1 (UG).attendees: 'A' is listed twice"),
    ({"events": [_event(place="moon", attendees=["A"])]}, "events #1 (UG).place: unknown place 'moon'"),
    ({"events": [_event(date="2026-10-09", attendees=["A"])]},
     "events #1 (UG).date: 2026-10-09 is outside the trip (2026-10-05 to 2026-10-05)"),
    ({"events": [_event(start="17:00", end="16:00")]}, "events #1 (UG): ends at 16:00, before it starts at 17:00"),
    ({"events": [_event(), _event()]}, "events #2 (UG): the name 'UG' is taken by an earlier event"),
    ({"events": [_event(who="Dana")]}, "events #1 (UG).who: 'Dana' is not a traveller"),
    ({"events": [{"name": "UG", "place": "hall", "date": MONDAY, "start": "16:00", "end": "17:00", "price": 3}]},
     "events #1.price: unknown key 'price'"),
], ids=["unknown_attendee", "attendee_twice", "unknown_place", "outside_the_trip", "ends_before_it_starts",
        "duplicate_name", "who_without_a_team", "unknown_key"])
def test_bad_events_are_bad_input_naming_the_event(one_day, change, culprit):
    path = one_day([customer_row("A", *NEAR[0], 10)], places=HALL, **change)
    for command in (["check", str(path)], ["plan", str(path), "--fresh"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert culprit in result.output, result.output


def test_an_event_outside_the_day_hours_is_warned_about(one_day):
    path = one_day([customer_row("A", *NEAR[0], 10)], places=HALL, events=[_event(start="17:30", end="19:00")])
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and "events #1 (UG): 17:30-19:00 is outside the day hours 08:00-18:00" in result.output


def test_scenarios_without_events_have_no_event_fields():
    """The JSON of a scenario without events is what it was before events existed."""
    for path in SCENARIOS:
        scenario = tripopt.load_scenario(path)
        if scenario.events:
            continue
        plan = tripopt.solve(scenario.with_time_limit(0.3))
        document = tripopt.plan_dict(plan)
        assert "met" not in document["summary"] and "skipped_events" not in document


def test_the_events_example_attends_the_user_group():
    scenario = tripopt.load_scenario(ROOT / "scenarios" / "reinvent-events-2026.yaml").with_time_limit(2)
    _, document = _checked(scenario)
    ug = _event_stops(document)["Las Vegas Kubernetes user group"]
    assert {"Phoenix Semiconductor", "Laughlin River Casinos", "Kingman Freight"} <= set(ug["met"])
    assert _skipped(document) == {"Partner breakfast": "it overlaps 'Keynote' (09:00-10:30)"}


# -- tiny scenarios against the brute force ------------------------------------------------------

SPOTS = [*NEAR, ROCKFORD]


@st.composite
def _tiny(draw):
    count = draw(st.integers(1, 4))
    rows = []
    for i in range(count):
        start = draw(st.sampled_from([9, 10, 13]))
        rows.append(customer_row(f"c{i}", *SPOTS[draw(st.integers(0, len(SPOTS) - 1))], draw(st.integers(0, 20)),
                                 meeting=f"{draw(st.sampled_from([45, 120, 240]))}min",
                                 hours=f"Mon {start:02d}:00-{start + 5:02d}:00",
                                 must_visit="yes" if draw(st.integers(0, 5)) == 0 else ""))
    events = []
    for k in range(draw(st.integers(0, 2))):
        begin = draw(st.sampled_from([9, 12, 15, 16]))
        attendees = draw(st.lists(st.sampled_from([r["name"] for r in rows]), unique=True, max_size=3))
        events.append(_event(f"e{k}", f"{begin:02d}:00", f"{begin + 1:02d}:00", attendees,
                             place=draw(st.sampled_from(["hall", "venue", "airport"])),
                             value=draw(st.sampled_from([0, 0, 4])), cost=draw(st.sampled_from([0, 0, 10]))))
    commitments = draw(st.sampled_from([[], [{"name": "Talk", "place": "venue", "date": MONDAY, "start": "11:00",
                                              "end": "12:00"}]]))
    budget = draw(st.sampled_from([None, None, 25]))
    team = draw(st.sampled_from([None, None, [{"name": "Dana"}, {"name": "Lee", "day": {"start": "12:00"}}]]))
    return rows, events, commitments, budget, team


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(case=_tiny())
def test_tiny_scenarios_with_events_are_optimal(one_day, case):
    rows, events, commitments, budget, team = case
    keys = {"travellers": team} if team else {}
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=events, commitments=commitments,
                                             budget=budget, **keys))
    best = solution(scenario)
    if best is None:
        with pytest.raises(InfeasibleError):
            tripopt.solve(scenario)
        return
    check_plan(witness(scenario, best), scenario)  # the brute force's own plan keeps the rules
    plan, _ = _checked(scenario)
    assert abs(plan.value - best.value) < 1e-6, (plan.value, best)
    assert plan.optimal


def test_a_team_member_may_be_named_by_a_traveller_record(one_day):
    """`Event.may_attend` reads `who` like a commitment's: a name of the team."""
    scenario = tripopt.load_scenario(one_day([customer_row("A", *NEAR[0], 10)], places=HALL,
                                             travellers=[{"name": "Dana"}, {"name": "Lee"}],
                                             events=[_event(attendees=["A"], who="Dana, Lee")]))
    event = scenario.events[0]
    assert event.who == ("Dana", "Lee") and event.may_attend(Traveller("Lee", "hotel", None, None, 0, 600))


def test_the_calendar_and_the_map_show_whom_an_event_meets(one_day):
    """The attended event is in the calendar with the customers met, and on the map with a
    line out to each of them."""
    from icalendar import Calendar

    from tripopt.ics import plan_calendar
    from tripopt.webmap import plan_map_html

    rows = [customer_row(f"Far{i}", *FAR[i], value, hours=OFFICE) for i, value in enumerate((50, 30))]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=[_event("UG", attendees=["Far0", "Far1"])]))
    plan, _ = _checked(scenario)
    (event,) = [e for e in Calendar.from_ical(plan_calendar(plan, True)).walk("VEVENT") if str(e["summary"]) == "UG"]
    assert "Meets: Far0, Far1" in str(event["description"])
    page = plan_map_html(plan, scenario.places.values())
    assert page.count("tripopt-met") == 2 and "meets Far0, Far1" in page


def test_compare_says_which_events_each_budget_attends(one_day):
    from tripopt.compare import compare
    from tripopt.report import comparison_dicts

    rows = [customer_row(f"Far{i}", *FAR[i], value, hours=OFFICE) for i, value in enumerate((50, 30))]
    scenario = tripopt.load_scenario(one_day(rows, places=HALL, events=[_event("UG", attendees=["Far0", "Far1"],
                                                                               cost=40)]))
    found = comparison_dicts(compare(scenario, [10, 100], processes=1))
    assert [(r["budget"], r["events"]) for r in found] == [(10, []), (100, ["UG"])]
