"""tripopt.replan with events (docs/replan.md): an event attended before --now stays as it
was and the customers met there stay met, a booked event stays unless --free (which
never loses value), an event begun or out of reach is not attended, `changes` lists
events, meeting requests follow, and an old plan whose events break the rules is bad
input. Every new plan is checked by the independent checker."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.errors import InputError
from tripopt.replan import read_plan, replan

from .checker import check_plan
from .conftest import MONDAY, TUESDAY, customer_row, edited_plan
from .test_invites import ORGANIZER, _requests
from .test_replan import check_rules

HALL = {"hall": {"lat": 41.8900, "lon": -87.6300}}
ROWS = [customer_row(f"C{i}", round(41.87 + 0.012 * (i % 5), 4), round(-87.62 - 0.012 * (i // 5), 4), 10 + i,
                     meeting="40min", email=f"c{i}@example.com") for i in range(8)]
ROWS += [customer_row("Far0", 43.0731, -89.4012, 50), customer_row("Far1", 43.0800, -89.4100, 30)]  # no day trip
LUNCH = {"name": "Lunch meetup", "place": "hall", "date": MONDAY, "start": "12:00", "end": "13:00",
         "attendees": ["Far0", "C7"], "value": 5}
UG = {"name": "UG", "place": "hall", "date": TUESDAY, "start": "16:30", "end": "17:30", "attendees": ["Far1", "C1"],
      "value": 5}
WORTHLESS_LUNCH = {**LUNCH, "value": 0, "attendees": []}  # the scenario changed: the meetup brings nothing now
BREAKFAST = {"name": "Breakfast", "place": "hall", "date": MONDAY, "start": "08:15", "end": "08:45", "value": 1000}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}:00-05:00")


def _document(plan) -> dict:
    return json.loads(json.dumps(tripopt.plan_dict(plan)))


def _events(document: dict) -> dict[str, dict]:
    """Each attended event's stop, with its date and traveller."""
    return {s["name"]: {**s, "date": d["date"], "traveller": d.get("traveller", "")}
            for d in document["days"] for s in d["stops"] if s["type"] == "event"}


def _replanned(scenario, document: dict, now: datetime, free: bool = False, cancel=()) -> dict:
    """The re-plan's JSON, checked by the checker and against the rules for visits."""
    new = _document(replan(scenario, read_plan(document, "plan.json"), now, list(cancel), free=free))
    check_plan(new, scenario)
    check_rules(document, new, now, set(cancel), free)
    check_event_rules(document, new, now, free)
    return new


def check_event_rules(old: dict, new: dict, now: datetime, free: bool) -> None:
    """The re-plan rules for events, read off the two JSON documents alone: a done or
    under-way event is unchanged, a booked one keeps traveller, day and start unless free,
    a new one starts after now, and `changes` names exactly the events that changed."""
    before, after = _events(old), _events(new)
    for name, stop in before.items():
        start = datetime.fromisoformat(stop["start"])
        departed = datetime.fromisoformat(stop["arrive"]) - timedelta(minutes=stop["travel_minutes"])
        if start < now or departed < now or not free:
            assert name in after, f"event {name} was dropped"
            kept = after[name]
            assert (kept["date"], kept["traveller"], kept["start"], kept["end"]) == \
                   (stop["date"], stop["traveller"], stop["start"], stop["end"]), f"event {name} moved"
    for name in set(after) - set(before):
        assert datetime.fromisoformat(after[name]["start"]) >= now, f"event {name} attended before --now"
    expected = {}
    for name in set(before) | set(after):
        was, now_ = before.get(name), after.get(name)
        if was is not None and datetime.fromisoformat(was["start"]) < now:
            continue
        slot = lambda s: None if s is None else (s["traveller"], s["date"], s["start"])
        if slot(was) != slot(now_):
            expected[name] = "added" if was is None else "dropped" if now_ is None else "moved"
    listed = {c["name"]: c["change"] for c in new["changes"] if c["type"] == "event"}
    assert listed == expected


@pytest.fixture
def trip(two_days):
    """The trip planned with the meetup and the user group: (scenario factory, scenario, JSON)."""
    def scenario(*events, **keys):
        return tripopt.load_scenario(two_days(ROWS, places=HALL, events=list(events), **keys))
    first = scenario(LUNCH, UG)
    document = _document(tripopt.solve(first))
    assert set(_events(document)) == {"Lunch meetup", "UG"}, "the plan should attend both for these tests"
    return scenario, first, document


def test_a_done_event_stays_with_the_customers_met_there(trip):
    _, scenario, document = trip
    met = _events(document)["Lunch meetup"]["met"]
    for free in (False, True):
        new = _replanned(scenario, document, _at(f"{MONDAY}T14:00"), free=free)
        lunch = _events(new)["Lunch meetup"]
        assert set(met) <= set(lunch["met"]), "a customer met at a done event is met there still"
        visited = {s["name"] for d in new["days"] for s in d["stops"] if s["type"] == "visit"}
        assert not visited & set(lunch["met"])


def test_a_done_event_stays_even_when_the_scenario_no_longer_values_it(trip):
    """Worthless now (so no plan of the scenario would attend it), but it happened."""
    scenario_of, _, document = trip
    changed = scenario_of(WORTHLESS_LUNCH, UG, BREAKFAST)
    new = _replanned(changed, document, _at(f"{MONDAY}T14:00"), free=True)
    assert "Lunch meetup" in _events(new)
    skipped = {s["name"]: s["reason"] for s in new["skipped_events"]}
    assert skipped["Breakfast"] == "it began at 08:15 on Mon 05 Oct, before the re-plan's --now (Mon 05 Oct 14:00)"


def test_a_booked_event_stays_unless_free_and_free_never_loses_value(trip):
    scenario_of, _, document = trip
    changed = scenario_of(WORTHLESS_LUNCH, UG)
    now = _at(f"{MONDAY}T09:00")
    kept = _replanned(changed, document, now)
    assert "Lunch meetup" in _events(kept) and not [c for c in kept["changes"] if c["type"] == "event"]
    loose = _replanned(changed, document, now, free=True)
    assert "Lunch meetup" not in _events(loose)
    assert loose["summary"]["value"] >= kept["summary"]["value"]
    dropped = next(c for c in loose["changes"] if c["name"] == "Lunch meetup")
    assert dropped == {"name": "Lunch meetup", "type": "event", "change": "dropped",
                       "was": {"date": MONDAY, "start": f"{MONDAY}T12:00:00-05:00"}, "now": None}


def test_an_event_today_out_of_reach_from_where_the_traveller_is_is_not_attended(trip):
    """Worth a lot and reachable had the traveller left their last stop at its end, but
    it starts a minute after --now, and they are somewhere else."""
    scenario_of, _, document = trip
    monday = next(d for d in document["days"] if d["date"] == MONDAY)
    last_end = max(datetime.fromisoformat(s["end"]) for s in monday["stops"] if s["type"] in ("visit", "event"))
    now = last_end + timedelta(minutes=30)
    assert now.hour < 17, "the day should leave time after its last stop for this test to mean anything"
    start = now + timedelta(minutes=1)
    coffee = {"name": "Coffee", "place": "hall", "date": MONDAY, "start": f"{start:%H:%M}",
              "end": f"{start + timedelta(minutes=20):%H:%M}", "value": 1000}
    changed = scenario_of(LUNCH, UG, coffee)
    new = _replanned(changed, document, now, free=True)
    assert "Coffee" not in _events(new)
    reason = next(s["reason"] for s in new["skipped_events"] if s["name"] == "Coffee")
    assert reason.startswith("it cannot be reached by its start from where the traveller is: leaving ")


def test_an_event_added_after_now_is_a_change(trip):
    scenario_of, _, document = trip
    talk = {"name": "Evening talk", "place": "hall", "date": TUESDAY, "start": "17:35", "end": "17:50", "value": 1000}
    new = _replanned(scenario_of(LUNCH, UG, talk), document, _at(f"{MONDAY}T14:00"))
    assert "Evening talk" in _events(new)
    assert {"name": "Evening talk", "type": "event", "change": "added", "was": None,
            "now": {"date": TUESDAY, "start": f"{TUESDAY}T17:35:00-05:00"}} in new["changes"]


def test_the_replan_command_prints_event_changes_and_withdraws_their_requests(two_days, tmp_path):
    """A dropped event: "Dropped: event '...'" and a CANCEL; a kept one: no request."""
    first = two_days(ROWS, places=HALL, events=[LUNCH, UG], organizer=ORGANIZER)
    runner = CliRunner()
    plan = runner.invoke(app, ["plan", str(first), "--format", "json", "--out", str(tmp_path / "plan.json"),
                               "--invites", str(tmp_path / "sent")])
    assert plan.exit_code == 0, plan.output
    changed = two_days(ROWS, places=HALL, events=[WORTHLESS_LUNCH, UG], organizer=ORGANIZER)
    args = ["replan", str(changed), "--plan", str(tmp_path / "plan.json"), "--now", f"{MONDAY}T09:00", "--free"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Dropped: event 'Lunch meetup' (was Mon 12:00)" in table.stdout
    result = runner.invoke(app, [*args, "--format", "json", "--out", str(tmp_path / "new.json"),
                                 "--invites", str(tmp_path / "update")])
    assert result.exit_code == 0, result.output
    new = json.loads((tmp_path / "new.json").read_text())
    check_plan(new, tripopt.load_scenario(changed))
    sent = {str(e["summary"]): method for method, e in _requests(tmp_path / "update").values()}
    events = {summary: method for summary, method in sent.items() if "Lunch meetup" in summary or "UG" in summary}
    assert list(events.values()) == ["CANCEL"] and "Lunch meetup" in next(iter(events))
    assert [w["name"] for w in new["withdrawn"] if w["type"] == "event"] == ["Lunch meetup"]


@pytest.mark.parametrize("fields, culprit", [
    ({"name": "Nothing on"}, "--plan: event 'Nothing on' on Mon 05 Oct is not in the scenario"),
    ({"start": f"{MONDAY}T12:30:00-05:00"}, "--plan: event 'Lunch meetup' on Mon 05 Oct at 12:30: not at its time "
                                            "(Mon 05 Oct 12:00-13:00)"),
], ids=["unknown_event", "wrong_time"])
def test_an_old_plan_whose_event_breaks_a_rule_is_bad_input(trip, tmp_path, fields, culprit):
    _, scenario, document = trip
    edited = edited_plan(document, "Lunch meetup", **fields)
    with pytest.raises(InputError, match=re.escape(culprit.removeprefix("--plan: "))):
        replan(scenario, read_plan(edited, "plan.json"), _at(f"{MONDAY}T14:00"))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(edited))
    result = CliRunner().invoke(app, ["replan", str(scenario.source), "--plan", str(path), "--now", f"{MONDAY}T14:00"])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert culprit in result.output, result.output


def test_a_booked_event_keeps_its_traveller_and_one_who_may_not_attend_is_bad_input(two_days):
    team = [{"name": "Dana"}, {"name": "Lee"}]
    scenario = tripopt.load_scenario(two_days(ROWS, places=HALL, travellers=team, events=[LUNCH, {**UG, "who": "Lee"}]))
    document = _document(tripopt.solve(scenario))
    attended = _events(document)
    assert attended["UG"]["traveller"] == "Lee"
    new = _replanned(scenario, document, _at(f"{MONDAY}T14:00"))
    assert all(_events(new)[name]["traveller"] == stop["traveller"] for name, stop in attended.items())
    moved = json.loads(json.dumps(document))
    lee, dana = (next(d for d in moved["days"] if (d["traveller"], d["date"]) == (who, TUESDAY))
                 for who in ("Lee", "Dana"))
    stop = next(s for s in lee["stops"] if s["name"] == "UG")
    lee["stops"].remove(stop)
    dana["stops"].insert(1, stop)
    with pytest.raises(InputError, match="event 'UG' on Tue 06 Oct: Dana may not attend it"):
        replan(scenario, read_plan(moved, "plan.json"), _at(f"{MONDAY}T14:00"))
