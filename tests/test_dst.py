"""Clock changes (issue 14, deliverable 8) and the integer model's bounds (deliverable 3).

Times exist: a commitment at a time the clocks skip or repeat is an input error naming it;
every other clock time is read by the rule of docs/time-zones.md; plans run on real
minutes and carry each instant's offset; the checker (real time, its own reading of the
rule) and the brute force agree on clock-change days; the calendar holds the same
instants. Bounds: no number, however large, wraps around in the integer model.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.compile import (
    MAX_MINUTES,
    MAX_MONEY_CENTS,
    MAX_PRIZE,
    compile_layout,
    day_clock,
    layouts,
    local_instant,
)
from tripopt.ics import plan_calendar
from tripopt.model import Travel

from . import checker
from .bruteforce import plan_cost, solution, witness
from .checker import PlanError, check_plan
from .conftest import DATA, customer_row
from .scenario_factory import write_scenario

CHICAGO = ZoneInfo("America/Chicago")
SPRING, FALL = date(2026, 3, 8), date(2026, 11, 1)  # Sundays: 02:00 CST -> 03:00 CDT; 02:00 CDT -> 01:00 CST
HOTEL = (41.8868, -87.6217)  # a customer here is reached with no travel at all
HOSTILE = sorted((DATA / "hostile" / "time").glob("*.yaml"))
MINUTE = timedelta(minutes=1)


def _night(tmp_path: Path, day: date, customers: list[dict], start: str = "00:30", end: str = "06:00",
           **keys) -> Path:
    """A one-night trip in Chicago on `day`, from the hotel."""
    trip = {"start": day.isoformat(), "end": day.isoformat(), "day": {"start": start, "end": end},
            **keys.pop("trip", {})}
    return write_scenario(tmp_path, customers, trip=trip, solver={"time_limit": "0.5s"}, **keys)


def _solve(path: Path):
    scenario = tripopt.load_scenario(path)
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return scenario, plan, document


def _stop(document: dict, name: str) -> dict:
    return next(s for d in document["days"] for s in d["stops"] if s["name"] == name)


def _real_minutes(first: str, second: str) -> float:
    return (datetime.fromisoformat(second) - datetime.fromisoformat(first)) / MINUTE


# -- a commitment at a time that does not exist, or exists twice: exit 2, named -------------------


def _expected(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), f"{path.name} lacks its '# expect:' line"
    return [part.strip() for part in first.removeprefix("# expect:").split("|")]


def test_every_time_class_has_a_file():
    assert {p.stem for p in HOSTILE} >= {"commitment_in_spring_gap", "commitment_in_fall_back_hour"}


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_plan_rejects_a_commitment_at_a_time_that_is_not_one_instant(path):
    result = CliRunner().invoke(app, ["plan", str(path), "--fresh"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    for part in _expected(path):
        assert part in result.output, f"{part!r} not in:\n{result.output}"


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_check_rejects_it_too(path):
    """`tripopt check` (the console script) says the same before anyone waits for a plan."""
    done = subprocess.run([sys.executable, "-m", "tripopt", "check", str(path)], capture_output=True, text=True,
                          timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    for part in _expected(path):
        assert part in output, f"{part!r} not in:\n{output}"


def test_the_library_raises_an_input_error_for_each_bad_time(tmp_path):
    path = _night(tmp_path, FALL, [customer_row("A", *HOTEL, 5, hours="Sun 00:00-04:00")], start="00:00",
                  commitments=[{"name": "Party", "place": "venue", "date": FALL.isoformat(), "start": "00:00",
                                "end": "01:00"}])
    scenario = tripopt.load_scenario(path)
    with pytest.raises(tripopt.InputError) as raised:
        tripopt.solve(scenario)
    [problem] = raised.value.problems  # 00:00 exists once; 01:00 twice
    assert problem.where.endswith("commitments #1 (Party).end")
    assert "2026-11-01 01:00 happens twice in America/Chicago" in problem.message


def test_a_commitment_across_the_change_is_kept_on_real_time(tmp_path):
    """00:30-03:00 on the fall-back night: both ends exist once; it lasts 3 h 30 min."""
    path = _night(tmp_path, FALL, [customer_row("A", *HOTEL, 5, hours="Sun 03:00-05:00")], start="00:00",
                  commitments=[{"name": "Long night", "place": "venue", "date": FALL.isoformat(), "start": "00:30",
                                "end": "03:00"}])
    _, _, document = _solve(path)
    talk = _stop(document, "Long night")
    assert (talk["start"], talk["end"]) == ("2026-11-01T00:30:00-05:00", "2026-11-01T03:00:00-06:00")
    assert _real_minutes(talk["start"], talk["end"]) == 210


# -- windows and meetings on real minutes --------------------------------------------------------


def test_fall_back_a_40_minute_meeting_lasts_40_minutes(tmp_path):
    path = _night(tmp_path, FALL, [customer_row("Night owl", *HOTEL, 5, meeting="40min", hours="Sun 01:50-02:40")])
    _, plan, document = _solve(path)
    visit = _stop(document, "Night owl")
    assert (visit["start"], visit["end"]) == ("2026-11-01T01:50:00-05:00", "2026-11-01T01:30:00-06:00")
    assert _real_minutes(visit["start"], visit["end"]) == 40
    [stop] = plan.days[0].visits  # (Python subtracts two times of one tzinfo on the wall clock: use UTC)
    assert stop.end.astimezone(UTC) - stop.start.astimezone(UTC) == 40 * MINUTE
    assert (stop.start.utcoffset(), stop.end.utcoffset()) == (timedelta(hours=-5), timedelta(hours=-6))


def test_fall_back_a_window_over_the_repeated_hour_is_three_real_hours(tmp_path):
    """01:00-03:00 is 01:00 CDT to 03:00 CST: a 3-hour meeting fits, as it would not on the wall clock."""
    path = _night(tmp_path, FALL, [customer_row("Long", *HOTEL, 5, meeting="3h", hours="Sun 01:00-03:00")],
                  start="00:00")
    _, _, document = _solve(path)
    visit = _stop(document, "Long")
    assert (visit["start"], visit["end"]) == ("2026-11-01T01:00:00-05:00", "2026-11-01T03:00:00-06:00")


def test_spring_forward_a_window_across_the_gap_has_its_real_length(tmp_path):
    """01:30-03:30 is 60 real minutes: a 60-minute meeting fits, a 61-minute one does not; 02:00-02:45
    (all skipped) is open for no time at all."""
    path = _night(tmp_path, SPRING, [
        customer_row("Fits", *HOTEL, 5, meeting="60min", hours="Sun 01:30-03:30"),
        customer_row("Too long", 41.8868, -87.6217, 5, meeting="61min", hours="Sun 01:30-03:30"),
        customer_row("Skipped", 41.8868, -87.6217, 5, meeting="15min", hours="Sun 02:00-02:45")])
    _, plan, document = _solve(path)
    visit = _stop(document, "Fits")
    assert (visit["start"], visit["end"]) == ("2026-03-08T01:30:00-06:00", "2026-03-08T03:30:00-05:00")
    assert _real_minutes(visit["start"], visit["end"]) == 60
    codes = {u.name: u.code for u in plan.unvisited}
    assert codes == {"Too long": "no_availability", "Skipped": "no_availability"}


def test_spring_forward_a_meeting_across_the_gap_ends_an_hour_later_on_the_clock(tmp_path):
    path = _night(tmp_path, SPRING, [customer_row("Late", *HOTEL, 5, meeting="40min", hours="Sun 01:40-04:00")])
    _, _, document = _solve(path)
    visit = _stop(document, "Late")
    assert (visit["start"], visit["end"]) == ("2026-03-08T01:40:00-06:00", "2026-03-08T03:20:00-05:00")


def test_day_bounds_in_the_gap_are_the_moment_the_clocks_jump(tmp_path):
    """A day starting at 02:30 on the spring-forward night starts at 03:00 CDT (the rule)."""
    path = _night(tmp_path, SPRING, [customer_row("A", *HOTEL, 5, meeting="30min", hours="Sun 00:00-06:00")],
                  start="02:30")
    _, _, document = _solve(path)
    day = document["days"][0]["stops"]
    assert day[0]["depart"] == "2026-03-08T03:00:00-05:00" and day[1]["start"] == "2026-03-08T03:00:00-05:00"


def test_travel_is_real_minutes_across_the_change(tmp_path):
    """A drive leaving at 01:40 CDT arrives its minutes later in real time: at 01:03 CST."""
    path = _night(tmp_path, FALL, [customer_row("Far", 41.95, -87.70, 5, meeting="30min", hours="Sun 01:00-04:00")],
                  start="01:40")
    _, _, document = _solve(path)
    stops = document["days"][0]["stops"]
    assert stops[0]["depart"] == "2026-11-01T01:40:00-05:00" and stops[1]["arrive"].endswith("-06:00")
    assert _real_minutes(stops[0]["depart"], stops[1]["arrive"]) == stops[1]["travel_minutes"] > 0
    assert _real_minutes(stops[1]["end"], stops[2]["arrive"]) == stops[2]["travel_minutes"]


# -- the calendar holds the same instants ------------------------------------------------------------


def _events(plan) -> list:
    return Calendar.from_ical(plan_calendar(plan, stamp=datetime(2026, 1, 1, tzinfo=UTC))).walk("VEVENT")


def _span(event) -> timedelta:
    return event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC)


def test_calendar_spring_forward_has_the_plans_instants(tmp_path):
    path = _night(tmp_path, SPRING, [customer_row("Late", *HOTEL, 5, meeting="40min", hours="Sun 01:40-04:00")])
    _, plan, _ = _solve(path)
    [event] = _events(plan)
    [stop] = plan.days[0].visits
    assert event.decoded("DTSTART") == stop.start and event.decoded("DTEND") == stop.end
    assert _span(event) == 40 * MINUTE


def test_calendar_fall_back_has_the_plans_instants(tmp_path):
    path = _night(tmp_path, FALL, [customer_row("Night owl", *HOTEL, 5, meeting="40min", hours="Sun 01:50-02:40")])
    _, plan, _ = _solve(path)
    [event] = _events(plan)
    [stop] = plan.days[0].visits
    assert event.decoded("DTSTART").astimezone(UTC) == stop.start.astimezone(UTC)
    assert event.decoded("DTEND").astimezone(UTC) == stop.end.astimezone(UTC)
    assert _span(event) == 40 * MINUTE


# -- the checker works on real time -----------------------------------------------------------------


def test_checker_rejects_wall_clock_durations_and_wrong_offsets(tmp_path):
    path = _night(tmp_path, FALL, [customer_row("Night owl", *HOTEL, 5, meeting="40min", hours="Sun 01:50-02:40")])
    scenario, _, document = _solve(path)
    check_plan(document, scenario)

    def broken(**times):
        bad = json.loads(json.dumps(document))
        _stop(bad, "Night owl").update(times)
        return bad

    with pytest.raises(PlanError, match="meeting is 100 min"):  # what the wall clock made of it
        check_plan(broken(end="2026-11-01T02:30:00-06:00"), scenario)
    with pytest.raises(PlanError, match="offset"):  # 07:30 UTC is 01:30 CST, not 02:30 CDT
        check_plan(broken(end="2026-11-01T02:30:00-05:00"), scenario)
    with pytest.raises(PlanError, match="offset"):  # 02:15 does not exist on 8 March
        checker._minutes_of_day("2026-03-08T02:15:00-06:00", SPRING, "America/Chicago")


# Zones and days with every kind of change: Chicago's two; Havana's and Santiago's skip midnight;
# Santiago's repeats 23:00-24:00 (a 25-hour day); Lord Howe moves by 30 minutes; London at 01:00;
# Apia skipped 30 December 2011 entirely; and two ordinary days.
RULE_DAYS = [("America/Chicago", SPRING), ("America/Chicago", FALL), ("America/Havana", date(2026, 3, 8)),
             ("America/Havana", date(2026, 11, 1)), ("America/Santiago", date(2026, 4, 4)),
             ("America/Santiago", date(2026, 9, 6)), ("Australia/Lord_Howe", date(2026, 4, 5)),
             ("Australia/Lord_Howe", date(2026, 10, 4)), ("Europe/London", date(2026, 3, 29)),
             ("Europe/London", date(2026, 10, 25)), ("Pacific/Apia", date(2011, 12, 30)),
             ("America/Chicago", date(2026, 10, 5)), ("America/Los_Angeles", date(2026, 12, 1))]


@pytest.mark.parametrize("zone, day", RULE_DAYS, ids=[f"{z}-{d}" for z, d in RULE_DAYS])
def test_compiler_and_checker_read_every_clock_time_alike(zone, day):
    """Bisection (compile) and a minute-by-minute scan of the clock (checker) give the same
    instant for every clock time of the day; the rule keeps their order."""
    tz = ZoneInfo(zone)
    previous = None
    for wall in range(0, 24 * 60 + 1):
        found = local_instant(day, wall, tz)
        assert found == checker.instant(zone, day, wall), f"{zone} {day} {wall // 60:02d}:{wall % 60:02d}"
        assert previous is None or found >= previous
        previous = found
        clock = day_clock(day, tz)
        # (an aware time in a repeated hour never equals one of another tzinfo, PEP 495: compare in UTC)
        assert clock.moment(clock.minute(wall)).astimezone(UTC) == found
        assert clock.minute_at(found) == clock.minute(wall)


@pytest.mark.parametrize("zone, day", [("America/Chicago", date(2026, 10, 5)), ("Europe/London", date(2026, 7, 1))])
def test_an_ordinary_days_clock_is_the_wall_clock(zone, day):
    tz, clock = ZoneInfo(zone), day_clock(day, ZoneInfo(zone))
    for wall in range(0, 24 * 60):
        assert clock.minute(wall) == wall
        moment = clock.moment(wall)
        assert moment.isoformat() == (datetime.combine(day, time()) + wall * MINUTE).replace(tzinfo=tz).isoformat()


def test_a_day_can_start_after_midnight_and_be_25_hours_long():
    havana = day_clock(date(2026, 3, 8), ZoneInfo("America/Havana"))  # 00:00-00:59 skipped
    assert havana.moment(0).isoformat() == "2026-03-08T01:00:00-04:00" and havana.minute(90) == 30
    santiago = day_clock(date(2026, 4, 4), ZoneInfo("America/Santiago"))  # 23:00-23:59 twice
    assert santiago.minute(24 * 60) == 25 * 60
    assert santiago.moment(23 * 60 + 30).isoformat() == "2026-04-04T23:30:00-03:00"  # the first 23:30
    assert santiago.moment(24 * 60 + 30).isoformat() == "2026-04-04T23:30:00-04:00"  # and the second


# -- the brute force agrees with the solver on clock-change nights ----------------------------------


NIGHT_WINDOWS = ["00:30-02:30", "01:00-02:00", "01:30-03:30", "01:15-01:55", "02:00-02:45", "02:30-04:00",
                 "00:00-04:00", "01:45-03:15", "03:00-05:00", "00:15-01:10", "01:00-01:40 03:00-03:40",
                 "01:20-02:10 02:10-03:00"]
COMMITMENTS = {SPRING: [("00:40", "01:10"), ("01:40", "03:10"), ("03:00", "03:20"), ("01:00", "01:50")],
               FALL: [("00:20", "00:50"), ("00:30", "02:30"), ("02:00", "02:30"), ("00:40", "00:59")]}


def _night_spec(rng: random.Random) -> dict:
    """A small random scenario around a clock-change night in Chicago (a day of it, maybe the
    day before or after), whose day hours, windows and commitments cross the change."""
    night = rng.choice([SPRING, FALL])
    first, last = night - timedelta(days=rng.choice([0, 0, 1])), night + timedelta(days=rng.choice([0, 0, 1]))
    trip: dict = {"start": first.isoformat(), "end": last.isoformat(),
                  "day": {"start": rng.choice(["00:00", "00:30", "01:00", "01:30", "02:30"]),
                          "end": rng.choice(["03:00", "03:30", "04:00", "05:00", "06:00"])}}
    if rng.random() < 0.25:
        trip["arrive"] = {"place": "airport", "time": rng.choice(["00:45", "01:30", "02:15"])}
    if rng.random() < 0.2:
        trip["extend"] = {rng.choice(["before", "after"]): {"days": 1, "cost": rng.choice([0, 20])}}
    if rng.random() < 0.2:
        trip["max_drive"] = rng.choice(["20min", "40min"])
    customers = []
    for i in range(rng.randint(3, 6)):
        selector = rng.choice(["", "Sun ", "Sat-Mon ", f"{night.isoformat()} "])
        customers.append({
            "name": f"c{i}", "lat": round(HOTEL[0] + rng.uniform(-0.03, 0.03), 4),
            "lon": round(HOTEL[1] + rng.uniform(-0.03, 0.03), 4), "value": rng.choice([0, 1, 2, 3, 5, 8]),
            "meeting": f"{rng.choice([15, 20, 30, 40, 45, 60])}min",
            "hours": selector + rng.choice(NIGHT_WINDOWS), **({"cost": 5} if rng.random() < 0.2 else {})})
    spec: dict = {"trip": trip, "customers": customers,
                  "travel": {"speed_kmh": 40, "detour_factor": 1.3, "buffer": rng.choice(["0min", "5min"])},
                  "costs": {"per_km": rng.choice([0.0, 0.5])}}
    if rng.random() < 0.4:
        start, end = rng.choice(COMMITMENTS[night])
        spec["commitments"] = [{"name": "k", "place": rng.choice(["venue", "hotel"]), "date": night.isoformat(),
                                "start": start, "end": end}]
    if rng.random() < 0.3:
        spec["budget"] = rng.choice([3, 6, 10])
    return spec


def test_solver_and_brute_force_agree_on_clock_change_nights(tmp_path):
    checked = 0
    for number in range(100):
        spec = _night_spec(random.Random(number))
        folder = tmp_path / str(number)
        folder.mkdir()
        path = write_scenario(folder, spec.pop("customers"), timezone="America/Chicago",
                              solver={"time_limit": "0.5s"}, **spec)
        scenario = tripopt.load_scenario(path)
        best = solution(scenario)
        where = f" (seed {number}: {path.read_text()})"
        try:
            plan = tripopt.solve(scenario)
        except tripopt.InfeasibleError:
            assert best is None, f"called infeasible, but value {best.value} is reachable{where}"
            continue
        assert best is not None, f"a plan where the brute force finds none{where}"
        document = json.loads(json.dumps(tripopt.plan_dict(plan)))
        check_plan(document, scenario)
        check_plan(json.loads(json.dumps(witness(scenario, best))), scenario)
        assert plan.value == pytest.approx(best.value, abs=1e-6), f"value {plan.value}, optimum {best.value}{where}"
        assert plan_cost(document, scenario) == pytest.approx(best.cost, abs=0.011), where
        checked += 1
    assert checked >= 50  # 58 of the 100 have a plan


# -- bounds: nothing wraps around ---------------------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    path = write_scenario(tmp_path, [customer_row("A", 41.90, -87.65, 5), customer_row("B", 41.95, -87.70, 7)],
                          budget=100, solver={"time_limit": "0.5s"})
    return tripopt.load_scenario(path)


def _culprit(scenario, text: str) -> str:
    with pytest.raises(tripopt.InputError) as raised:
        compile_layout(scenario, layouts(scenario)[0])
    message = str(raised.value)
    assert text in message, message
    return message


def test_an_infinite_per_km_is_an_error_not_a_negative_cost(small):
    """The issue's case: per_km .inf planned at -553,402,322,211,286,656 USD (int64 wrap-around)."""
    _culprit(replace(small, per_km_cost=math.inf), "costs.per_km")
    _culprit(replace(small, per_km_cost=1e300), "costs.per_km")
    _culprit(replace(small, per_km_cost=1e10), "a plan could cost up to")
    with pytest.raises(tripopt.InputError):
        tripopt.solve(replace(small, per_km_cost=math.inf))


def test_a_huge_budget_plans_as_no_budget(small):
    huge = tripopt.solve(replace(small, budget=1e300))
    free = tripopt.solve(replace(small, budget=None))
    assert huge.outline == free.outline and huge.cost == free.cost >= 0
    assert compile_layout(replace(small, budget=1e300), layouts(small)[0]).problem.budget == MAX_MONEY_CENTS
    _culprit(replace(small, budget=math.inf), "budget")
    _culprit(replace(small, budget=math.nan), "budget")


def test_huge_values_costs_and_times_are_errors_naming_them(small):
    customer = small.customers[0]
    _culprit(replace(small, customers=(replace(customer, value=math.inf), *small.customers[1:])), "value inf")
    _culprit(replace(small, customers=(replace(customer, cost=1e300), *small.customers[1:])), "cost 1e+300")
    _culprit(replace(small, customers=(replace(customer, meeting_minutes=10**20), *small.customers[1:])),
             "meeting of")
    many = tuple(replace(customer, name=f"c{i}", value=MAX_PRIZE / 100 / 5) for i in range(6))
    _culprit(replace(small, customers=many), "values add up to")
    _culprit(replace(small, travel=Travel(speed_kmh=1e-300)), "travel")
    _culprit(replace(small, travel=Travel(buffer_minutes=10**20)), "travel.buffer")
    _culprit(replace(small, trip=replace(small.trip, max_drive_minutes=10**20)), "trip.max_drive")
    # cost ranked above driving by their product: both large, neither alone over its limit
    _culprit(replace(small, per_km_cost=5e8, travel=Travel(speed_kmh=0.001)), "too large together")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_km=st.floats(0) | st.sampled_from([math.nan, math.inf]), budget=st.none() | st.floats(),
       value=st.floats(0) | st.just(math.nan), speed=st.floats(1e-300, 1e300))
def test_no_input_wraps_around(small, per_km, budget, value, speed):
    """Any numbers: an InputError, or an integer model whose numbers are what they say."""
    scenario = replace(small, per_km_cost=per_km, budget=budget, travel=Travel(speed_kmh=speed),
                       customers=(replace(small.customers[0], value=value), small.customers[1]))
    try:
        p = compile_layout(scenario, layouts(scenario)[0]).problem
    except tripopt.InputError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    assert int(p.arc_cost.min()) >= 0 and int(p.arc_cost.max(axis=1).sum()) <= MAX_MONEY_CENTS + p.size
    assert int(p.travel.min()) >= 0 and int(p.travel.max()) <= MAX_MINUTES
    assert p.budget is None or abs(p.budget) <= MAX_MONEY_CENTS
    assert 0 <= sum(p.prize) <= MAX_PRIZE
    legs = p.arc_cost.astype(float) / 100
    assert np.all(legs >= np.nan_to_num(np.asarray(p.travel, dtype=float) * 0))  # costs are what they say: >= 0


def test_cli_per_km_inf_is_exit_2_naming_it(tmp_path):
    """Through the CLI the loader's range check may say it first; either way exit 2, no traceback."""
    path = write_scenario(tmp_path, [customer_row("A", 41.90, -87.65, 5)], costs={"per_km": float("inf")})
    result = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json"])
    assert result.exit_code == 2 and "per_km" in result.output and "Traceback" not in result.output
