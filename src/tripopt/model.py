"""Typed, immutable domain objects: what a validated scenario is, independent of YAML.

Clock times are minutes after local midnight of their own day; dates are calendar
dates in the scenario's time zone (the solver keeps that per-day clock, see compile.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from .errors import Problem
from .grammar import Hours


@dataclass(frozen=True)
class Place:
    """A named location with resolved coordinates; `source` says how it was given."""

    key: str
    lat: float
    lon: float
    name: str
    source: str = "lat/lon"  # "lat/lon", "city", "address", "place"


@dataclass(frozen=True)
class Endpoint:
    """Where and when the first day begins (arrive) or the last day ends (depart)."""

    place: str
    minute_of_day: int


@dataclass(frozen=True)
class Extension:
    """Up to `days` optional extra days at one end of the trip, each costing `cost`."""

    days: int = 0
    cost: float = 0.0


@dataclass(frozen=True)
class Lunch:
    """A daily break of `length_minutes`, wholly inside the local clock window
    `open_minute`-`close_minute` (minutes after midnight), at no place in particular."""

    open_minute: int
    close_minute: int
    length_minutes: int


@dataclass(frozen=True)
class Trip:
    start: date
    end: date
    day_start_minute: int
    day_end_minute: int
    arrive: Endpoint | None = None
    depart: Endpoint | None = None
    max_drive_minutes: int | None = None
    extend_before: Extension = Extension()
    extend_after: Extension = Extension()
    lunch: Lunch | None = None

    @property
    def core_days(self) -> tuple[date, ...]:
        """The days the trip always has, first to last."""
        count = (self.end - self.start).days + 1
        return tuple(self.start + timedelta(days=i) for i in range(count))

    @property
    def possible_days(self) -> tuple[date, ...]:
        """Every day the trip may use, extension days included."""
        first = self.start - timedelta(days=self.extend_before.days)
        count = (self.end - first).days + 1 + self.extend_after.days
        return tuple(first + timedelta(days=i) for i in range(count))


@dataclass(frozen=True)
class Organizer:
    """Who sends a traveller's meeting requests (`organizer:`, docs/scenario.md): the
    address replies go to, and the name the customer sees (may be "")."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Traveller:
    """One member of a team: where their days start and end (their `base`, and `arrive` /
    `depart` on the trip's first and last day, None: at the base), their hours and
    driving cap. A scenario without `travellers` has one, named ""."""

    name: str
    base: str
    arrive: Endpoint | None
    depart: Endpoint | None
    day_start_minute: int
    day_end_minute: int
    max_drive_minutes: int | None = None
    lunch: Lunch | None = None  # resolved: the trip's, or the traveller's own
    # their own `organizer:` (Scenario.organizer_of falls back to the scenario's); not part of the problem
    organizer: Organizer | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Commitment:
    name: str
    place: str
    day: date
    start_minute: int
    end_minute: int
    who: tuple[str, ...] = ()  # the travellers it binds; () is everyone


@dataclass(frozen=True)
class Customer:
    """One candidate visit; `origin` names the file and row it came from."""

    name: str
    lat: float
    lon: float
    value: float
    meeting_minutes: int
    hours: Hours
    must_visit: bool = False
    cost: float = 0.0
    notes: str = ""
    place: str | None = None
    origin: str = ""
    address: str = ""  # the address or city the row gave, for calendars and maps
    travellers: tuple[str, ...] = ()  # who may visit it; () is anyone
    located: str = "lat/lon"  # what gave its position: "lat/lon", "place", "city" (a town's centre) or "address"
    # the contact's addresses (the `email` column), for meeting requests; not part of the problem
    emails: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def town_level(self) -> bool:
        """Placed at its town's centre (a `city:` cell): its travel times are only roughly right."""
        return self.located == "city"


@dataclass(frozen=True)
class Travel:
    speed_kmh: float = 50.0
    detour_factor: float = 1.3
    buffer_minutes: int = 10


@dataclass(frozen=True)
class SolverSettings:
    """Search limits; the solution limit keeps repeated runs identical (see README)."""

    time_limit_seconds: float = 10.0
    work_limit: int | None = None  # solutions examined per search phase; None: time only


@dataclass(frozen=True)
class Scenario:
    name: str
    timezone: str
    currency: str
    trip: Trip
    places: dict[str, Place]
    base: str
    commitments: tuple[Commitment, ...]
    customers: tuple[Customer, ...]
    travel: Travel
    per_km_cost: float
    budget: float | None
    solver: SolverSettings
    source: Path | None = None
    ignored_columns: tuple[str, ...] = ()
    travellers: tuple[Traveller, ...] = ()  # a team; () is the one traveller of `trip` and `base`
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    # the customer file read (None for an inline list): outputs may not overwrite it; not part
    # of the problem (repr and equality leave it out, as store.problem_key does the source)
    customer_file: Path | None = field(default=None, repr=False, compare=False)
    events: tuple[Event, ...] = ()  # user groups, meetups, dinners the plan may attend (events.py)
    # who sends the meeting requests (`organizer:`) unless a traveller has their own; not part of the problem
    organizer: Organizer | None = field(default=None, repr=False, compare=False)

    @property
    def team(self) -> tuple[Traveller, ...]:
        """The travellers, or the scenario's one traveller (named "") when it has no team."""
        if self.travellers:
            return self.travellers
        trip = self.trip
        return (Traveller("", self.base, trip.arrive, trip.depart, trip.day_start_minute, trip.day_end_minute,
                          trip.max_drive_minutes, trip.lunch),)

    def organizer_of(self, traveller: str) -> Organizer | None:
        """Who sends `traveller`'s meeting requests: their own `organizer:`, else the
        scenario's (None: neither is given, or no such traveller and no scenario's)."""
        own = next((t.organizer for t in self.travellers if t.name == traveller), None)
        return own or self.organizer

    def bound_by(self, commitment: Commitment) -> tuple[Traveller, ...]:
        """The travellers a commitment binds (its `who`, or everyone)."""
        return tuple(t for t in self.team if not commitment.who or t.name in commitment.who)

    def may_visit(self, customer: Customer, traveller: Traveller) -> bool:
        return not customer.travellers or traveller.name in customer.travellers

    def with_budget(self, budget: float | None) -> Scenario:
        """The same scenario under another budget (for --budget and compare)."""
        return replace(self, budget=budget)

    def with_time_limit(self, seconds: float) -> Scenario:
        """The same scenario with another search time limit (for --time-limit)."""
        return replace(self, solver=replace(self.solver, time_limit_seconds=seconds))


@dataclass(frozen=True)
class Event:
    """A user group, meetup or dinner the plan may attend (docs/scenario.md, events): at `place`
    for its whole time, like a commitment, by at most one traveller (one of `who`; () is
    anyone). Attending meets each customer of `attendees` who is not visited and not met
    at an earlier attended event, and brings `value` besides; `cost` counts against the
    budget. `origin` names the entry for messages (`events #2 (Kubernetes user group)`)."""

    name: str
    place: str
    day: date
    start_minute: int
    end_minute: int
    attendees: tuple[str, ...] = ()
    value: float = 0.0
    cost: float = 0.0
    who: tuple[str, ...] = ()
    origin: str = ""

    def may_attend(self, traveller: Traveller) -> bool:
        return not self.who or traveller.name in self.who
