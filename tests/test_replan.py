"""tripopt.replan: the re-plan rules (docs/replan.md) checked against the old plan's JSON,
and every new plan checked by the independent checker."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.errors import InputError
from tripopt.replan import read_plan, replan

from .checker import check_plan
from .conftest import customer_row, edited_plan

ROWS = [customer_row(f"C{i}", round(41.87 + 0.012 * (i % 5), 4), round(-87.62 - 0.012 * (i // 5), 4), 10 + i,
                     meeting="40min") for i in range(14)]
TALK = {"name": "Talk", "place": "venue", "date": "2026-10-06", "start": "13:00", "end": "14:00"}


def _document(plan) -> dict:
    return json.loads(json.dumps(tripopt.plan_dict(plan)))


def _stops(document: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(date, type, name, start, end, traveller) of every visit and commitment."""
    return [(d["date"], s["type"], s["name"], s["start"], s["end"], d.get("traveller", ""))
            for d in document["days"] for s in d["stops"] if s["type"] in ("visit", "commitment")]


def check_rules(old: dict, new: dict, now: datetime, cancel: set[str], free: bool) -> None:
    """The re-plan rules, read off the two JSON documents alone."""
    started = {s for s in _stops(old) if datetime.fromisoformat(s[3]) < now}
    kept = set(_stops(new))
    assert started <= kept, f"done stops changed: {started - kept}"
    for day in old["days"]:  # the stop the traveller has left for by now stays, unless cancelled
        later = [s for s in day["stops"] if s["type"] in ("visit", "commitment")
                 and datetime.fromisoformat(s["start"]) >= now]
        if later and datetime.fromisoformat(later[0]["arrive"]) - timedelta(minutes=later[0]["travel_minutes"]) < now \
                and later[0]["name"] not in cancel:
            first = later[0]
            assert (day["date"], first["type"], first["name"], first["start"], first["end"],
                    day.get("traveller", "")) in kept
    booked = {s for s in _stops(old) if s[1] == "visit" and datetime.fromisoformat(s[3]) >= now
              and s[2] not in cancel}
    if not free:
        assert {s[:4] for s in booked} <= {s[:4] for s in kept}, "a booked visit moved"
    visited = {s[2] for s in kept if s[1] == "visit"}
    assert not visited & cancel
    assert {u["name"] for u in new["unvisited"] if u["code"] == "cancelled"} == cancel
    old_started = {s[2] for s in started}
    for s in kept - started:  # what is new after now starts after now, left for after now
        assert datetime.fromisoformat(s[3]) >= now or s[2] in old_started
    assert new["summary"]["extension_days"] == old["summary"]["extension_days"]


@pytest.fixture
def followed(two_days):
    scenario = tripopt.load_scenario(two_days(ROWS, commitments=[TALK]))
    plan = tripopt.solve(scenario)
    return scenario, plan, _document(plan)


def _future_visits(document: dict, now: datetime) -> list[str]:
    return [s[2] for s in _stops(document) if s[1] == "visit" and datetime.fromisoformat(s[3]) >= now]


NOW = datetime.fromisoformat("2026-10-05T11:00:00-05:00")


def test_done_stays_done_booked_stays_booked_cancelled_is_out(followed):
    scenario, _, document = followed
    cancel = {_future_visits(document, NOW)[1]}
    new = replan(scenario, read_plan(document, "plan.json"), NOW, sorted(cancel))
    new_document = _document(new)
    check_plan(new_document, scenario)
    check_rules(document, new_document, NOW, cancel, free=False)
    assert [(c.name, c.change) for c in new.changes if c.change == "cancelled"] == [(next(iter(cancel)), "cancelled")]


def test_free_moves_visits_but_never_loses_value(followed):
    scenario, _, document = followed
    cancel = {_future_visits(document, NOW)[0]}
    old = read_plan(document, "plan.json")
    kept = replan(scenario, old, NOW, sorted(cancel))
    loose = replan(scenario, old, NOW, sorted(cancel), free=True)
    check_plan(_document(loose), scenario)
    check_rules(document, _document(loose), NOW, cancel, free=True)
    assert loose.value >= kept.value


def test_a_new_customer_in_the_file_is_a_candidate(two_days):
    path = two_days(ROWS[:4])
    scenario = tripopt.load_scenario(path)
    document = _document(tripopt.solve(scenario))
    grown = tripopt.load_scenario(two_days(ROWS[:4] + [customer_row("Newcomer", 41.88, -87.63, 50)]))
    new = replan(grown, read_plan(document, "plan.json"), NOW)
    assert "Newcomer" in new.visited_names
    assert [(c.name, c.change) for c in new.changes] == [("Newcomer", "added")]
    check_rules(document, _document(new), NOW, set(), free=False)


def test_a_customer_removed_after_being_met_is_reported_not_a_crash(two_days):
    scenario = tripopt.load_scenario(two_days(ROWS[:6]))
    document = _document(tripopt.solve(scenario))
    met = next(s[2] for s in _stops(document) if datetime.fromisoformat(s[3]) < NOW)
    later = _future_visits(document, NOW)[0]
    shrunk = tripopt.load_scenario(two_days([r for r in ROWS[:6] if r["name"] not in (met, later)]))
    new = replan(shrunk, read_plan(document, "plan.json"), NOW)
    assert met in new.visited_names and later not in new.visited_names
    assert any(met in note and "kept as visited" in note for note in new.notes)
    assert any(later in note and "dropped" in note for note in new.notes)


def test_bad_input_names_what_is_wrong(followed, one_day):
    scenario, _, document = followed
    old = read_plan(document, "plan.json")
    other = tripopt.load_scenario(one_day(ROWS[:2], name="another trip"))
    with pytest.raises(InputError, match="is a plan of 'test', not of 'another trip'"):
        replan(other, old, NOW)
    with pytest.raises(InputError, match="outside the plan's days"):
        replan(scenario, old, datetime.fromisoformat("2026-10-09T10:00:00-05:00"))
    done = next(s[2] for s in _stops(document) if s[1] == "visit" and datetime.fromisoformat(s[3]) < NOW)
    with pytest.raises(InputError, match="is not a visit of the plan after"):
        replan(scenario, old, NOW, [done])
    with pytest.raises(InputError, match="not a tripopt plan"):
        read_plan({"format": "something else"}, "plan.json")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(minute=st.integers(7 * 60, 2 * 24 * 60 - 5 * 60), seed=st.integers(0, 1000), free=st.booleans())
def test_random_replans_keep_the_rules(followed, minute, seed, free):
    scenario, _, document = followed
    now = datetime.fromisoformat("2026-10-05T00:00:00-05:00") + timedelta(minutes=minute)
    future = _future_visits(document, now)
    rng = random.Random(seed)
    cancel = set(rng.sample(future, min(len(future), rng.randint(0, 2))))
    new = replan(scenario, read_plan(document, "plan.json"), now, sorted(cancel), free=free)
    new_document = _document(new)
    check_plan(new_document, scenario)
    check_rules(document, new_document, now, cancel, free)


def test_a_plan_edited_to_break_a_rule_is_bad_input(followed):
    scenario, _, document = followed
    first = next(s for s in _stops(document) if s[1] == "visit")
    day, name = first[0], first[2]
    with pytest.raises(InputError, match=f"{name} on .* at 03:00: not open then"):
        replan(scenario, read_plan(edited_plan(document, name, start=f"{day}T03:00:00-05:00",
                                           end=f"{day}T03:40:00-05:00"), "plan.json"), NOW)
    second = [s for s in _stops(document) if s[0] == day and s[1] == "visit"][1]
    squeezed = edited_plan(document, second[2], start=first[3], end=first[4])  # two meetings at one time
    with pytest.raises(InputError, match="cannot be reached by its start"):
        replan(scenario, read_plan(squeezed, "plan.json"), NOW)
    with pytest.raises(InputError, match="over the budget"):
        replan(scenario.with_budget(1.0), read_plan(document, "plan.json"), NOW)


def test_the_replan_command_prints_the_changes_then_the_rest_of_the_trip(followed, tmp_path):
    scenario, _, document = followed
    old = tmp_path / "plan.json"
    old.write_text(json.dumps(document))
    cancel = _future_visits(document, NOW)[0]
    runner = CliRunner()
    table = runner.invoke(app, ["replan", str(scenario.source), "--plan", str(old), "--now", "2026-10-05T11:00",
                                "--cancel", cancel])
    assert table.exit_code == 0, table.output
    assert table.stdout.startswith(f"Cancelled: {cancel} (was Mon 11:")
    out = tmp_path / "new.json"
    result = runner.invoke(app, ["replan", str(scenario.source), "--plan", str(old), "--now", "2026-10-05T11:00",
                                 "--cancel", cancel, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    new = json.loads(out.read_text())
    check_plan(new, scenario)
    check_rules(document, new, NOW, {cancel}, free=False)
    assert new["changes"][0] == {"name": cancel, "type": "visit", "change": "cancelled",
                                 "was": {"date": "2026-10-05", "start": next(
                                     s[3] for s in _stops(document) if s[2] == cancel)}, "now": None}


@pytest.mark.parametrize("args, culprit", [
    (["--now", "yesterday"], "--now: yesterday is not a date and time"),
    (["--now", "2026-10-09T10:00"], "--now: 2026-10-09 10:00 is outside the plan's days"),
    (["--now", "2026-10-05T11:00", "--cancel", "Nobody"], "--cancel: 'Nobody' is not a visit of the plan"),
], ids=["bad_time", "outside", "unknown_cancel"])
def test_the_replan_command_names_bad_input(followed, tmp_path, args, culprit):
    scenario, _, document = followed
    old = tmp_path / "plan.json"
    old.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["replan", str(scenario.source), "--plan", str(old), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert culprit in result.output, result.output


def test_a_plan_file_that_is_not_json_is_bad_input(followed, tmp_path):
    scenario, _, _ = followed
    old = tmp_path / "plan.json"
    old.write_text("{not json")
    result = CliRunner().invoke(app, ["replan", str(scenario.source), "--plan", str(old), "--now", "2026-10-05T11:00"])
    assert result.exit_code == 2 and f"{old}: is not JSON" in result.output


def test_a_moved_visit_keeps_its_calendar_event_id(followed):
    """A calendar import of the re-plan updates each visit's event in place (same UID),
    wherever the visit moved."""
    from icalendar import Calendar

    from tripopt.ics import plan_calendar

    scenario, plan, document = followed
    cancel = _future_visits(document, NOW)[0]
    new = replan(scenario, read_plan(document, "plan.json"), NOW, [cancel], free=True)

    def visits(p):
        return {str(e["summary"]): str(e["uid"]) for e in Calendar.from_ical(plan_calendar(p, False)).walk("VEVENT")
                if "visit" in [str(c) for c in e.get("categories").cats]}

    before, after = visits(plan), visits(new)
    moved = {c.name for c in new.changes if c.change == "moved"}
    assert moved, "the free re-plan should move some visit for this test to mean anything"
    shared = set(before) & set(after)
    assert shared and all(before[s] == after[s] for s in shared)


def test_a_team_replans_each_traveller_from_where_they_are(two_days):
    """A team's re-plan: each traveller's done stops stay theirs, changes name whose day."""
    import dataclasses

    from tripopt.model import Traveller

    scenario = tripopt.load_scenario(two_days(ROWS, commitments=[TALK]))
    team = dataclasses.replace(scenario, travellers=(Traveller("Dana", "hotel", None, None, 480, 1080),
                                                     Traveller("Lee", "hotel", None, None, 540, 1020)))
    document = _document(tripopt.solve(team))
    assert {d["traveller"] for d in document["days"]} == {"Dana", "Lee"}
    cancel = {_future_visits(document, NOW)[0]}
    new = replan(team, read_plan(document, "plan.json"), NOW, sorted(cancel), free=True)
    new_document = _document(new)
    check_plan(new_document, team)
    check_rules(document, new_document, NOW, cancel, free=True)
    for change in new_document["changes"]:
        assert all(slot is None or slot["traveller"] in ("Dana", "Lee") for slot in (change["was"], change["now"]))


def test_cancelling_the_days_last_stop_while_under_way_goes_on_from_the_last_done_stop(followed):
    """Its node is gone, so where the traveller goes on from is the stop before (it used
    to be looked up past the end of the day's kept stops)."""
    scenario, _, document = followed
    monday = [s for s in document["days"][0]["stops"] if s["type"] in ("visit", "commitment")]
    last = monday[-1]
    assert last["type"] == "visit", "the day should end with a visit for this test to mean anything"
    now = datetime.fromisoformat(last["arrive"]) - timedelta(minutes=1)
    new = replan(scenario, read_plan(document, "plan.json"), now, [last["name"]])
    new_document = _document(new)
    check_plan(new_document, scenario)
    check_rules(document, new_document, now, {last["name"]}, free=False)


def test_a_customer_whose_windows_are_over_is_passed_not_unavailable(one_day):
    """After --now a customer open only earlier that day is `passed`: `no_availability` would
    claim it never had a window (found by the checker on a re-plan at 11:00)."""
    rows = [customer_row("Early", 41.89, -87.62, 10, meeting="1h", hours="Mon 09:00-10:30"),
            customer_row("Late", 41.88, -87.63, 5, meeting="1h", hours="Mon 14:00-16:00"),
            customer_row("Mid", 41.885, -87.625, 50, meeting="1h", hours="Mon 09:00-10:30")]
    scenario = tripopt.load_scenario(one_day(rows))
    document = _document(tripopt.solve(scenario))
    new = _document(replan(scenario, read_plan(document, "plan.json"), NOW, ["Late"]))
    check_plan(new, scenario)
    codes = {u["name"]: (u["code"], u["reason"]) for u in new["unvisited"]}
    assert codes["Early"][0] == "passed" and "before then" in codes["Early"][1]
    assert codes["Late"][0] == "cancelled"
