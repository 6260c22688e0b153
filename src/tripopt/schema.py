"""The scenario file's shape, as pydantic models (one per YAML section).

These models only check shape and single values (types, ranges, grammars, unknown
keys); cross-references (places, dates, overlaps) are the loader's job because they
need several sections at once. Each top-level section validates on its own, so one
bad section does not hide the problems of another.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .grammar import parse_clock_minutes, parse_duration_minutes, parse_seconds


def _clock(value: Any) -> int:
    return parse_clock_minutes(value)


def _clock_end(value: Any) -> int:
    return parse_clock_minutes(value, allow_24=True)


Clock = Annotated[int, BeforeValidator(_clock)]
ClockEnd = Annotated[int, BeforeValidator(_clock_end)]
Minutes = Annotated[int, BeforeValidator(parse_duration_minutes)]
Seconds = Annotated[float, BeforeValidator(parse_seconds)]
Money = Annotated[float, Field(ge=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayHoursIn(_Section):
    start: Clock
    end: ClockEnd


class EndpointIn(_Section):
    place: str
    time: ClockEnd


class ExtensionIn(_Section):
    days: Annotated[int, Field(ge=0, le=30)] = 0
    cost: Money = 0.0


class ExtendIn(_Section):
    before: ExtensionIn = ExtensionIn()
    after: ExtensionIn = ExtensionIn()


class TripIn(_Section):
    start: dt.date
    end: dt.date
    day: DayHoursIn
    arrive: EndpointIn | None = None
    depart: EndpointIn | None = None
    max_drive: Minutes | None = None
    extend: ExtendIn = ExtendIn()


class PlaceIn(_Section):
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    city: str | None = None
    address: str | None = None
    name: str | None = None


class CommitmentIn(_Section):
    name: str
    place: str
    date: dt.date
    start: Clock
    end: ClockEnd


class CustomerFileIn(_Section):
    """`customers: {file: accounts.xlsx, sheet: EMEA}`: a file with options."""

    file: str
    sheet: str | int | None = None


class DefaultsIn(_Section):
    meeting: Minutes = 60
    hours: str = "Mon-Fri 09:00-17:00"
    value: Money = 1.0
    cost: Money = 0.0


class TravelIn(_Section):
    speed_kmh: Annotated[float, Field(gt=0, le=1000)] = 50.0
    detour_factor: Annotated[float, Field(ge=1, le=10)] = 1.3
    buffer: Minutes = 10


class CostsIn(_Section):
    per_km: Money = 0.0


class SolverIn(_Section):
    time_limit: Seconds = 10.0
    work_limit: Annotated[int, Field(ge=1)] | None = None


CustomersIn = str | CustomerFileIn | list[dict[str, Any]]

# Every top-level key: (type, required). The loader validates each on its own.
SECTIONS: dict[str, tuple[Any, bool]] = {
    "name": (Annotated[str, Field(min_length=1)], True),
    "timezone": (str, True),
    "currency": (str, False),
    "trip": (TripIn, True),
    "places": (dict[str, PlaceIn], True),
    "base": (str, True),
    "commitments": (list[CommitmentIn], False),
    "customers": (CustomersIn, True),
    "defaults": (DefaultsIn, False),
    "travel": (TravelIn, False),
    "costs": (CostsIn, False),
    "budget": (Money | None, False),
    "solver": (SolverIn, False),
}


def known_keys() -> set[str]:
    """Every key name the schema knows, for "did you mean" suggestions."""
    names = set(SECTIONS)
    for model in (DayHoursIn, EndpointIn, ExtensionIn, ExtendIn, TripIn, PlaceIn, CommitmentIn,
                  CustomerFileIn, DefaultsIn, TravelIn, CostsIn, SolverIn):
        names.update(model.model_fields)
    return names
