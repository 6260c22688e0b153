"""The scenario file's JSON Schema (draft 2020-12), generated from the models that validate it.

Each top-level key's schema is pydantic's for its type in `schema.SECTIONS` (one shared `$defs`),
so the JSON Schema and `tripopt check` cannot drift: a scenario passes the schema exactly when
`check` finds no error of keys, types or ranges in it (tests/test_schema.py holds them to it). The
text grammars (clock times, durations, dates) carry their patterns in schema.py; the customer row
is documented here from customers.py's columns. What needs more than one value at a time (unknown
places, a trip that ends before it starts, the cells of a customer file) is beyond a schema; the
top-level description says so.

`tripopt schema` prints `schema_text()`; docs/scenario.schema.json is a committed copy of it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from .customers import COLUMNS, MAX_CUSTOMERS
from .schema import MAX_TEXT_CHARS, SECTIONS, ColumnsIn, CustomerFileIn

SCHEMA_ID = "urn:tripopt:scenario"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ROW = "CustomerRow"
_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}

DESCRIPTION = (
    "A tripopt scenario: one trip, its places, commitments, events and the customers it may visit "
    "(docs/scenario.md). This schema checks keys, types and ranges, as `tripopt check` does; what needs "
    "several values at once is beyond a schema and only `tripopt check` finds it: a place, base or "
    "attendee that is not defined, a trip or commitment that ends before it starts, dates outside the "
    "trip, a timezone that is no IANA zone, a place without a location, the total of a duration written "
    "as text, and the rows of a customer file (the cells of inline rows too: their grammar is the file's)."
)

# Top-level keys, for an editor's hover (the types and ranges come from schema.py).
KEY_DOCS = {
    "name": "The trip's title, repeated in every output.",
    "timezone": "An IANA time zone name (America/Chicago); every clock time in the scenario is local to it.",
    "currency": "A label for money amounts (default USD); nothing is converted.",
    "trip": "The days of the trip: start, end, the day's hours, arrival, departure, extension days.",
    "places": "Named locations (hotel, venue, airport): each lat/lon, a city, or an address.",
    "base": "The key of `places` every day starts and ends at (unless trip.arrive / trip.depart).",
    "travellers": "A team sharing one account list; without it the trip has one traveller.",
    "organizer": "Who sends the meeting requests of `--invites`: {name, email}; a traveller's own overrides it.",
    "commitments": "Fixed appointments the plan must keep, at a place, on a date, from start to end.",
    "events": "User groups, meetups, dinners the plan may attend to meet several customers at once.",
    "customers": "The accounts the plan may visit: a CSV/XLSX file path, {file, sheet}, or a list of rows.",
    "columns": "A CRM export's own headers for the customer columns: {name: Account Name, value: ARR}.",
    "defaults": "What an empty customer cell means: meeting, hours, value, cost.",
    "travel": "The travel model: speed, detour factor, buffer per leg.",
    "costs": "What driving costs (per_km).",
    "budget": "The cap on what the plan may spend (driving, per-visit costs, extension days); none: no limit.",
    "solver": "How long to search: time_limit, work_limit.",
}

# The customer row's columns (customers.COLUMNS), as inline rows and file headers name them.
COLUMN_DOCS = {
    "name": "Required and unique: the plan, the calendar and remembered plans refer to the customer by it.",
    "lat": "Latitude in decimal degrees (with lon); or instead place, city or address.",
    "lon": "Longitude in decimal degrees (with lat).",
    "place": "A key of `places`: a customer met at the venue or the hotel.",
    "city": "A town, looked up offline: 'Town', 'Town, XX' or 'Town, XX, Country'.",
    "address": "A street address, geocoded once (cached next to the scenario).",
    "value": "A number >= 0: what seeing the customer is worth (ARR, opportunity size, a priority); "
             "empty: defaults.value.",
    "meeting": "The meeting length, a duration (45min, 1h30m, 90); empty: defaults.meeting.",
    "hours": "Availability: 'Mon-Fri 09:00-12:00 13:00-17:00; 2026-12-02 18:00-21:00'; empty: defaults.hours.",
    "must_visit": "true/false (yes/no, 1/0, x): the plan must include this customer, or there is no plan.",
    "cost": "A number >= 0: a per-visit cost (dinner, parking), counted against the budget; empty: defaults.cost.",
    "notes": "Free text, carried into the itinerary, the calendar and the map.",
    "travellers": "In a team: who may visit this customer (names separated by , or ;); empty: anyone.",
    "email": "The contact's email address (several separated by , or ;), invited to the visit by `--invites`.",
}


class _Generator(GenerateJsonSchema):
    """pydantic's generator without a title on every field ("Max Drive"): the key says it."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional key may be given as null (the loader reads it as left out)."""
    if any(option.get("type") == "null" for option in schema.get("anyOf", [])):
        return schema
    rest = {k: v for k, v in schema.items() if k != "description"}
    return {"description": schema["description"], "anyOf": [rest, {"type": "null"}]}


def _row_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "customer row",
        "description": "One customer, with the columns of a customer file as keys (case, spaces and the aliases "
                       "latitude, longitude, lng, must are accepted; any other key is an ignored column). Each "
                       "value is one cell: text, a number, true/false or empty; `tripopt check` reads the cells.",
        "properties": {column: {**_SCALAR, "description": COLUMN_DOCS[column]} for column in COLUMNS},
        "additionalProperties": _SCALAR,
    }


def _customers_schema() -> dict[str, Any]:
    return {
        "description": KEY_DOCS["customers"],
        "anyOf": [
            {"type": "string", "maxLength": MAX_TEXT_CHARS,
             "description": "A CSV or XLSX file, relative to the scenario file."},
            {"$ref": f"#/$defs/{CustomerFileIn.__name__}"},
            {"type": "array", "maxItems": MAX_CUSTOMERS, "items": {"$ref": f"#/$defs/{_ROW}"},
             "description": "Customer rows written in the scenario."},
        ],
    }


def scenario_schema() -> dict[str, Any]:
    """The scenario file's JSON Schema as a mapping (draft 2020-12)."""
    inputs = [(key, "validation", TypeAdapter(kind)) for key, (kind, _) in SECTIONS.items() if key != "customers"]
    inputs.append(("customers", "validation", TypeAdapter(CustomerFileIn)))
    found, shared = TypeAdapter.json_schemas(inputs, schema_generator=_Generator)  # type: ignore[arg-type]
    properties: dict[str, Any] = {}
    for key, (_, required) in SECTIONS.items():
        if key == "customers":
            section = _customers_schema()
        else:
            section = {"description": KEY_DOCS[key], **found[(key, "validation")]}
        properties[key] = section if required else _nullable(section)
    definitions = dict(shared.get("$defs", {}))
    definitions[_ROW] = _row_schema()
    mapping = definitions[ColumnsIn.__name__]["properties"]
    for column in mapping:
        mapping[column]["description"] = f"The file's header for the {column!r} column. {COLUMN_DOCS[column]}"
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "$comment": "Generated by `tripopt schema` from src/tripopt/schema.py: do not edit "
                    "(tripopt schema > docs/scenario.schema.json).",
        "title": "tripopt scenario",
        "description": DESCRIPTION,
        "type": "object",
        "properties": properties,
        "required": [key for key, (_, required) in SECTIONS.items() if required],
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text() -> str:
    """The schema as `tripopt schema` prints it: indented JSON, one trailing newline."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
