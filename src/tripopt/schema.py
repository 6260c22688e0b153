"""The scenario file's shape, as pydantic models (one per YAML section).

These models only check shape and single values (types, ranges, grammars, unknown
keys); cross-references (places, dates, overlaps) are the loader's job because they
need several sections at once. Each top-level section validates on its own, so one
bad section does not hide the problems of another.

Every number has a documented range (docs/limits.md): finite, and wide enough for any
real trip in any currency, yet small enough that the solver's 64-bit integer model
(cents, hundredths of value, minutes) cannot overflow. Customer cells are held to the
same ranges (customers.py reads them from these constants).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .grammar import (
    EMAIL_PATTERN,
    MAX_EMAIL_CHARS,
    parse_clock_minutes,
    parse_duration_minutes,
    parse_email,
    parse_seconds,
    parse_window,
    quoted,
)

# Ranges (docs/limits.md says why each is what it is).
MAX_MONEY = 10_000_000_000  # budget and every cost, in the scenario's currency (10^10: dong and rupiah too)
MAX_PER_KM = 1_000_000  # costs.per_km, per km
MAX_VALUE = 1_000_000_000_000  # a customer's value (10^12)
MIN_SPEED_KMH, MAX_SPEED_KMH = 1, 1000
MAX_DAY_MINUTES = 24 * 60  # a meeting, the buffer, the driving cap: at most a day
MAX_TIME_LIMIT_SECONDS = 24 * 3600
MAX_WORK_LIMIT = 1_000_000_000
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)  # a trip's days, extensions included
MAX_NAME_CHARS = 200  # names, place keys, the currency
MAX_TEXT_CHARS = 2000  # hours, cities, addresses, file paths
MAX_EVENTS = 50  # events: the plan decides which to attend (most are weighed one by one, events.py)


def _clock(value: Any) -> int:
    return parse_clock_minutes(value)


def _clock_end(value: Any) -> int:
    return parse_clock_minutes(value, allow_24=True)


def _between(value: Any) -> tuple[int, int]:
    """A clock window "HH:MM-HH:MM" (a lunch's `between`), as (open, close) minutes."""
    if not isinstance(value, str):
        raise ValueError(f"expected a window such as \"11:30-14:00\", got {quoted(value)}")
    return parse_window(value.strip())


def _at_least(low: float, unit: str) -> Any:
    """A lower bound stated in the unit (a speed of 1e-300 km/h is positive but no speed)."""
    def check(value: float) -> float:
        if value < low:
            raise ValueError(f"must be at least {low:g} {unit}, got {value:g}")
        return value

    return AfterValidator(check)


def _trip_date(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value} is outside the dates tripopt plans ({FIRST_DATE} to {LAST_DATE})")
    return value


def _iso_date(value: Any) -> Any:
    """A date as the JSON Schema says: `YYYY-MM-DD` text (or a date), never a timestamp or a
    number of seconds (pydantic's lax mode would read both)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_TEXT.match(value):
        return value
    raise ValueError(f"expected a date YYYY-MM-DD, got {quoted(value)}")


def _number(value: Any) -> Any:
    """A number as YAML writes one: text (`"1200"`) and true/false are not numbers, although
    pydantic's lax mode would read them, so a scenario means what its JSON Schema says. An
    exponent without a dot or a sign (`1e6`, `2.5E-3`) is a number in YAML 1.2 (and to an
    editor), though PyYAML's YAML 1.1 reads it as text: it is read as the number."""
    if isinstance(value, str) and len(value) <= _MAX_TOKEN and _EXPONENT.match(value):
        return float(value)
    if isinstance(value, (bool, str, bytes)):
        raise ValueError(f"expected a number, got {quoted(value)}")
    return value


def _whole(value: Any) -> Any:
    """As `_number`, for a whole number (`3` and `3.0`, as JSON Schema's integer)."""
    if isinstance(value, str) and len(value) <= _MAX_TOKEN and _EXPONENT.match(value):
        return float(value)
    if isinstance(value, (bool, str, bytes)):
        raise ValueError(f"expected a whole number, got {quoted(value)}")
    return value


def _nocase(pattern: str) -> str:
    """A regular expression's letters matching either case (JSON Schema patterns have no flags)."""
    return re.sub(r"\\.|[a-z]", lambda m: m.group() if m.group().startswith("\\") else
                  f"[{m.group()}{m.group().upper()}]", pattern)


# The JSON Schema of the text grammars (grammar.py): a value matches the pattern exactly when
# the grammar reads it; the total of a duration written as text is checked by the loader only.
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXPONENT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")  # YAML 1.2 numbers YAML 1.1 misses
_DATE_PATTERN = "^(?:19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # FIRST_DATE to LAST_DATE: 1900 to 2199
_CLOCK_PATTERN = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
_DURATION_PATTERN = _nocase(r"^\s*(?:[0-9]+(?:\.[0-9]+)?\s*h(?:ours?|rs?)?\s*(?:[0-9]+\s*(?:m|min|mins|minutes?)?)?"
                            r"|[0-9]+\s*(?:m|min|mins|minutes?)?)\s*$")
_SECONDS_PATTERN = _nocase(r"^\s*[0-9]+(?:\.[0-9]+)?\s*(?:s|sec|secs|seconds?|m|min|mins|minutes?|h)?\s*$")
_MAX_TOKEN = 40  # as grammar.py: a longer duration or time is not one


def _duration_schema(low: int, what: str) -> WithJsonSchema:
    return WithJsonSchema({
        "anyOf": [{"type": "integer", "minimum": low, "maximum": MAX_DAY_MINUTES},
                  {"type": "string", "pattern": _DURATION_PATTERN, "maxLength": _MAX_TOKEN}],
        "description": f"{what}: minutes (90), or a duration such as 90min, 1h, 1h30m; at most 24h",
    })


TripDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_trip_date),
                     WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN,
                                     "description": "a date YYYY-MM-DD (1900 to 2199)"})]
Clock = Annotated[int, BeforeValidator(_clock),
                  WithJsonSchema({"type": "string", "pattern": rf"^\s*{_CLOCK_PATTERN}\s*$",
                                  "description": "a clock time HH:MM, 24-hour, local to the scenario's timezone"})]
ClockEnd = Annotated[int, BeforeValidator(_clock_end),
                     WithJsonSchema({"type": "string", "pattern": rf"^\s*(?:{_CLOCK_PATTERN}|24:00)\s*$",
                                     "description": "a clock time HH:MM, 24-hour (24:00 allowed), local to the "
                                     "scenario's timezone"})]
Minutes = Annotated[int, BeforeValidator(parse_duration_minutes), Field(ge=0, le=MAX_DAY_MINUTES),
                    _duration_schema(0, "a duration")]
PositiveMinutes = Annotated[int, BeforeValidator(parse_duration_minutes), Field(ge=1, le=MAX_DAY_MINUTES),
                            _duration_schema(1, "a positive duration")]
def _meeting(minutes: int) -> int:
    """As a row's meeting cell (customers.py): more than 0 minutes, at most a day."""
    if minutes <= 0:
        raise ValueError(f"a meeting must be longer than 0 minutes, got {minutes}")
    if minutes > MAX_DAY_MINUTES:
        raise ValueError(f"a meeting may last at most 24h, got {minutes} minutes")
    return minutes


Meeting = Annotated[int, BeforeValidator(parse_duration_minutes), AfterValidator(_meeting),
                    _duration_schema(1, "a meeting length, more than 0")]
Seconds = Annotated[float, BeforeValidator(parse_seconds), Field(le=MAX_TIME_LIMIT_SECONDS),
                    WithJsonSchema({
                        "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": MAX_TIME_LIMIT_SECONDS},
                                  {"type": "string", "pattern": _SECONDS_PATTERN, "maxLength": _MAX_TOKEN}],
                        "description": "seconds (10), or a time such as 10s, 2min, 1h; more than 0, at most a day"})]
Between = Annotated[tuple[int, int], BeforeValidator(_between),
                    WithJsonSchema({"type": "string",
                                    "pattern": rf"^\s*{_CLOCK_PATTERN}-(?:{_CLOCK_PATTERN}|24:00)\s*$",
                                    "description": "a clock window HH:MM-HH:MM, local to the scenario's timezone"})]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False), BeforeValidator(_number)]
Value = Annotated[float, Field(ge=0, le=MAX_VALUE, allow_inf_nan=False), BeforeValidator(_number)]
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayHoursIn(_Section):
    start: Clock
    end: ClockEnd


class EndpointIn(_Section):
    place: Name
    time: ClockEnd


class ExtensionIn(_Section):
    days: Annotated[int, Field(ge=0, le=30), BeforeValidator(_whole)] = 0
    cost: Money = 0.0


class ExtendIn(_Section):
    before: ExtensionIn = ExtensionIn()
    after: ExtensionIn = ExtensionIn()


class LunchIn(_Section):
    """A break each day with a stop, wholly inside `between` (docs/scenario.md, lunch)."""

    between: Between
    length: PositiveMinutes


class LunchOverrideIn(_Section):
    """A traveller's own lunch: each key overrides trip.lunch's."""

    between: Between | None = None
    length: PositiveMinutes | None = None


class TripIn(_Section):
    start: TripDate
    end: TripDate
    day: DayHoursIn
    arrive: EndpointIn | None = None
    depart: EndpointIn | None = None
    max_drive: PositiveMinutes | None = None
    lunch: LunchIn | None = None
    extend: ExtendIn = ExtendIn()


class PlaceIn(_Section):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), BeforeValidator(_number)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), BeforeValidator(_number)] | None = None
    city: Text | None = None
    address: Text | None = None
    name: Name | None = None


class CommitmentIn(_Section):
    name: Name
    place: Name
    date: TripDate
    start: Clock
    end: ClockEnd
    who: Annotated[list[Name], Field(max_length=100)] | Name | None = None  # a name, a list, or "A, B; C"


class EventIn(_Section):
    """An event the plan may attend (docs/scenario.md, events): a commitment's place and times,
    the customers who attend it, its own value and cost, and who may attend it."""

    name: Name
    place: Name
    date: TripDate
    start: Clock
    end: ClockEnd
    attendees: Annotated[list[Name], Field(max_length=10_000)] = []
    value: Value = 0.0
    cost: Money = 0.0
    who: Annotated[list[Name], Field(max_length=100)] | Name | None = None  # as a commitment's


class DayOverrideIn(_Section):
    """A traveller's own day hours: each key overrides trip.day's."""

    start: Clock | None = None
    end: ClockEnd | None = None


Email = Annotated[str, AfterValidator(parse_email),
                  WithJsonSchema({"type": "string", "pattern": EMAIL_PATTERN, "maxLength": MAX_EMAIL_CHARS,
                                  "description": "an email address, alone: name@example.com"})]


class OrganizerIn(_Section):
    """`organizer: {name: Dana Reyes, email: dana@example.com}`: who sends the meeting
    requests (`--invites`), the ORGANIZER replies go to; `name` is what the customer sees."""

    email: Email
    name: Name | None = None


class TravellerIn(_Section):
    """A member of the team; what is left out comes from the trip (`arrive: null`: starts
    at the base although the trip has an arrival)."""

    name: Name
    base: Name | None = None
    arrive: EndpointIn | None = None
    depart: EndpointIn | None = None
    day: DayOverrideIn = DayOverrideIn()
    max_drive: PositiveMinutes | None = None
    lunch: LunchOverrideIn | None = None  # null: no lunch for this traveller
    organizer: OrganizerIn | None = None  # their own; default: the scenario's


class CustomerFileIn(_Section):
    """`customers: {file: accounts.xlsx, sheet: EMEA}`: a file with options."""

    file: Text
    sheet: Name | Annotated[int, Field(ge=0, le=1000), BeforeValidator(_whole)] | None = None


class ColumnsIn(_Section):
    """`columns: {name: Account Name, value: ARR}`: a customer file's own header for a column
    (docs/scenario.md, "Columns"); its keys are the customer columns (customers.COLUMNS)."""

    name: Name | None = None
    lat: Name | None = None
    lon: Name | None = None
    place: Name | None = None
    city: Name | None = None
    address: Name | None = None
    value: Name | None = None
    meeting: Name | None = None
    hours: Name | None = None
    must_visit: Name | None = None
    cost: Name | None = None
    notes: Name | None = None
    travellers: Name | None = None
    email: Name | None = None


class DefaultsIn(_Section):
    meeting: Meeting = 60
    hours: Text = "Mon-Fri 09:00-17:00"
    value: Value = 1.0
    cost: Money = 0.0


class TravelIn(_Section):
    speed_kmh: Annotated[float, Field(gt=0, le=MAX_SPEED_KMH, allow_inf_nan=False),
                         _at_least(MIN_SPEED_KMH, "km/h"), Field(json_schema_extra={"minimum": MIN_SPEED_KMH}),
                         BeforeValidator(_number)] = 50.0
    detour_factor: Annotated[float, Field(ge=1, le=10, allow_inf_nan=False), BeforeValidator(_number)] = 1.3
    buffer: Minutes = 10


class CostsIn(_Section):
    per_km: Annotated[float, Field(ge=0, le=MAX_PER_KM, allow_inf_nan=False), BeforeValidator(_number)] = 0.0


class SolverIn(_Section):
    time_limit: Seconds = 10.0
    work_limit: Annotated[int, Field(ge=1, le=MAX_WORK_LIMIT), BeforeValidator(_whole)] | None = None


CustomersIn = str | CustomerFileIn | list[dict[str, Any]]

# Every top-level key: (type, required). The loader validates each on its own.
SECTIONS: dict[str, tuple[Any, bool]] = {
    "name": (Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)], True),
    "timezone": (Name, True),
    "currency": (Name, False),
    "trip": (TripIn, True),
    "places": (dict[Name, PlaceIn], True),
    "base": (Name, True),
    "travellers": (Annotated[list[TravellerIn], Field(min_length=1, max_length=50)], False),
    "organizer": (OrganizerIn, False),
    "commitments": (list[CommitmentIn], False),
    "events": (Annotated[list[EventIn], Field(max_length=MAX_EVENTS)], False),
    "customers": (CustomersIn, True),
    "columns": (ColumnsIn, False),
    "defaults": (DefaultsIn, False),
    "travel": (TravelIn, False),
    "costs": (CostsIn, False),
    "budget": (Money | None, False),
    "solver": (SolverIn, False),
}


def keys_at(key: str, path: Sequence[str | int] = ()) -> tuple[str, ...]:
    """The keys a mapping may hold at `path` inside the top-level `key` (its model's fields),
    for a "did you mean" that offers only what may stand there: inside a commitment, a
    commitment's keys, never a top-level key. () where no model is (or the path leads nowhere)."""
    kinds = [SECTIONS[key][0]] if key in SECTIONS else []
    for part in path:
        kinds = [inner for kind in kinds for inner in _inside(kind, part)]
    return tuple(dict.fromkeys(name for kind in kinds for model in _members(kind) if _is_model(model)
                               for name in model.model_fields))


def sections_with(name: str) -> tuple[str, ...]:
    """The top-level sections whose own keys include `name` (`buffer`: travel), for a key
    written at the top level that belongs one level down."""
    return tuple(key for key in SECTIONS if key != "customers" and name in keys_at(key))


def _members(kind: Any) -> list[Any]:
    """A type without its Annotated metadata, a union as its members (None left out)."""
    if get_origin(kind) is Annotated:
        return _members(get_args(kind)[0])
    if get_origin(kind) in (Union, UnionType):
        return [member for arg in get_args(kind) for member in _members(arg) if member is not type(None)]
    return [kind]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _inside(kind: Any, part: str | int) -> list[Any]:
    """The types at `part` inside `kind`: a list's items, a mapping's values, a model's field."""
    found = []
    for member in _members(kind):
        origin = get_origin(member)
        if isinstance(part, int) and origin is list:
            found.append(get_args(member)[0])
        elif isinstance(part, str) and origin is dict:
            found.append(get_args(member)[1])
        elif isinstance(part, str) and _is_model(member) and part in member.model_fields:
            found.append(member.model_fields[part].annotation)
    return found
