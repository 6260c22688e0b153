"""Each reason code (docs/reasons.md) on a
tiny scenario built so that exactly that reason is true: the code, the meaningful part of
the reason, and the claim itself re-decided by the brute force (tests/bruteforce.py), which
shares no code with the solver. Hints are applied and must bring the customer in.

Through the public API only (`tripopt.load_scenario`, `tripopt.solve`, `tripopt.plan_dict`);
every plan is checked by tests/checker.py. The places are the factory's (Chicago): the hotel,
the venue 1.5 km from it (8 minutes' travel) and O'Hare ("airport", 55 minutes away).
"""

from __future__ import annotations

import re

import pytest

from .bruteforce import feasible_with
from .conftest import MONDAY, TUESDAY, customer_row, solve_checked

NEAR_HOTEL = (41.8880, -87.6217)  # 130 m from the hotel: 8 minutes from the venue
BETWEEN = (41.8830, -87.6290)  # between the hotel and the venue: 7 minutes from each


def _entry(document, name):
    (entry,) = [u for u in document["unvisited"] if u["name"] == name]
    return entry


def _short(reason):
    """The amount an `over_budget` reason says is missing."""
    return float(re.search(r"need ([\d,.]+) USD more", reason).group(1).replace(",", ""))


def _commitment(name, place, start, end, date=MONDAY):
    return {"name": name, "place": place, "date": date, "start": start, "end": end}


# -- no_availability --------------------------------------------------------------------


@pytest.mark.parametrize("hours, fragment", [
    ("Sat-Sun 10:00-16:00",
     "not available on any day the trip may use (Mon 05 Oct to Mon 05 Oct; hours Sat-Sun 10:00-16:00)"),
    ("Mon 09:00-09:30; Tue 09:00-17:00",
     "no window on the trip's days is long enough for the 45-minute meeting (hours Mon 09:00-09:30; Tue"),
], ids=["no_day_of_the_trip", "windows_too_short"])
def test_no_availability(one_day, hours, fragment):
    """Open only on days the trip does not have, or (on its one day) for less than the meeting."""
    path = one_day([customer_row("Closed", *NEAR_HOTEL, 10, hours=hours),
                    customer_row("Open", *BETWEEN, 5)])
    _, plan, document = solve_checked(path)
    entry = _entry(document, "Closed")
    assert entry["code"] == "no_availability" and fragment in entry["reason"]
    assert "hint" not in entry and plan.visited_names == {"Open"}


# -- too_far ------------------------------------------------------------------------------


def test_too_far_for_the_driving_cap(one_day):
    """A customer 27 minutes' drive out, with plenty of time but a 30-minute driving cap:
    `too_far` names the cap; without the cap it is visited."""
    rows = [customer_row("Jefferson Park", 41.96, -87.75, 10)]
    path = one_day(rows, trip={"max_drive": "30min"})
    scenario, _, document = solve_checked(path)
    entry = _entry(document, "Jefferson Park")
    assert entry["code"] == "too_far"
    assert "cannot be reached and left in time on any day or within the 0h30 driving cap" in entry["reason"]
    assert not feasible_with(scenario, {"Jefferson Park"}, None)
    uncapped, plan, _ = solve_checked(one_day(rows))
    assert plan.visited_names == {"Jefferson Park"} and feasible_with(uncapped, {"Jefferson Park"}, None)


def test_too_far_from_the_days_own_start(one_day):
    """Each day's own start counts: arriving at O'Hare at 16:30, a customer downtown open
    17:00-18:00 for an hour cannot be reached in time (leaving the hotel it could)."""
    rows = [customer_row("Late", *NEAR_HOTEL, 10, meeting="1h", hours="Mon 17:00-18:00")]
    day = {"start": "08:00", "end": "19:00"}
    path = one_day(rows, trip={"day": day, "arrive": {"place": "airport", "time": "16:30"}})
    scenario, _, document = solve_checked(path)
    entry = _entry(document, "Late")
    assert entry["code"] == "too_far" and "even as the only visit and with no commitments" in entry["reason"]
    assert not feasible_with(scenario, {"Late"}, None)
    _, plan, _ = solve_checked(one_day(rows, trip={"day": day}))
    assert plan.visited_names == {"Late"}


# -- conflicts ------------------------------------------------------------------------------

WORKSHOP = _commitment("Workshop", "venue", "09:00", "12:00")
CASES = {
    # the window ends as the talk begins, but the drive to the venue does not fit after the meeting
    "travel_to_the_commitment": ("one_commitment", NEAR_HOTEL, "Mon 09:10-10:00", None, ["'Talk' (Mon 05 Oct)"], []),
    # either leaves an hour in 09:00-12:00; together they leave 30 minutes: both are named
    "blocked_only_together": ("one_day", BETWEEN, "Mon 09:00-12:00",
                              [_commitment("Breakfast", "venue", "09:00", "10:30"),
                               _commitment("Panel", "venue", "11:00", "12:00")],
                              ["'Breakfast' (Mon 05 Oct)", "'Panel' (Mon 05 Oct)"], []),
    # the workshop blocks it on its own, the lunch does not: only the workshop is named
    "one_of_two_blocks": ("one_day", BETWEEN, "Mon 09:00-12:00",
                          [WORKSHOP, _commitment("Lunch", "venue", "12:30", "13:30")],
                          ["'Workshop' (Mon 05 Oct)"], ["Lunch"]),
    # each day is blocked by its own workshop: both days are named
    "every_day_blocked": ("two_days", BETWEEN, "Mon-Tue 09:00-12:00", [WORKSHOP, {**WORKSHOP, "date": TUESDAY}],
                          ["'Workshop' (Mon 05 Oct)", "'Workshop' (Tue 06 Oct)"], []),
}


@pytest.mark.parametrize("trip, at, hours, commitments, named, not_named", CASES.values(), ids=CASES.keys())
def test_conflicts_names_the_blocking_commitments(request, trip, at, hours, commitments, named, not_named):
    """`conflicts`: visitable alone with no commitments (so not `too_far`), but not beside
    the commitments with their travel; the reason names the ones that block it."""
    make = request.getfixturevalue(trip)
    rows = [customer_row("Blocked", *at, 10, hours=hours)]
    path = make(rows) if commitments is None else make(rows, commitments=commitments)
    scenario, _, document = solve_checked(path)
    entry = _entry(document, "Blocked")
    assert entry["code"] == "conflicts", entry
    assert f"its windows ({hours}) are blocked on every such day" in entry["reason"]
    assert all(name in entry["reason"] for name in named), entry["reason"]
    assert not any(name in entry["reason"] for name in not_named), entry["reason"]
    assert not feasible_with(scenario, {"Blocked"}, None)  # not even as the only customer
    free, plan, _ = solve_checked(make(rows, commitments=[]))
    assert plan.visited_names == {"Blocked"} and feasible_with(free, {"Blocked"}, None)


# -- over_budget ------------------------------------------------------------------------------


@pytest.mark.parametrize("rows, overrides, layout", [
    # open on Sunday only: the extension day before (60.00) is what it costs
    ([customer_row("Wanted", *NEAR_HOTEL, 10, hours="Sun 10:00-14:00"), customer_row("Open", *BETWEEN, 5)],
     {"trip": {"extend": {"before": {"days": 1, "cost": 60}}}, "budget": 40}, (1, 0)),
    # 10.00 to visit, and the commitment at O'Hare already drives 33.22 of the 40.00
    ([customer_row("Wanted", *NEAR_HOTEL, 10, cost=10)],
     {"commitments": [_commitment("Airport meeting", "airport", "13:00", "14:00")], "budget": 40}, (0, 0)),
], ids=["needs_an_extension_day", "beside_the_commitments"])
def test_over_budget_states_the_amount_missing(one_day, rows, overrides, layout):
    """`over_budget`: it fits in time, but even as the only customer (with the commitments)
    it costs more than the budget; the amount stated is the least that lets it in."""
    path = one_day(rows, **overrides)
    scenario, _, document = solve_checked(path)
    entry = _entry(document, "Wanted")
    assert entry["code"] == "over_budget" and "even as the only customer, costs more than the budget" in entry["reason"]
    short = _short(entry["reason"])
    assert feasible_with(scenario, {"Wanted"}, scenario.budget + short, layout)
    assert not feasible_with(scenario, {"Wanted"}, scenario.budget + short - 0.05, layout)
    _, richer, document = solve_checked(path, budget=scenario.budget + short)
    assert "Wanted" in richer.visited_names
    assert document["summary"]["extension_days"] == {"before": layout[0], "after": layout[1]}


def test_over_budget_besides_the_must_visits(one_day):
    """`over_budget` counts the must-visit customers too (they are in every plan): alone it
    would fit the budget, with the must-visit it does not; the amount stated is the least
    that lets both in, and raising the budget by it brings it in."""
    path = one_day([customer_row("Deal", *BETWEEN, 0, cost=30, must_visit=True),
                    customer_row("Wanted", *NEAR_HOTEL, 10, cost=30)], budget=50)
    scenario, plan, document = solve_checked(path)
    assert plan.visited_names == {"Deal"}
    entry = _entry(document, "Wanted")
    assert entry["code"] == "over_budget" and "besides the must-visit customers" in entry["reason"]
    short = _short(entry["reason"])
    assert feasible_with(scenario, {"Deal", "Wanted"}, scenario.budget + short)
    assert not feasible_with(scenario, {"Deal", "Wanted"}, scenario.budget + short - 0.05)
    _, richer, _ = solve_checked(path, budget=scenario.budget + short)
    assert richer.visited_names == {"Deal", "Wanted"}


def test_a_must_visit_that_blocks_in_time_is_not_over_budget(one_day):
    """When it is time, not money, that keeps it from the must-visit, the code is not
    `over_budget` (whatever the budget)."""
    path = one_day([customer_row("Deal", *BETWEEN, 0, meeting="8h", hours="Mon 09:00-17:00", must_visit=True),
                    customer_row("Wanted", *NEAR_HOTEL, 10, hours="Mon 10:00-16:00")], budget=1000)
    scenario, _, document = solve_checked(path)
    entry = _entry(document, "Wanted")
    assert entry["code"] == "lower_value"
    assert not feasible_with(scenario, {"Deal", "Wanted"}, None)


# -- no_value ---------------------------------------------------------------------------------


NO_VALUE_ROWS = [customer_row("Acme", *BETWEEN, 5), customer_row("Courtesy call", 41.8850, -87.6250, 0),
                 customer_row("Contract signing", *NEAR_HOTEL, 0, must_visit=True)]


def test_no_value_for_an_optional_customer_worth_nothing(one_day):
    """A value-0 customer on the way (no budget) is left out, and only for its value: it
    would fit beside every visit. A value-0 must-visit is visited."""
    scenario, plan, document = solve_checked(one_day(NO_VALUE_ROWS))
    assert plan.visited_names == {"Acme", "Contract signing"}
    entry = _entry(document, "Courtesy call")
    assert entry["code"] == "no_value"
    assert "its value is 0, so a visit would add nothing to the plan's value" in entry["reason"]
    assert feasible_with(scenario, plan.visited_names | {"Courtesy call"}, None)


def test_no_value_hint_never_proposes_giving_up_a_visit(one_day):
    _, _, document = solve_checked(one_day(NO_VALUE_ROWS))
    entry = _entry(document, "Courtesy call")
    assert entry.get("hint", {}).get("kind") != "swap" and "in place of" not in entry["reason"], entry


# -- lower_value --------------------------------------------------------------------------------


def test_lower_value_without_a_hint_when_no_single_change_lets_it_in(one_day):
    """A 4-hour meeting (15) whose window two 2-hour meetings (10 each) fill: it fits in no
    position of the plan, and in place of neither visit, so there is no hint to give."""
    path = one_day([customer_row("Workshop day", *BETWEEN, 15, meeting="4h", hours="Mon 09:00-13:30"),
                    customer_row("Morning", 41.8900, -87.6300, 10, meeting="2h", hours="Mon 09:00-11:15"),
                    customer_row("Midday", *NEAR_HOTEL, 10, meeting="2h", hours="Mon 11:15-13:30")])
    scenario, plan, document = solve_checked(path)
    assert plan.visited_names == {"Morning", "Midday"}
    entry = _entry(document, "Workshop day")
    assert entry["code"] == "lower_value" and "hint" not in entry
    assert "no room beside the plan's visits" in entry["reason"]
    assert "every day, order and start time was checked" in entry["reason"]
    assert not feasible_with(scenario, plan.visited_names | {"Workshop day"}, None)
    for gone in plan.visited_names:
        assert not feasible_with(scenario, plan.visited_names - {gone} | {"Workshop day"}, None)


def test_lower_value_budget_hint_for_the_drive_on_its_own_day(two_days):
    """Evanston (open Tuesday only, value 10) costs no fee, but its drive (24 km each way,
    23.96) leaves no room in the 24.50 budget for the Monday-only visit (20, 0.96 of driving):
    the hint names Tuesday and the extra budget, which lets it in beside the Monday visit (the
    least that does: the two can share no day)."""
    path = two_days([customer_row("Downtown", *BETWEEN, 20, hours="Mon 09:00-17:00"),
                     customer_row("Evanston", 42.0451, -87.6877, 10, hours="Tue 09:00-17:00")], budget=24.5)
    scenario, plan, document = solve_checked(path)
    assert plan.visited_names == {"Downtown"}
    entry = _entry(document, "Evanston")
    hint = entry["hint"]
    assert entry["code"] == "lower_value" and hint["kind"] == "budget" and hint["date"] == TUESDAY
    extra = hint["extra_budget"]
    assert f"it would join the plan on Tue 06 Oct, every visit kept, with a budget {extra:,.2f} USD higher" \
        in entry["reason"]
    both = {"Downtown", "Evanston"}
    assert not feasible_with(scenario, both, scenario.budget)
    assert feasible_with(scenario, both, scenario.budget + extra)
    assert not feasible_with(scenario, both, scenario.budget + extra - 0.05)  # cents rounded up per leg
    _, richer, document = solve_checked(path, budget=scenario.budget + extra)
    assert richer.visited_names == both
    assert any(s["name"] == "Evanston" for d in document["days"] if d["date"] == TUESDAY for s in d["stops"])


def test_lower_value_swap_hint_names_the_least_valuable_visit(one_day):
    """Room for two of three long meetings: the one left out (15) fits in place of either
    visit, and the hint names the less valuable (20, not 30); without it, it gets in."""
    rows = [customer_row("A", 41.8900, -87.6300, 20, meeting="4h", hours="Mon 08:00-18:00"),
            customer_row("B", *NEAR_HOTEL, 30, meeting="4h", hours="Mon 08:00-18:00"),
            customer_row("X", *BETWEEN, 15, meeting="5h", hours="Mon 08:00-18:00")]
    day = {"trip": {"day": {"start": "07:00", "end": "19:00"}}}
    scenario, plan, document = solve_checked(one_day(rows, **day))
    assert plan.visited_names == {"A", "B"}
    entry = _entry(document, "X")
    assert entry["code"] == "lower_value"
    assert entry["hint"] == {"kind": "swap", "date": MONDAY, "replaces": "A", "replaces_value": 20}
    assert "it fits on Mon 05 Oct in place of A (value 20)" in entry["reason"]
    assert not feasible_with(scenario, {"A", "B", "X"}, None)
    assert feasible_with(scenario, {"B", "X"}, None) and feasible_with(scenario, {"A", "X"}, None)
    _, swapped, _ = solve_checked(one_day([row for row in rows if row["name"] != "A"], **day))
    assert swapped.visited_names == {"B", "X"}
