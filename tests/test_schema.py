"""`tripopt schema`: the scenario file's JSON Schema, its committed copy, and that it agrees
with the models that validate scenarios (a scenario passes it exactly when `check` finds
no error of keys, types or ranges)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from tripopt.cli import app
from tripopt.customers import COLUMNS, MAX_CUSTOMERS
from tripopt.json_schema import COLUMN_DOCS, KEY_DOCS, scenario_schema, schema_text
from tripopt.loader import _Builder
from tripopt.schema import SECTIONS, CustomerFileIn
from tripopt.yamlio import read_yaml

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "scenario.schema.json"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../docs/scenario.schema.json"


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(scenario_schema(), format_checker=jsonschema.FormatChecker())


def _schema_errors(data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(data)]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["required"] == [key for key, (_, required) in SECTIONS.items() if required]
    assert set(schema["properties"]) == set(SECTIONS) == set(KEY_DOCS)
    assert set(COLUMN_DOCS) == set(COLUMNS)
    assert "beyond a schema" in schema["description"]


def test_the_committed_copy_is_the_generated_schema():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "docs/scenario.schema.json is out of date: regenerate it with  tripopt schema > docs/scenario.schema.json")


def test_the_command_prints_the_schema():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_text()
    assert json.loads(result.stdout)["$id"] == scenario_schema()["$id"]


@pytest.mark.parametrize("path", SCENARIOS + [p for p in EXAMPLES if p.name != "mistakes.yaml"], ids=lambda p: p.name)
def test_every_bundled_scenario_and_example_passes(path):
    assert _schema_errors(read_yaml(path)) == []


def test_the_mistakes_example_fails():
    errors = _schema_errors(read_yaml(ROOT / "docs" / "examples" / "mistakes.yaml"))
    assert any(error.startswith("travel:") and "bufer" in error for error in errors), errors


@pytest.mark.parametrize("path", [p for p in SCENARIOS if MODELINE in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.name)
def test_the_modeline_is_a_comment_on_the_first_line(path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE


# -- the schema agrees with the models ----------------------------------------------------

BASE: dict[str, Any] = {
    "name": "Probe",
    "timezone": "America/Chicago",
    "currency": "USD",
    "trip": {"start": "2026-10-05", "end": "2026-10-06", "day": {"start": "08:00", "end": "18:00"},
             "arrive": {"place": "hotel", "time": "09:30"}, "max_drive": "4h",
             "extend": {"before": {"days": 1, "cost": 100}}},
    "places": {"hotel": {"lat": 41.88, "lon": -87.62, "name": "Hotel"}, "venue": {"city": "Chicago, IL"}},
    "base": "hotel",
    "travellers": [{"name": "Dana"}, {"name": "Lee", "day": {"start": "07:30"}, "arrive": None}],
    "commitments": [{"name": "Talk", "place": "venue", "date": "2026-10-05", "start": "10:00", "end": "11:00"}],
    "events": [{"name": "Meetup", "place": "venue", "date": "2026-10-05", "start": "18:00", "end": "19:00",
                "attendees": ["Acme"], "value": 10}],
    "customers": [{"name": "Acme", "lat": 41.9, "lon": -87.7, "value": 5000, "must_visit": True}],
    "defaults": {"meeting": 60, "hours": "Mon-Fri 09:00-17:00", "value": 1, "cost": 0},
    "travel": {"speed_kmh": 50, "detour_factor": 1.3, "buffer": "10min"},
    "costs": {"per_km": 0.35},
    "budget": 1200,
    "solver": {"time_limit": "10s", "work_limit": 1000},
}
DELETE = object()

VALID = [
    (("currency",), None), (("budget",), None), (("budget",), 0), (("budget",), 1200.5),
    (("trip", "day", "end"), "24:00"), (("trip", "day", "start"), "7:30"), (("trip", "day", "start"), " 08:00 "),
    (("trip", "max_drive"), "1h30m"), (("trip", "max_drive"), 90), (("trip", "max_drive"), 90.0),
    (("trip", "max_drive"), "2 hours"), (("trip", "max_drive"), "90 MIN"), (("trip", "max_drive"), "1.5h"),
    (("trip", "max_drive"), None), (("trip", "arrive"), None), (("trip", "extend", "before", "days"), 30),
    (("trip", "extend"), DELETE), (("travel", "speed_kmh"), 1), (("travel", "buffer"), 0),
    (("solver", "time_limit"), "2min"), (("solver", "time_limit"), 0.5), (("solver", "time_limit"), "1 H"),
    (("customers",), "accounts.csv"), (("customers",), {"file": "a.xlsx", "sheet": 2}),
    (("customers",), {"file": "a.xlsx", "sheet": "EMEA"}), (("customers",), []),
    (("customers",), [{"Name": "x", "Industry": "Retail", "value": "$1,200", "notes": None}]),
    (("commitments",), None), (("commitments", 0, "who"), "Dana, Lee"), (("commitments", 0, "who"), ["Dana"]),
    (("defaults", "meeting"), "45min"), (("defaults",), None), (("places", "airport"), {"address": "O'Hare"}),
    (("travellers",), None), (("events",), []), (("events", 0, "who"), "Lee"),
    (("trip", "start"), "2199-12-31"), (("trip", "start"), "1900-01-01"), (("budget",), 1e6),
    (("columns",), {"name": "Account Name", "value": "ARR"}), (("columns",), None), (("columns",), {}),
]
INVALID = [
    (("nmae",), "x"), (("name",), DELETE), (("name",), None), (("name",), ""), (("name",), 5),
    (("timezone",), None), (("customers",), None), (("budget",), -1), (("budget",), "1200"), (("budget",), True),
    (("budget",), 1e11), (("trip", "day", "start"), "24:00"), (("trip", "day", "start"), "25:00"),
    (("trip", "day", "start"), "8am"), (("trip", "day", "start"), 800), (("trip", "day", "end"), "12:60"),
    (("trip", "start"), "2026-13-01"), (("trip", "start"), "2026-02-30"), (("trip", "start"), "1899-12-31"),
    (("trip", "start"), "2200-01-01"), (("trip", "start"), "2026-10-05T00:00:00"), (("trip", "start"), 1796083200),
    (("trip", "start"), "20261005"), (("trip", "max_drive"), 0), (("trip", "max_drive"), 1441),
    (("trip", "max_drive"), "1.5"), (("trip", "max_drive"), "soon"), (("trip", "max_drive"), True),
    (("trip", "max_drive"), 90.5), (("trip", "max_drive"), -5), (("trip", "extend", "before", "days"), 31),
    (("trip", "extend", "before", "days"), 2.5), (("trip", "extend", "before", "days"), "3"),
    (("trip", "extend", "before", "cost"), -5), (("trip", "extend", "bfore"), {}),
    (("trip", "arrive"), {"place": "hotel"}), (("trip", "day"), DELETE), (("travel", "speed_kmh"), 0.5),
    (("travel", "speed_kmh"), 1001), (("travel", "detour_factor"), 0.9), (("travel", "bufer"), 10),
    (("solver", "time_limit"), 0), (("solver", "time_limit"), "10 days"), (("solver", "time_limit"), 86401),
    (("solver", "time_limit"), False), (("solver", "work_limit"), 0), (("solver", "work_limit"), 1.5),
    (("places", "hotel", "lat"), 91), (("places", "hotel", "lat"), "41.8"), (("places", "hotel", "elevation"), 5),
    (("places",), []), (("places", "x" * 201), {"lat": 1, "lon": 1}), (("commitments",), {}),
    (("commitments", 0, "end"), DELETE), (("commitments", 0, "customers"), ["x"]), (("commitments", 0, "who"), 5),
    (("customers",), 5), (("customers",), [1, 2]), (("customers",), {"file": "a.csv", "tab": 1}),
    (("customers",), {"sheet": 1}), (("customers",), {"file": "a.xlsx", "sheet": -1}),
    (("customers",), {"file": "a.xlsx", "sheet": True}), (("customers",), [{"name": "x", "hours": ["Mon"]}]),
    (("customers",), [{"name": "x"}] * (MAX_CUSTOMERS + 1)), (("customers",), "x" * 2001),
    (("defaults", "meeting"), 0), (("defaults", "cost"), "free"), (("defaults", "colour"), "red"),
    (("travellers",), []), (("travellers", 0, "name"), DELETE), (("events",), [BASE["events"][0]] * 51),
    (("events", 0, "attendees"), "Acme"), (("events", 0, "value"), -1), (("costs", "per_km"), "0.35"),
    (("columns",), {"owner": "Name"}), (("columns",), {"name": 5}), (("columns",), ["name"]),
    (("travel", "speed_kmh"), 1e-300), (("solver", "work_limit"), 1e23), (("budget",), float("inf")),
]


def _mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def _customers_ok(spec: Any) -> bool:
    """What the loader accepts as `customers` before reading any row (loader._customer_table,
    customers.read_inline): a file, {file, sheet}, or a list of rows of single values."""
    if spec is None:
        return False
    if isinstance(spec, list):
        return len(spec) <= MAX_CUSTOMERS and all(
            isinstance(row, dict) and not any(isinstance(v, (list, dict)) for v in row.values()) for row in spec)
    try:
        CustomerFileIn(file=spec) if isinstance(spec, str) else CustomerFileIn.model_validate(spec)
    except ValidationError:
        return False
    return True


def _check_ok(data: dict[str, Any]) -> bool:
    """No error of keys, types or ranges: the loader's own pass over the sections."""
    builder = _Builder(Path("probe.yaml"), None)
    builder._sections(data)
    return not builder.problems and _customers_ok(data.get("customers"))


def test_an_exponent_is_a_number_as_yaml_1_2_reads_it():
    """`budget: 1e6` is a number to an editor (YAML 1.2) and text to PyYAML (YAML 1.1): the
    models read that text as the number the schema sees."""
    assert _check_ok(_mutated(("budget",), "1e6")) and _check_ok(_mutated(("solver", "work_limit"), "1E3"))
    assert not _check_ok(_mutated(("budget",), "1e-3x"))


def test_the_base_probe_passes_both():
    assert _check_ok(BASE) and _schema_errors(BASE) == []


@pytest.mark.parametrize(("path", "value", "valid"), [(*p, True) for p in VALID] + [(*p, False) for p in INVALID],
                         ids=lambda x: str(x)[:40])
def test_the_schema_agrees_with_the_models(path, value, valid):
    data = _mutated(path, value)
    assert _check_ok(data) is valid
    assert (_schema_errors(data) == []) is valid, _schema_errors(data)
