"""What extension days buy (docs/plan-json.md, `summary.without_extensions`): the plan
states the best plan found with no extension day, which is the plan of the same scenario
solved with no extension allowed (exactly, on scenarios small enough to solve exhaustively);
the itineraries say it in words, and `compare` names the days a step up buys. Real solver,
real YAML through the loader."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import datetime

import pytest
from rich.console import Console

import tripopt
from tripopt import report
from tripopt.compare import compare
from tripopt.replan import read_plan, replan

from .conftest import MONDAY, customer_row, solve_checked

WEDNESDAY = "Wed 09:00-17:00"  # open only on the day after the trip: the extension day
SHOW = "Mon-Tue 09:00-17:00"
EXTEND = {"extend": {"after": {"days": 1, "cost": 40}}}
ROWS = [customer_row("Show Co", 41.8900, -87.6300, 10, hours=SHOW),
        customer_row("Wed One", 41.8950, -87.6250, 30, hours=WEDNESDAY),
        customer_row("Wed Two", 41.8830, -87.6290, 20, hours=WEDNESDAY)]
SENTENCE = ("Extension: Wednesday 7 Oct after the show (40.00) buys +2 customers, +50 value over the best plan "
            "without it")


def _summary_totals(document: dict) -> dict:
    return {key: document["summary"][key] for key in ("value", "cost", "visited")}


def _plain(two_days, rows, **keys) -> dict:
    """The plan of the same trip with no extension allowed, as the JSON summary states it."""
    return _summary_totals(solve_checked(two_days(rows, **keys))[2])


def _itineraries(plan) -> tuple[str, str]:
    """The terminal table (as printed) and the Markdown itinerary."""
    console = Console(file=io.StringIO(), width=200, color_system=None)
    report.render_table(plan, console)
    return console.file.getvalue(), report.to_markdown(plan)


def test_the_extension_day_is_weighed_against_the_plan_without_it(two_days):
    _, plan, document = solve_checked(two_days(ROWS, trip=EXTEND))
    assert document["summary"]["extension_days"] == {"before": 0, "after": 1} and plan.optimal
    plain = _plain(two_days, ROWS)
    assert document["summary"]["without_extensions"] == plain
    assert plain["visited"] == 1 and plain["value"] == 10
    for text in _itineraries(plan):
        assert f"{SENTENCE} (1 customer, 10 value, cost {plain['cost']:,.2f})" in text


def test_a_plan_with_no_extension_day_states_its_own_numbers(two_days):
    """The extension is possible but beyond the budget, or it buys nothing: the plan uses
    none, and the field repeats the plan's own numbers; the itineraries say nothing of it."""
    for rows, budget in ((ROWS, 30), ([customer_row("Show Co", 41.89, -87.63, 10, hours=SHOW)], None)):
        _, plan, document = solve_checked(two_days(rows, trip=EXTEND), budget)
        assert plan.extension_days == 0
        assert document["summary"]["without_extensions"] == _summary_totals(document)
        assert all("Extension:" not in text for text in _itineraries(plan))


def test_without_extension_days_allowed_the_field_is_absent(two_days):
    _, plan, document = solve_checked(two_days(ROWS))
    assert "without_extensions" not in document["summary"] and not plan.weighed_extensions


def test_null_when_no_plan_without_extension_days_exists(two_days):
    """A must-visit customer open only on the extension day: no plan without it."""
    rows = [ROWS[0], customer_row("Wed One", 41.8950, -87.6250, 30, hours=WEDNESDAY, must_visit=True)]
    _, plan, document = solve_checked(two_days(rows, trip=EXTEND))
    with pytest.raises(tripopt.InfeasibleError):
        tripopt.solve(tripopt.load_scenario(two_days(rows)))
    assert document["summary"]["without_extensions"] is None
    for text in _itineraries(plan):
        assert "Extension: Wednesday 7 Oct after the show (40.00): no plan without it was found" in text


def test_days_before_the_show_are_named_in_order(two_days):
    rows = [ROWS[0], customer_row("Sat Co", 41.8950, -87.6250, 30, hours="Sat 09:00-17:00")]
    trip = {"extend": {"before": {"days": 2, "cost": 25}}}
    _, plan, document = solve_checked(two_days(rows, trip=trip))
    assert document["summary"]["without_extensions"] == _plain(two_days, rows)
    assert "Extension: Saturday 3 Oct and Sunday 4 Oct before the show (50.00) buys +1 customer, +30 value" \
        in _itineraries(plan)[1]


def test_a_search_too_large_for_the_exhaustive_one_finds_the_plan_without_it(two_days):
    """Twelve customers (the heuristic search): all of the show days' fit either way."""
    rows = [customer_row(f"C{i}", round(41.87 + 0.01 * (i % 4), 4), round(-87.63 - 0.01 * (i // 4), 4), 5 + i,
                         meeting="30min", hours=SHOW) for i in range(11)] + [ROWS[1]]
    _, plan, document = solve_checked(two_days(rows, trip=EXTEND))
    assert not plan.optimal and plan.extension_days == 1
    plain, stated = _plain(two_days, rows), document["summary"]["without_extensions"]
    assert stated["value"] >= plain["value"] and stated["visited"] >= plain["visited"] == 11
    assert stated["value"] == document["summary"]["value"] - 30


def test_with_events_the_plan_without_extension_days_attends_them_too(two_days):
    """A user group on Monday meets a far customer: the plan without the extension day
    attends it as well, its value and cost counted as in any plan."""
    rows = [*ROWS, customer_row("Far", 43.0731, -89.4012, 40, hours=SHOW)]
    events = [{"name": "UG", "place": "hall", "date": MONDAY, "start": "16:30", "end": "17:30",
               "attendees": ["Far"], "value": 5, "cost": 15}]
    keys = {"places": {"hall": {"lat": 41.8900, "lon": -87.6300}}, "events": events}
    _, plan, document = solve_checked(two_days(rows, trip=EXTEND, **keys))
    assert plan.extension_days == 1 and document["summary"]["met"] == 1
    plain = _plain(two_days, rows, **keys)
    assert plain["value"] == 10 + 40 + 5
    assert document["summary"]["without_extensions"] == plain


def test_a_replan_keeps_the_extension_days_and_weighs_nothing(two_days):
    scenario, _, document = solve_checked(two_days(ROWS, trip=EXTEND))
    new = replan(scenario, read_plan(document, "plan.json"), datetime.fromisoformat("2026-10-05T11:00:00-05:00"))
    assert new.extension_days == 1 and "without_extensions" not in tripopt.plan_dict(new)["summary"]
    assert all("Extension:" not in text for text in _itineraries(new))


def test_compare_names_the_day_a_step_buys(two_days):
    scenario = tripopt.load_scenario(two_days(ROWS, trip=EXTEND))
    comparison = compare(scenario, [30, 100], processes=1)
    step = comparison.steps()[1]
    assert step is not None
    line = report.step_line(step, "USD")
    assert line.startswith("+70.00 USD (+ Wednesday 7 Oct after the show): +2 customers, +50 value: Wed One, Wed Two")
    rows = json.loads(report.comparison_to_json(comparison))
    assert [r["extension_gained"] for r in rows] == [[], [{"date": "2026-10-07", "side": "after"}]]
    assert [r["extension_lost"] for r in rows] == [[], []]
    table = list(csv.DictReader(io.StringIO(report.comparison_to_csv(comparison))))
    assert [r["extension_gained"] for r in table] == ["", "2026-10-07 after"]
    down = dataclasses.replace(step, extension_gained=(), extension_lost=step.extension_gained)
    assert report.step_line(down, "USD").startswith("+70.00 USD (- Wednesday 7 Oct after the show):")
