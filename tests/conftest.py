"""Shared fixtures: paths to test data, no network for geocoding and no shared plan store in
tests, customer rows and named tiny scenarios, and the hostile `evil` plan."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

import tripopt

from .checker import check_plan
from .scenario_factory import write_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Tests never reach a geocoder: an address must come from a cache file."""
    monkeypatch.setenv("TRIPOPT_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _own_plan_store(monkeypatch, tmp_path_factory):
    """Each test starts with no remembered plans (README, "Remembered plans"), and never
    touches the user's cache directory (nor the test's own tmp_path)."""
    monkeypatch.setenv("TRIPOPT_CACHE_DIR", str(tmp_path_factory.mktemp("tripopt-cache") / "cache"))


# -- customer rows and tiny scenarios, each built through the real YAML loader ------------

MONDAY, TUESDAY = "2026-10-05", "2026-10-06"  # the factory's trip day, and the day after
TALK = {"name": "Talk", "place": "venue", "date": MONDAY, "start": "10:00", "end": "12:00"}


def customer_row(name, lat, lon, value, meeting="45min", hours="Mon-Fri 09:00-17:00", **extra) -> dict:
    """A customer row as a scenario file lists it (extra columns: cost, must_visit, notes, ...)."""
    return {"name": name, "lat": lat, "lon": lon, "value": value, "meeting": meeting, "hours": hours, **extra}


def spread_customers(count: int, seed: int) -> list[dict]:
    """`count` customers around the Loop, more than the exact search takes (the heuristic runs)."""
    rows = []
    for i in range(count):
        k = (i * 37 + seed * 11) % 101
        rows.append(customer_row(f"c{seed}-{i}", round(41.80 + (k % 17) * 0.012, 4),
                                 round(-87.75 + (k % 13) * 0.014, 4), 10 + (k * 7) % 90,
                                 meeting=f"{30 + 15 * (k % 3)}min", cost=k % 4 * 5))
    return rows


def _scenario_files(tmp_path, **defaults):
    """A factory writing a scenario file per call, each in its own folder: write_scenario's,
    with `defaults` and then the call's own keys over it (a mapping merged one level deep,
    like write_scenario's own); it returns the file. Searches get 0.5 s (tiny scenarios are
    solved exactly anyway)."""
    defaults = {"solver": {"time_limit": "0.5s"}, **defaults}
    made = itertools.count()

    def make(customers: list[dict], **overrides) -> Path:
        keys = dict(defaults)
        for key, value in overrides.items():
            both = isinstance(value, dict) and isinstance(keys.get(key), dict)
            keys[key] = {**keys[key], **value} if both else value
        folder = Path(tempfile.mkdtemp(prefix=f"scenario-{next(made)}-", dir=tmp_path))  # factories may share it
        return write_scenario(folder, customers, **keys)
    return make


@pytest.fixture
def one_day(tmp_path):
    """Factory: a one-day trip (Mon 5 Oct 2026, 08:00-18:00, America/Chicago) from the hotel,
    the venue 1.5 km away and O'Hare as places, no commitment, no budget; call it with the
    customer rows and any top-level keys to change."""
    return _scenario_files(tmp_path)


@pytest.fixture
def two_days(tmp_path):
    """Factory: `one_day`'s trip running to Tue 6 Oct."""
    return _scenario_files(tmp_path, trip={"end": TUESDAY})


@pytest.fixture
def one_commitment(tmp_path):
    """Factory: `one_day`'s trip with one commitment, `TALK` at the venue 10:00-12:00."""
    return _scenario_files(tmp_path, commitments=[TALK])


def solve_checked(path, budget=None):
    """Load and solve a scenario file through the public API (`budget` overrides the file's),
    check the plan's JSON with the independent checker, and return (scenario, plan, document)."""
    scenario = tripopt.load_scenario(path)
    if budget is not None:
        scenario = scenario.with_budget(budget)
    plan = tripopt.solve(scenario)
    document = json.loads(json.dumps(tripopt.plan_dict(plan)))
    check_plan(document, scenario)
    return scenario, plan, document


def edited_plan(document: dict, name: str, /, **fields) -> dict:
    """A plan's JSON with the stops named `name` changed, as if edited by hand (re-plan tests
    of an old plan that breaks the rules)."""
    edited = json.loads(json.dumps(document))
    for day in edited["days"]:
        for stop in day["stops"]:
            if stop.get("name") == name:
                stop.update(fields)
    return edited


customer_strategy = st.builds(
    lambda i, dlat, dlon, value, meeting, open_h, span, cost: customer_row(
        f"c{i}", round(41.88 + dlat, 4), round(-87.63 + dlon, 4), value, f"{meeting}min",
        f"Mon-Tue {open_h:02d}:00-{min(open_h + span, 23):02d}:30", cost=cost),
    st.integers(0, 10 ** 6), st.floats(-0.25, 0.25), st.floats(-0.25, 0.25), st.integers(0, 60),
    st.sampled_from([15, 30, 45, 60, 90]), st.integers(7, 15), st.integers(1, 6), st.sampled_from([0, 0, 5, 20]),
)


# -- a plan hostile to every output format (exports and the map's browser test) -----------

EVIL_SCRIPT = "<script>document.body.dataset.pwned='script'</script>"
EVIL_IMG = "<img src=x onerror=\"document.body.dataset.pwned='img'\">"
EVIL_TEMPLATE = "${document.body.dataset.pwned='template'}`\\u"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    """A two-day plan whose names and notes are hostile to every output format."""
    folder = tmp_path_factory.mktemp("evil")
    office = "Mon-Tue 09:00-17:00"
    path = write_scenario(folder, [
        customer_row(EVIL_SCRIPT, 41.90, -87.65, 50, hours=office, notes=EVIL_IMG),
        customer_row(EVIL_TEMPLATE, 41.95, -87.70, 40, hours=office, notes="line one\nline two; with, commas"),
        customer_row(FORMULA, 41.85, -87.62, 30, hours=office, notes="@SUM(A1:A9)",
                     address="233 S Wacker Dr, Chicago"),
        customer_row("Plain Co", 41.80, -87.60, 20, hours="Tue 13:00-17:00"),
        customer_row(EVIL_IMG, 41.92, -87.66, 10, hours="Sun 10:00-12:00"),  # never available: greyed on the map
    ], name=f"Trip {EVIL_IMG}", trip={"end": TUESDAY},
        commitments=[{"name": "Booth <b>duty</b>", "place": "venue", "date": MONDAY,
                      "start": "12:00", "end": "13:00"}])
    scenario = tripopt.load_scenario(path)
    return path, scenario, tripopt.solve(scenario)
